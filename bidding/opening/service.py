"""The bid opening (开标): start at the opening time, collect the custodians' shares, rebuild the
opening key, decrypt and verify every bid, read each one out (唱标), publish the opening record
(开标记录), and collect the bidders' confirmations or objections.

Every step is committed before it is announced, so the session survives a restart of any
process: shares handed in are kept (until the session ends), each bid's outcome is committed as
soon as it is known, and decryption runs under a lease that another worker takes over when it
runs out, skipping the bids already opened. The key is rebuilt only in memory, by whoever holds
the lease, and the shares are deleted when the record is published.
"""

from __future__ import annotations

import asyncio
import enum
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import audit
from app.core.actor import Actor, Role
from app.core.blobs import BlobWriter, LocalBlobStore
from app.core.clock import Clock
from app.core.live import Broadcaster, Outbox
from app.core.problems import Conflict, InvalidRequest, NotFound, Problem
from app.core.tasks import BackgroundTasks
from app.core.validation import FieldError
from app.identity import service as identity
from bidding.bids.models import Bid, CustodyShare, RegisteredKey
from bidding.bids.registry import KeyPurpose
from bidding.bids.states import BidStatus
from bidding.opening import queries
from bidding.opening import states as opening_states
from bidding.opening.models import BidOpening, HandedInShare, OpeningEvent, OpeningSession, RecordResponse
from bidding.opening.record import BidOutcome, TenderFacts, opening_record
from bidding.opening.schemas import OpeningStateOut
from bidding.opening.states import OpeningStatus
from bidding.sealing import custody, envelope
from bidding.sealing.keys import BidderPublicKey, OpeningPrivateKey, OpeningPublicKey
from bidding.tender import states as tender_states
from bidding.tender.models import Tender
from bidding.tender.states import MIN_BIDS_TO_OPEN, TenderStatus

LEASE = timedelta(seconds=60)
OPENING_WORKERS = 2  # bids decrypted at once by one opening (hashing and I/O run outside the GIL)
# Decryption failures that are the bidder's doing (the bid counts as revoked); anything else means
# the platform lost or damaged what it received (the bid counts as withdrawn, not against the bidder).
BIDDER_FAULTS = frozenset(
    {"key_unwrap_failed", "declaration_invalid", "document_mismatch", "wrong_signer", "bad_signature"}
)


class Outcome(enum.StrEnum):
    opened = "opened"
    revoked = "revoked"  # the bidder's fault
    withdrawn = "withdrawn"  # the platform's fault


class ShareRefused(Problem):
    status, slug, title = 422, "share-refused", "The share is refused"


def opening_channel(tender_id: object) -> str:
    """The live channel of one tender's opening."""
    return f"opening:{tender_id}"


@dataclass
class Opening:
    """What the opening needs besides a database session."""

    clock: Clock
    tz: ZoneInfo
    blobs: LocalBlobStore
    broadcaster: Broadcaster
    share_secret: bytes  # seals handed-in shares at rest (see custody.seal_handed_in)
    outbox: Outbox = field(init=False)

    def __post_init__(self) -> None:
        self.outbox = Outbox(self.broadcaster)

    async def event(self, session: AsyncSession, tender_id: uuid.UUID, kind: str, data: dict[str, Any]) -> None:
        """Store the next event of the tender's opening; it is published by `commit`, after the commit."""
        seq = (
            await session.scalar(select(func.max(OpeningEvent.seq)).where(OpeningEvent.tender_id == tender_id)) or 0
        ) + 1
        now = self.clock.now()
        session.add(OpeningEvent(tender_id=tender_id, seq=seq, kind=kind, data=data, at=now))
        self.outbox.queue(opening_channel(tender_id), seq, kind, data, now)

    async def commit(self, session: AsyncSession) -> None:
        await self.outbox.commit(session)


# -- starting ---------------------------------------------------------------------------------------


