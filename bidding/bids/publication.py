"""Publishing a tender's opening key (开标密钥): generate the key pair, publish the public half
with the tender, split the private half k-of-n among the custodians (the agency, a supervision
officer, the trading centre), seal each share to its custodian's registered custody key, and
forget the private key. No copy is kept: not in the database, not in a file, not in a log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.clock import Clock
from app.core.problems import Conflict, NotFound
from app.identity.models import Organization, OrgKind, User
from bidding.bids.models import CustodyShare, RegisteredKey
from bidding.bids.registry import KeyPurpose, active_key
from bidding.bids.schemas import OpeningKeyOut, ShareOut
from bidding.sealing import custody
from bidding.sealing.keys import CustodyPublicKey, OpeningPrivateKey, encrypt_share
from bidding.tender.models import Tender
from bidding.tender.queries import visible_tender

THRESHOLD = 2
RECORD_WINDOW_MINUTES = 60  # unless the filing sets another: bidders respond to the opening record within it


@dataclass(frozen=True)
class Custodian:
    role: str  # agency, supervisor, trading_centre
    user_id: uuid.UUID
    username: str


async def _with_custody_key(session: AsyncSession, candidates: list[User]) -> User | None:
    for user in candidates:
        if await active_key(session, KeyPurpose.custody, str(user.id)) is not None:
            return user
    return None


async def choose_custodians(
    session: AsyncSession, agency_user_id: uuid.UUID, officer_id: uuid.UUID | None
) -> list[Custodian]:
    """The filing's author for the agency, the deciding officer (or the first supervisor with a
    custody key, for a deemed acceptance), and the first trading-centre admin with a custody key."""
    agency_user = await session.get(User, agency_user_id)
    officer = await session.get(User, officer_id) if officer_id else None
    if officer is None:
        supervisors = (
            await session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.username))
        ).all()
        officer = await _with_custody_key(session, [u for u in supervisors if Role.supervisor in u.roles])
    centre_admins = (
        await session.scalars(
            select(User)
            .join(Organization, Organization.uscc == User.org_uscc)
            .where(Organization.kind == OrgKind.trading_centre, User.is_active.is_(True))
            .order_by(User.username)
        )
    ).all()
    centre = await _with_custody_key(session, [u for u in centre_admins if Role.admin in u.roles])
    chosen = {"agency": agency_user, "supervisor": officer, "trading_centre": centre}
    missing = [
        f"{role} ({user.username})" if user is not None else role
        for role, user in chosen.items()
        if user is None or await active_key(session, KeyPurpose.custody, str(user.id)) is None
    ]
    if missing:  # every missing custodian at once, as the one-time notice does
        raise Conflict(
            f"custody keys must be registered before acceptance (ggzy keygen --custody); missing: {', '.join(missing)}",
            slug="custodian-missing",
            missing=missing,
        )
    return [Custodian(role, user.id, user.username) for role, user in chosen.items() if user is not None]


async def publish_opening_key(
    session: AsyncSession, tender: Tender, custodians: list[Custodian], record_window_minutes: int | None = None
) -> list[str]:
    """Give `tender` its opening key and seal one share to each custodian; the caller commits.
    Returns the custodians' usernames."""
    keys: list[RegisteredKey] = []
    for custodian in custodians:
        key = await active_key(session, KeyPurpose.custody, str(custodian.user_id))
        if key is None:
            raise Conflict(f"custodian {custodian.username} has no custody key registered", slug="custodian-missing")
        keys.append(key)
    private = OpeningPrivateKey.generate()
    shares = custody.split(private, THRESHOLD, len(custodians))
    tender.opening_public_key = private.public_key().text()
    tender.custody_set_id = custody.read_share(shares[0]).set_id
    tender.custody_threshold = THRESHOLD
    tender.record_window_minutes = record_window_minutes or RECORD_WINDOW_MINUTES
    for custodian, key, share in zip(custodians, keys, shares, strict=True):
        index = custody.read_share(share).index
        session.add(
            CustodyShare(
                tender_id=tender.id,
                custodian_id=custodian.user_id,
                custodian_role=custodian.role,
                share_index=index,
                encrypted_share=encrypt_share(share, CustodyPublicKey.parse(key.public_key), str(tender.id), index),
            )
        )
    del private, shares  # the only copies were these locals
    return [c.username for c in custodians]


async def opening_key(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> OpeningKeyOut:
    """The public key bids for this tender are sealed to, its threshold and the custodians' roles."""
    tender = await visible_tender(session, actor, tender_id)
    if tender.opening_public_key is None or tender.custody_threshold is None:
        raise NotFound(f"tender {tender_id} takes no sealed bids")
    roles = (
        await session.scalars(select(CustodyShare.custodian_role).where(CustodyShare.tender_id == tender_id))
    ).all()
    return OpeningKeyOut(tender_id, tender.opening_public_key, tender.custody_threshold, sorted(roles))


async def hand_out_share(session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID) -> ShareOut:
    """A custodian's share of the opening key, sealed to their custody key; handed out exactly once."""
    share = await session.scalar(
        select(CustodyShare).where(CustodyShare.tender_id == tender_id, CustodyShare.custodian_id == actor.user_id)
    )
    if share is None:
        raise NotFound(f"you hold no share of tender {tender_id}'s opening key")
    if share.delivered_at is not None:
        raise Conflict(f"your share was handed out at {share.delivered_at.isoformat()}: it is given only once")
    share.delivered_at = clock.now()
    await audit.record(
        session, clock, actor, "custody.share_delivered", "tender", tender_id, {"index": share.share_index}
    )
    await session.commit()
    return ShareOut(tender_id, share.share_index, share.custodian_role, share.encrypted_share)
