"""Registered public keys: each bidder organization's bid-signing key and each custodian's
custody key. One active key per owner and purpose; registering a new one retires the old one,
which is kept, so a signature made before the rotation can still be checked."""

from __future__ import annotations

import enum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.problems import InvalidRequest
from app.core.validation import FieldError
from bidding.bids.models import RegisteredKey
from bidding.sealing.keys import BidderPublicKey, CustodyPublicKey, KeyFormatError


class KeyPurpose(enum.StrEnum):
    bid_signing = "bid_signing"
    custody = "custody"


def parse_key(purpose: KeyPurpose, text: str) -> BidderPublicKey | CustodyPublicKey:
    try:
        return BidderPublicKey.parse(text) if purpose is KeyPurpose.bid_signing else CustodyPublicKey.parse(text)
    except KeyFormatError as exc:
        raise InvalidRequest([FieldError("public_key", "key_format", str(exc))]) from exc


async def register(
    session: AsyncSession, clock: Clock, actor: Actor, purpose: KeyPurpose, owner: str, text: str
) -> RegisteredKey:
    key = parse_key(purpose, text)
    now = clock.now()
    await session.execute(
        update(RegisteredKey)
        .where(RegisteredKey.purpose == purpose, RegisteredKey.owner == owner, RegisteredKey.retired_at.is_(None))
        .values(retired_at=now)
    )
    registered = RegisteredKey(
        purpose=purpose,
        owner=owner,
        public_key=key.text(),
        fingerprint=key.fingerprint,
        registered_at=now,
        registered_by=actor.username,
    )
    session.add(registered)
    await session.flush()
    payload = {"purpose": purpose, "owner": owner, "fingerprint": key.fingerprint}
    await audit.record(session, clock, actor, "key.register", "registered_key", registered.id, payload)
    await session.commit()
    return registered


async def active_key(session: AsyncSession, purpose: KeyPurpose, owner: str) -> RegisteredKey | None:
    query = select(RegisteredKey).where(
        RegisteredKey.purpose == purpose, RegisteredKey.owner == owner, RegisteredKey.retired_at.is_(None)
    )
    return await session.scalar(query)


async def history(session: AsyncSession, purpose: KeyPurpose, owner: str) -> list[RegisteredKey]:
    query = (
        select(RegisteredKey)
        .where(RegisteredKey.purpose == purpose, RegisteredKey.owner == owner)
        .order_by(RegisteredKey.retired_at.is_not(None), RegisteredKey.registered_at.desc())
    )
    return list((await session.scalars(query)).all())