async def start(session: AsyncSession, ctx: Opening, actor: Actor, tender_id: uuid.UUID) -> OpeningSession | None:
    """Open the session of a tender whose opening time has come (idempotent): publish who bid, or
    fail the tender (流标) with fewer than three bids. None while the opening time is ahead or
    while the tender is held (bidding.tender.holds): the opening waits for the hold to lift."""
    tender = await session.get(Tender, tender_id, with_for_update=True)
    if tender is None:
        raise NotFound(f"tender {tender_id} not found", zh="未找到该项目")
    existing = await session.get(OpeningSession, tender_id)
    now = ctx.clock.now()
    if existing is not None or tender.status != TenderStatus.published or now < tender.opening_time:
        return existing
    if tender.held_since is not None:
        return None
    bids = (
        await session.scalars(
            select(Bid)
            .where(Bid.tender_id == tender_id, Bid.status == BidStatus.submitted)
            .order_by(Bid.received_at, Bid.bidder_uscc)
        )
    ).all()
    names = await identity.org_names(session, [b.bidder_uscc for b in bids])
    bidders = [
        {
            "bid": str(b.id),
            "uscc": b.bidder_uscc,
            "name": names.get(b.bidder_uscc, ""),
            "received_at": b.received_at.isoformat(),
        }
        for b in bids
    ]
    failed = len(bids) < MIN_BIDS_TO_OPEN
    opening = OpeningSession(
        tender_id=tender_id,
        status=OpeningStatus.failed if failed else OpeningStatus.awaiting_shares,
        started_at=now,
        bidders=bidders,
        finished_at=now if failed else None,
    )
    session.add(opening)
    tender_states.move(tender, TenderStatus.failed if failed else TenderStatus.opening)
    public = [{"name": b["name"], "uscc": b["uscc"], "received_at": b["received_at"]} for b in bidders]
    await ctx.event(session, tender_id, "started", {"bidders": public, "threshold": tender.custody_threshold})
    await audit.record(session, ctx.clock, actor, "opening.start", "tender", tender_id, {"bidders": public})
    if failed:
        reason = f"{len(bids)} bid(s), fewer than {MIN_BIDS_TO_OPEN}: the tender fails (流标), to be re-tendered"
        await ctx.event(session, tender_id, "failed", {"reason": reason})
        await audit.record(session, ctx.clock, actor, "tender.failed", "tender", tender_id, {"reason": reason})
    await ctx.commit(session)
    return opening


async def openings_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """The tenders whose next event is their opening's start, now (with a key to open bids)."""
    rows = await session.execute(
        select(Tender.id, Tender.status, Tender.opening_time)
        .outerjoin(OpeningSession, OpeningSession.tender_id == Tender.id)
        .where(Tender.status == TenderStatus.published, Tender.opening_time <= now, Tender.held_since.is_(None))
        .where(OpeningSession.tender_id.is_(None), Tender.opening_public_key.is_not(None))
    )
    return [
        tender_id
        for tender_id, status, opening_time in rows.all()
        if (due := tender_states.next_event(status, opening_time)) and due.is_due(now)
    ]


