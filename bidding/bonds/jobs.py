"""What the chronograph runs for bonds: check every guarantee again at the opening (online with
its guarantor), instruct the refund of every bond that has fallen due (the moment its event
happens), flag a bond still not back after its period, and deliver the messages to guarantors."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.chronograph import Step
from app.core.clock import Clock
from app.core.settings import Settings, load_or_create_receipt_key
from bidding.bonds import guarantees, refunds
from bidding.bonds.guarantor_client import HttpGuarantorClient


def steps(settings: Settings) -> list[Step]:
    tz, bank = settings.tz, refunds.BankConfig.of(settings)

    async def refund(session: AsyncSession, bond_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await refunds.refund(session, bond_id, clock, actor, bank, tz)

    async def late(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
        return await refunds.late_refunds(session, now, tz)

    async def flag_late(session: AsyncSession, bond_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await refunds.flag_late_refund(session, bond_id, clock, actor, tz)

    client = HttpGuarantorClient()
    platform_key = load_or_create_receipt_key(settings.receipt_key_path)

    async def check(session: AsyncSession, guarantee_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await guarantees.check_online(
            session, guarantee_id, clock, actor, client, platform_key, tz, at_opening=True
        )

    async def check_bid(session: AsyncSession, guarantee_id: uuid.UUID, clock: Clock, actor: Actor) -> bool:
        return await guarantees.check_online(
            session, guarantee_id, clock, actor, client, platform_key, tz, at_opening=False
        )

    async def deliver(session: AsyncSession, key: str, clock: Clock, actor: Actor) -> bool:
        return await guarantees.deliver(session, key, clock, actor, client, platform_key)

    return [
        Step("guarantee-submission-check", "guarantee", every=5, due=guarantees.submission_checks_due, run=check_bid),
        Step("guarantee-opening-check", "guarantee", every=15, due=guarantees.opening_checks_due, run=check),
        Step("bond-refund", "bond", every=30, due=refunds.refunds_due, run=refund),
        Step("bond-refund-late", "bond", every=300, due=late, run=flag_late),
        Step("guarantor-outbox", "guarantor_message", every=10, due=guarantees.deliveries_due, run=deliver),
    ]
