"""What the domains plug into the kernel, named in one place: the kernel imports no domain, so
the composition root tells it who listens to the calendar and to the domains' announcements,
which steps the chronograph runs (in the order they first run), what housekeeping the scheduler
does, and what one domain's handlers take from another (the credit lists' bars and gate)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import transparency
from app.core.blobs import LocalBlobStore
from app.core.calendar.service import CalendarListener
from app.core.chronograph import Housekeeping, Step
from app.core.clock import Clock
from app.core.events import DomainEvents
from app.core.live import Broadcaster
from app.core.settings import Settings, load_or_create_receipt_key
from bidding.award import jobs as award_jobs
from bidding.award.service import CommitteeNames
from bidding.bonds import guarantees as bond_guarantees
from bidding.bonds import jobs as bond_jobs
from bidding.filing import jobs as filing_jobs
from bidding.filing.service import recompute_provisional_deadlines
from bidding.market import jobs as market_jobs
from bidding.opening import jobs as opening_jobs
from credit import candidates as credit_candidates
from credit import hooks as credit_hooks
from experts import evaluation as expert_evaluation
from experts import jobs as expert_jobs
from experts.committee import CreditBarred

CALENDAR_LISTENERS: Sequence[CalendarListener] = (recompute_provisional_deadlines,)

# Which experts a credit list bars from a committee on a day (the draw's `credit_barred`).
EXPERT_CREDIT_BARS: CreditBarred = credit_hooks.expert_bars

# The committee's names, kept with the candidates and published with the award notice (`committee_names`).
COMMITTEE_NAMES: CommitteeNames = expert_evaluation.committee_names


def domain_events(settings: Settings) -> DomainEvents:
    """Who acts on a domain's announcements, in the announcing transaction: the candidate
    winners' credit check on "evaluation.report_signed" and "evaluation.report_revised"."""
    return DomainEvents(credit_candidates.listeners(settings.tz))


def domain_dependencies(settings: Settings) -> dict[str, Provide]:
    """What the domains' handlers ask for beyond the kernel's dependencies (app.core.deps): the
    experts a credit list bars, and the credit gate before a bid or a registration."""
    gate = credit_hooks.gate(settings.tz)

    async def after_bid(session: AsyncSession, clock: Clock, tender_id: uuid.UUID, uscc: str) -> None:
        await bond_guarantees.check_at_submission(session, clock, tender_id, uscc, settings.tz)

    return {
        "expert_credit_bars": Provide(lambda: EXPERT_CREDIT_BARS, sync_to_thread=False),
        "credit_gate": Provide(lambda: gate, sync_to_thread=False),
        "committee_names": Provide(lambda: COMMITTEE_NAMES, sync_to_thread=False),
        "after_bid": Provide(lambda: after_bid, sync_to_thread=False),
    }


def chronograph_steps(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], blobs: LocalBlobStore, live: Broadcaster
) -> list[Step]:
    return [
        *filing_jobs.steps(settings.tz),
        *market_jobs.steps(live, settings.offer_secret),
        *opening_jobs.steps(settings, sessions, blobs, live),
        *expert_jobs.steps(settings, EXPERT_CREDIT_BARS),
        *award_jobs.steps(settings, COMMITTEE_NAMES),
        *bond_jobs.steps(settings),
    ]


def housekeeping(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock, blobs: LocalBlobStore
) -> list[Housekeeping]:
    async def staging_leftovers() -> int:
        return await asyncio.to_thread(blobs.clean_staging)

    key = load_or_create_receipt_key(settings.receipt_key_path)

    async def sequencer() -> int:
        return await transparency.run_sequencer(sessions, clock, key, settings.log_origin, settings.tree_head_seconds)

    return [
        Housekeeping("blob-staging-clean", 600, staging_leftovers),  # uploads cut off by a killed worker
        # audit events into the Merkle tree, heads signed
        Housekeeping("transparency-sequencer", transparency.SEQUENCER_EVERY_SECONDS, sequencer),
    ]