async def watchable_tender(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> Tender:
    """The tender whose opening `actor` may follow. Until the record is published (or the tender
    fails), an opening is followed by the tender's bidders, its agency and tenderee, and the
    supervisors — from before it starts: the room waits for them, showing nothing of the bids
    (a bidder knows its own; whether others bid stays secret until the opening, Law art. 22). The
    opening record is public by law once published. Anyone else: 404."""
    tender = await session.get(Tender, tender_id)
    if tender is None:
        raise NotFound(f"tender {tender_id} not found", zh="未找到该项目")
    if actor.sees_all_orgs or actor.org_uscc in (tender.agency_uscc, tender.tenderee_uscc):
        return tender
    opening = await session.get(OpeningSession, tender_id)
    if opening is not None and opening.status in opening_states.FINISHED:
        return tender
    if actor.org_uscc and await session.scalar(
        select(Bid.id).where(Bid.tender_id == tender_id, Bid.bidder_uscc == actor.org_uscc).limit(1)
    ):
        return tender
    raise NotFound(
        f"the opening of tender {tender_id} is followed by its bidders until the record is published",
        zh="开标记录公布前，只有投标人可以查看开标",
    )


# -- shares -----------------------------------------------------------------------------------------


async def hand_in_share(session: AsyncSession, ctx: Opening, actor: Actor, tender_id: uuid.UUID, mnemonic: str) -> str:
    """A custodian hands in their share; with the threshold reached the key is rebuilt (checked
    against the published key) and decryption may begin. Returns the session's status."""
    tender = await session.get(Tender, tender_id)
    if tender is None or tender.opening_public_key is None or tender.custody_set_id is None:
        raise NotFound(f"tender {tender_id} takes no sealed bids", zh="该项目不接受加密投标文件")
    now = ctx.clock.now()
    if now < tender.opening_time:
        raise Conflict(
            f"shares are accepted only from the opening time, {tender.opening_time.isoformat()}",
            zh=f"开标时间（{tender.opening_time.isoformat()}）起方可提交密钥分片",
            slug="too-early",
        )
    mine = await session.scalar(
        select(CustodyShare).where(CustodyShare.tender_id == tender_id, CustodyShare.custodian_id == actor.user_id)
    )
    if mine is None:
        raise NotFound(f"you hold no share of tender {tender_id}'s opening key", zh="您不持有该项目开标密钥的分片")
    opening = await start(session, ctx, actor, tender_id)
    opening = await session.get(OpeningSession, tender_id, with_for_update=True, populate_existing=True)
    assert opening is not None
    if opening.status != OpeningStatus.awaiting_shares:
        raise Conflict(
            f"the opening is {opening.status}: no share is needed",
            zh="开标已无需再提交密钥分片",
            slug="share-not-needed",
        )
    handed = (await session.scalars(select(HandedInShare).where(HandedInShare.tender_id == tender_id))).all()
    try:
        info = custody.check_share(mnemonic, tender.custody_set_id, [h.share_index for h in handed])
    except custody.CustodyError as exc:
        raise ShareRefused(str(exc), zh="密钥分片无效，请核对后重新输入", code=exc.code) from exc
    if info.index != mine.share_index:
        raise ShareRefused(
            "this is another custodian's share: hand in your own",
            zh="这是另一位保管人的分片，请提交您自己的分片",
            code="not_your_share",
        )
    words = " ".join(mnemonic.split())
    session.add(
        HandedInShare(
            tender_id=tender_id,
            custodian_id=actor.user_id,
            share_index=info.index,
            sealed_share=custody.seal_handed_in(ctx.share_secret, str(tender_id), words),
            received_at=now,
        )
    )
    received = len(handed) + 1
    threshold = tender.custody_threshold or 0
    await ctx.event(
        session,
        tender_id,
        "share_received",
        {"custodian": mine.custodian_role, "received": received, "threshold": threshold},
    )
    await audit.record(session, ctx.clock, actor, "opening.share", "tender", tender_id, {"role": mine.custodian_role})
    if received >= threshold:
        try:
            earlier = [custody.unseal_handed_in(ctx.share_secret, str(tender_id), h.sealed_share) for h in handed]
            custody.combine([*earlier, words], OpeningPublicKey.parse(tender.opening_public_key))
        except custody.CustodyError as exc:
            raise ShareRefused(str(exc), zh="密钥分片无法恢复开标密钥", code=exc.code) from exc
        opening_states.move(opening, OpeningStatus.decrypting)
        opening.key_rebuilt_at = now
        await ctx.event(
            session,
            tender_id,
            "key_rebuilt",
            {"checked_against": OpeningPublicKey.parse(tender.opening_public_key).fingerprint},
        )
        await audit.record(session, ctx.clock, actor, "opening.key_rebuilt", "tender", tender_id, {"shares": received})
    await ctx.commit(session)
    return opening.status


async def hand_in(
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    tasks: BackgroundTasks,
    ctx: Opening,
    actor: Actor,
    tender_id: uuid.UUID,
    mnemonic: str,
) -> OpeningStateOut:
    """Hand in a share and answer with the opening as it stands after it; the share that rebuilds
    the key then starts the decryption in the background of this worker (the chronograph resumes
    it if this worker stops), so the answer says `decrypting` however fast the decryption is."""
    status = await hand_in_share(session, ctx, actor, tender_id, mnemonic)
    state = await queries.opening_state(session, tender_id)
    if status == OpeningStatus.decrypting:
        own = Opening(ctx.clock, ctx.tz, ctx.blobs, ctx.broadcaster, ctx.share_secret)
        tasks.spawn(decrypt_all(sessions, own, actor, tender_id))
    return state


# -- decrypting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Result:
    outcome: Outcome
    reason: str | None
    declaration: dict[str, Any] | None
    documents: list[dict[str, Any]] | None


def _open_one(blobs: LocalBlobStore, bid: Bid, private: OpeningPrivateKey, signer: BidderPublicKey) -> _Result:
    """Decrypt and verify one bid in bounded memory (runs in a worker thread)."""
    path = blobs.path(bid.sha256)
    if not path.exists():
        return _Result(Outcome.withdrawn, "the platform no longer holds the received file", None, None)
    writers: list[BlobWriter] = []

    def sink(_index: int, _entry: envelope.DocumentEntry) -> BlobWriter:
        writers.append(blobs.writer())
        return writers[-1]

    try:
        with path.open("rb", buffering=1024 * 1024) as handle:
            opened = envelope.open_envelope(
                handle,
                tender=str(bid.tender_id),
                bidder=bid.bidder_uscc,
                opening_key=private,
                bidder_key=signer,
                document_sink=sink,
                # The digest the receipt names: the signature must hold for it, and every chunk
                # must authenticate, so the opened file is the receipted one, byte for byte.
                signed_payload_sha256=bid.receipt["payload_sha256"],
            )
    except envelope.EnvelopeError as exc:
        for writer in writers:
            writer.discard()
        outcome = Outcome.revoked if exc.code in BIDDER_FAULTS else Outcome.withdrawn
        return _Result(outcome, f"{exc.code}: {exc}", None, None)
    documents = [
        {"name": entry.name, "size": stored.size, "sha256": stored.sha256}
        for entry, stored in zip(
            opened.declaration.documents,
            (w.finish(e.sha256) for w, e in zip(writers, opened.declaration.documents, strict=True)),
            strict=True,
        )
    ]
    d = opened.declaration
    declaration = {
        "price": str(d.price),
        "currency": d.currency,
        "duration_days": d.duration_days,
        "fields": d.fields,
        "credit_commitment": d.credit_commitment,
    }
    return _Result(Outcome.opened, None, declaration, documents)


async def _claim(session: AsyncSession, ctx: Opening, tender_id: uuid.UUID) -> bool:
    now = ctx.clock.now()
    claimed = await session.execute(
        update(OpeningSession)
        .where(OpeningSession.tender_id == tender_id, OpeningSession.status == OpeningStatus.decrypting)
        .where(or_(OpeningSession.lease_until.is_(None), OpeningSession.lease_until < now))
        .values(lease_until=now + LEASE)
        .returning(OpeningSession.tender_id)
    )
    won = claimed.first() is not None
    await session.commit()
    return won


async def decrypt_all(
    sessions: async_sessionmaker[AsyncSession],
    ctx: Opening,
    actor: Actor,
    tender_id: uuid.UUID,
    *,
    limit: int | None = None,
) -> bool:
    """Decrypt the bids not yet opened, then publish the record. Resumable: run it again (after a
    crash, by another worker) and it carries on where the committed outcomes stop. Up to
    OPENING_WORKERS bids decrypt at once in worker threads; they are read out in receipt order.
    `limit` stops after that many bids (tests use it to cut a session in the middle)."""
    async with sessions() as session:
        if not await _claim(session, ctx, tender_id):
            return False
        tender = await session.get(Tender, tender_id)
        opening = await session.get(OpeningSession, tender_id)
        assert tender is not None and opening is not None and tender.opening_public_key is not None
        sealed = (
            await session.scalars(select(HandedInShare.sealed_share).where(HandedInShare.tender_id == tender_id))
        ).all()
        shares = [custody.unseal_handed_in(ctx.share_secret, str(tender_id), s) for s in sealed]
        private = custody.combine(shares, OpeningPublicKey.parse(tender.opening_public_key))
        done = set((await session.scalars(select(BidOpening.bid_id).where(BidOpening.tender_id == tender_id))).all())
        pending = [await _prepare(session, entry) for entry in opening.bidders if uuid.UUID(entry["bid"]) not in done]
        await session.commit()  # no transaction stays open while bids decrypt
        if limit is not None:
            pending = pending[:limit]
        in_flight: deque[tuple[dict[str, Any], Bid, asyncio.Task[_Result]]] = deque()
        for entry, bid, signer in pending:
            work = asyncio.to_thread(_open_one, ctx.blobs, bid, private, signer) if signer else _no_key()
            in_flight.append((entry, bid, asyncio.ensure_future(work)))
            if len(in_flight) >= OPENING_WORKERS:
                await _announce(session, ctx, actor, tender_id, *in_flight.popleft())
        while in_flight:
            await _announce(session, ctx, actor, tender_id, *in_flight.popleft())
        del private
        if limit is None:
            await _publish_record(session, ctx, actor, tender_id)
    return True


async def _no_key() -> _Result:
    return _Result(Outcome.withdrawn, "the signing key the bid was checked with is no longer on record", None, None)


async def _prepare(session: AsyncSession, entry: dict[str, Any]) -> tuple[dict[str, Any], Bid, BidderPublicKey | None]:
    bid = await session.get(Bid, uuid.UUID(entry["bid"]))
    assert bid is not None
    key = await session.scalar(
        select(RegisteredKey).where(
            RegisteredKey.purpose == KeyPurpose.bid_signing,
            RegisteredKey.owner == bid.bidder_uscc,
            RegisteredKey.fingerprint == bid.signer_fingerprint,
        )
    )
    return entry, bid, BidderPublicKey.parse(key.public_key) if key else None


async def _announce(
    session: AsyncSession,
    ctx: Opening,
    actor: Actor,
    tender_id: uuid.UUID,
    entry: dict[str, Any],
    bid: Bid,
    work: asyncio.Task[_Result],
) -> None:
    """Commit one bid's outcome and read it out (唱标), or announce why it cannot be."""
    result = await work
    now = ctx.clock.now()
    session.add(
        BidOpening(
            bid_id=bid.id,
            tender_id=tender_id,
            bidder_uscc=bid.bidder_uscc,
            outcome=result.outcome,
            reason=result.reason,
            declaration=result.declaration,
            documents=result.documents,
            opened_at=now,
        )
    )
    await session.execute(
        update(OpeningSession).where(OpeningSession.tender_id == tender_id).values(lease_until=now + LEASE)
    )
    who = {"bidder": entry["name"], "uscc": entry["uscc"]}
    if result.outcome is Outcome.opened:
        assert result.declaration is not None
        await ctx.event(session, tender_id, "read_out", who | result.declaration)
    else:
        await ctx.event(session, tender_id, "bid_failed", who | {"outcome": result.outcome, "reason": result.reason})
    payload = {"bid": str(bid.id), "outcome": result.outcome, "reason": result.reason}
    await audit.record(session, ctx.clock, actor, "opening.bid", "tender", tender_id, payload)
    await ctx.commit(session)


async def _publish_record(session: AsyncSession, ctx: Opening, actor: Actor, tender_id: uuid.UUID) -> None:
    tender = await session.get(Tender, tender_id, with_for_update=True)
    opening = await session.get(OpeningSession, tender_id, with_for_update=True, populate_existing=True)
    assert tender is not None and opening is not None
    if opening.status != OpeningStatus.decrypting:
        return
    outcomes = {
        o.bid_id: o for o in (await session.scalars(select(BidOpening).where(BidOpening.tender_id == tender_id))).all()
    }
    roles = await queries.custodians_present(session, tender_id)
    now = ctx.clock.now()
    facts = TenderFacts(
        str(tender.id),
        tender.project_name,
        tender.project_code,
        tender.opening_time,
        tender.ceiling_price,
        tender.reference_price,
    )
    read_out = {str(bid_id): BidOutcome(o.outcome, o.reason, o.declaration) for bid_id, o in outcomes.items()}
    record = opening_record(
        facts, opening.started_at, opening.key_rebuilt_at, sorted(roles), opening.bidders, read_out, now
    )
    opening_states.move(opening, OpeningStatus.read_out)
    opening.record, opening.finished_at, opening.lease_until = record, now, None
    opening.confirm_until = now + timedelta(minutes=tender.record_window_minutes or 60)
    tender_states.move(tender, TenderStatus.opened)
    await session.execute(
        delete(HandedInShare).where(HandedInShare.tender_id == tender_id)
    )  # the key is gone with them
    await ctx.event(
        session, tender_id, "record_published", {"record": record, "confirm_until": opening.confirm_until.isoformat()}
    )
    await audit.record(session, ctx.clock, actor, "opening.record", "tender", tender_id, record)
    await ctx.commit(session)


async def decryptions_stalled(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """The openings whose decryption is due to resume: its worker's lease ran out, or none began."""
    rows = await session.execute(
        select(
            OpeningSession.tender_id, OpeningSession.status, OpeningSession.lease_until, OpeningSession.key_rebuilt_at
        )
        .where(OpeningSession.status == OpeningStatus.decrypting)
        .where(or_(OpeningSession.lease_until.is_(None), OpeningSession.lease_until < now))
    )
    return [
        tender_id
        for tender_id, status, lease_until, rebuilt_at in rows.all()
        if (due := opening_states.next_event(status, lease_until, rebuilt_at)) and due.is_due(now)
    ]


# -- the record --------------------------------------------------------------------------------------


async def respond(
    session: AsyncSession, ctx: Opening, actor: Actor, tender_id: uuid.UUID, response: str, comment: str | None
) -> RecordResponse:
    """A bidder confirms the opening record or objects to it, within the tender's window."""
    opening = await session.get(OpeningSession, tender_id)
    if opening is None or opening.status != OpeningStatus.read_out or opening.confirm_until is None:
        raise Conflict("there is no opening record to respond to yet", zh="尚无开标记录可供确认", slug="no-record")
    if actor.org_uscc not in {b["uscc"] for b in opening.bidders}:
        raise NotFound("your organization did not bid in this opening", zh="本单位未参加本次开标")
    now = ctx.clock.now()
    if now > opening.confirm_until:
        raise Conflict(
            f"responses closed at {opening.confirm_until.isoformat()}",
            zh=f"确认时间已于 {opening.confirm_until.isoformat()} 截止",
            slug="window-closed",
        )
    if await session.scalar(
        select(RecordResponse.id).where(
            RecordResponse.tender_id == tender_id, RecordResponse.bidder_uscc == actor.org_uscc
        )
    ):
        raise Conflict(
            "your organization has already responded to this record",
            zh="本单位已对开标记录作出确认",
            slug="already-responded",
        )
    answer = RecordResponse(
        tender_id=tender_id,
        bidder_uscc=actor.org_uscc,
        response=response,
        comment=comment,
        responded_at=now,
        responded_by=actor.user_id,
    )
    session.add(answer)
    name = (await identity.org_names(session, [str(actor.org_uscc)])).get(str(actor.org_uscc), "")
    await ctx.event(session, tender_id, "record_response", {"bidder": name, "response": response, "comment": comment})
    await audit.record(
        session, ctx.clock, actor, f"opening.record_{response}", "tender", tender_id, {"comment": comment}
    )
    await ctx.commit(session)
    return answer


async def answer_objection(
    session: AsyncSession, ctx: Opening, actor: Actor, tender_id: uuid.UUID, bidder_uscc: str, text: str
) -> RecordResponse:
    """The tenderee, through its agency, answers a bidder's objection to the opening on the spot
    (实施条例 art. 44): while the record's window is open, once; the answer is kept with the
    record and shown live."""
    tender = await session.get(Tender, tender_id)
    if tender is None or not (actor.has_role(Role.agency) and actor.org_uscc == tender.agency_uscc):
        raise NotFound(f"no opening of tender {tender_id} to answer for", zh="该项目没有可答复的开标")
    objection = await session.scalar(
        select(RecordResponse)
        .where(RecordResponse.tender_id == tender_id, RecordResponse.bidder_uscc == bidder_uscc)
        .with_for_update()
    )
    if objection is None or objection.response != "objected":
        raise NotFound(f"no objection from {bidder_uscc} to this opening", zh="该投标人没有对开标提出异议")
    if not text.strip():
        raise InvalidRequest([FieldError("answer", "required", "the answer, given on the spot")])
    opening = await session.get(OpeningSession, tender_id)
    now = ctx.clock.now()
    if opening is None or opening.confirm_until is None or now > opening.confirm_until:
        raise Conflict(
            "an objection at the opening is answered on the spot, while the record's window is open",
            zh="开标现场的异议须在记录确认期间当场答复",
        )
    if objection.answer is not None:
        raise Conflict("answered already", zh="已经答复")
    objection.answer, objection.answered_at, objection.answered_by = text.strip(), now, actor.username
    await ctx.event(session, tender_id, "objection_answer", {"bidder": bidder_uscc, "answer": objection.answer})
    await audit.record(
        session, ctx.clock, actor, "opening.objection_answer", "tender", tender_id, {"bidder": bidder_uscc}
    )
    await ctx.commit(session)
    return objection
