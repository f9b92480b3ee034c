"""Submitting sealed bids (递交投标文件): check a sealed file without opening it, record it with a
platform-signed receipt before the deadline, let the bidder replace or withdraw it.

The upload streams into the blob store first, outside any transaction; the file is inspected in
a worker thread (format, binding to this tender and bidder and opening key, integrity, the
signature against the bidder's registered key); only then a short transaction locks the tender,
checks the deadline by the server clock at that moment, supersedes the bidder's previous bid and
commits the new one with its receipt. The receipt is returned only after the commit.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor, Role
from app.core.blobs import LocalBlobStore, StagedBlob
from app.core.clock import Clock
from app.core.gates import Gate, GateAnswer, GateQuery
from app.core.problems import Conflict, ConflictOfInterest, Forbidden, InvalidRequest, NotFound, Problem
from app.core.uscc import check_uscc
from app.core.validation import FieldError
from bidding.bids import states as bid_states
from bidding.bids.models import Bid
from bidding.bids.registry import KeyPurpose, active_key
from bidding.bids.states import BidStatus
from bidding.sealing import envelope
from bidding.sealing.keys import BidderPublicKey, OpeningPublicKey
from bidding.sealing.receipts import sign_receipt
from bidding.tender.models import Tender
from bidding.tender.states import TenderStatus


class BidRefused(Problem):
    status, slug, title = 422, "bid-refused", "The sealed bid is refused"


# Why a sealed file is refused, in Chinese: one sentence per code of bidding.sealing.envelope.
BID_REFUSED_ZH = {
    "not_a_sealed_bid": "不是加密投标文件：请用 ggzy seal 生成",
    "truncated": "文件不完整（上传中断或文件被截断），请重新上传",
    "bad_header": "文件头无法读取，请用 ggzy seal 重新生成",
    "bad_frame": "文件结构损坏，请用 ggzy seal 重新生成",
    "chunk_reordered": "文件内容顺序被改动，请用 ggzy seal 重新生成",
    "unsigned": "文件没有签名：请用 ggzy seal 签名加密",
    "content_altered": "加密内容与签名摘要不符：文件已被改动",
    "wrong_signer": "签名密钥不是本单位登记的密钥",
    "bad_signature": "签名无法用本单位登记的公钥验证",
    "wrong_tender": "该文件是为其他项目加密的",
    "wrong_bidder": "该文件是由其他投标人加密的",
    "wrong_recipient": "该文件未使用本项目公布的开标公钥加密",
    "declaration_invalid": "投标声明无法读取",
}


MAX_CONSORTIUM_MEMBERS = 10


def consortium_errors(bidder: str, members: Sequence[str]) -> list[FieldError]:
    """Why the declared consortium members (联合体成员, USCCs besides the lead bidder) are not acceptable."""
    errors = []
    if len(members) > MAX_CONSORTIUM_MEMBERS:
        errors.append(FieldError("consortium", "too_many", f"at most {MAX_CONSORTIUM_MEMBERS} other members"))
    for i, member in enumerate(members):
        wrong = check_uscc(member)
        if wrong is not None:
            errors.append(FieldError(f"consortium[{i}]", wrong.code, wrong.message))
        elif member == bidder:
            errors.append(FieldError(f"consortium[{i}]", "lead", "the lead bidder is not also a member"))
        elif member in members[:i]:
            errors.append(FieldError(f"consortium[{i}]", "duplicate", f"{member} is listed twice"))
    return errors


async def pass_credit_gate(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, consortium: Sequence[str], gate: Gate
) -> GateAnswer:
    """The credit check before any byte is stored: the bidder and every consortium member (one
    member's record counts for the consortium). The grounds for refusing a bid are those of
    实施条例 art. 36 only: a credit finding — even one whose memorandum bars winning — is a
    warning kept with the evidence and shown with the receipt; exclusion happens at evaluation,
    where the committee decides (art. 56)."""
    bidder = str(actor.org_uscc)
    errors = consortium_errors(bidder, consortium)
    if errors:
        raise InvalidRequest(errors)
    answer = await gate(session, clock, actor, GateQuery("bid", (bidder, *consortium), "tender", tender_id))
    if answer.refused:
        await audit.record(
            session,
            clock,
            actor,
            "bid.credit_finding",
            "tender",
            tender_id,
            {"consortium": list(consortium), "findings": list(answer.findings)},
        )
        answer = GateAnswer("warning", answer.findings)
    await session.commit()  # the check's evidence; no transaction spans the upload
    return answer


class DeadlinePassed(Problem):
    status, slug, title = 409, "bid-deadline-passed", "The bid deadline has passed"


def _deadline_problem(tender: Tender, now: datetime) -> DeadlinePassed:
    return DeadlinePassed(
        f"the bid deadline was {tender.bid_deadline.isoformat()}; the server received this at {now.isoformat()}",
        zh=f"投标截止时间为 {tender.bid_deadline.isoformat()}，服务器收到的时间为 {now.isoformat()}",
        deadline=tender.bid_deadline.isoformat(),
    )


async def _tender_open_for_bids(
    session: AsyncSession, clock: Clock, tender_id: uuid.UUID, *, for_update: bool = False
) -> Tender:
    """The tender, open for bids: past its deadline (or its opening already under way) → 409."""
    tender = await session.get(Tender, tender_id, with_for_update=for_update)
    if tender is None or tender.opening_public_key is None:
        raise NotFound(f"tender {tender_id} takes no sealed bids", zh="该项目不接受加密投标文件")
    now = clock.now()
    if tender.status != TenderStatus.published or now >= tender.bid_deadline:
        raise _deadline_problem(tender, now)
    return tender


async def check_can_submit(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, consortium: Sequence[str] = ()
) -> None:
    """Refuse early, before any byte is stored; ends the read so no transaction spans the upload.
    The tenderee and its agency never bid on their own tender, alone or in a consortium (Tendering
    Law art. 50, Regulations art. 34)."""
    tender = await _tender_open_for_bids(session, clock, tender_id)
    own = {tender.tenderee_uscc: "the tenderee", tender.agency_uscc: "the agency"}
    for member in [str(actor.org_uscc), *consortium]:
        if member in own:
            raise ConflictOfInterest(
                f"{member} is {own[member]} of this tender and cannot bid on it",
                zh=f"{member} 是本项目的招标人或代理机构，不得投标",
                org=member,
            )
    if tender.invitees is not None and tender.procurement_method == "invited" and actor.org_uscc not in tender.invitees:
        raise Forbidden(
            "an invited tender takes bids from its invitees only (招标投标法 art. 17)",
            zh="邀请招标只接受受邀单位投标（招标投标法第十七条）",
        )
    if await active_key(session, KeyPurpose.bid_signing, str(actor.org_uscc)) is None:
        raise Conflict(
            "register your organization's signing key first (ggzy keygen)",
            zh="请先登记本单位的签名公钥（ggzy keygen）",
            slug="no-signing-key",
        )
    await session.commit()


async def inspect_staged(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, blobs: LocalBlobStore, staged: StagedBlob
) -> envelope.Inspection:
    """Inspect an uploaded file without decrypting it. A refused file is discarded from staging
    (nothing in the store is touched) and the refusal is audited."""
    try:
        tender = await _tender_open_for_bids(session, clock, tender_id)
    except DeadlinePassed:
        blobs.discard(staged)
        raise
    key = await active_key(session, KeyPurpose.bid_signing, str(actor.org_uscc))
    await session.commit()
    assert key is not None and tender.opening_public_key is not None

    def run() -> envelope.Inspection:
        with staged.path.open("rb") as handle:
            return envelope.inspect(
                handle,
                tender=str(tender_id),
                bidder=str(actor.org_uscc),
                opening_key=OpeningPublicKey.parse(tender.opening_public_key or ""),
                bidder_key=BidderPublicKey.parse(key.public_key),
            )

    try:
        return await asyncio.to_thread(run)
    except envelope.EnvelopeError as exc:
        blobs.discard(staged)
        refused = {"sha256": staged.sha256, "size": staged.size, "code": exc.code}
        await audit.record(session, clock, actor, "bid.refused", "tender", tender_id, refused)
        await session.commit()
        raise BidRefused(str(exc), zh=BID_REFUSED_ZH.get(exc.code, "投标文件未通过校验"), code=exc.code) from exc


async def record(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    blobs: LocalBlobStore,
    staged: StagedBlob,
    inspection: envelope.Inspection,
    receipt_key: ed25519.Ed25519PrivateKey,
    consortium: Sequence[str] = (),
) -> Bid:
    """Commit the bid as the bidder's current one, with its receipt, if the deadline has not passed.
    The file enters the store before the commit, so a receipt never names a missing file."""
    try:
        await _tender_open_for_bids(session, clock, tender_id, for_update=True)  # one bid recorded at a time per tender
    except DeadlinePassed:
        blobs.discard(staged)
        raise
    now = clock.now()
    stored = blobs.keep(staged)
    bidder = str(actor.org_uscc)
    current = await session.scalar(
        select(Bid).where(Bid.tender_id == tender_id, Bid.bidder_uscc == bidder, Bid.status == BidStatus.submitted)
    )
    if current is not None:
        bid_states.move(current, BidStatus.replaced)
        current.ended_at = now
        await session.flush()  # the replaced bid leaves the one-submitted-bid index before the new one enters
    bid_id = uuid.uuid4()
    fields = {
        "bid": str(bid_id),
        "tender": str(tender_id),
        "bidder": bidder,
        "sha256": stored.sha256,
        "payload_sha256": inspection.payload_sha256,
        "size": stored.size,
        "received_at": now.isoformat(),
    }
    event = await audit.record(
        session, clock, actor, "bid.submit", "tender", tender_id, {**fields, "consortium": list(consortium)}
    )
    # The receipt names the audit event and its leaf: the bidder later proves it is in the log.
    fields |= {"audit_event": event.seq, "audit_leaf_hash": audit.leaf_hash_of(event)}
    bid = Bid(
        id=bid_id,
        tender_id=tender_id,
        bidder_uscc=bidder,
        status=BidStatus.submitted,
        sha256=stored.sha256,
        size=stored.size,
        payload_sha256=inspection.payload_sha256,
        signer_fingerprint=inspection.header.signer,
        received_at=now,
        submitted_by=actor.user_id,
        receipt=sign_receipt(receipt_key, fields),
        consortium=list(consortium),
    )
    session.add(bid)
    await session.commit()
    return bid


async def submit(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    blobs: LocalBlobStore,
    body: AsyncIterator[bytes],
    max_bytes: int,
    receipt_key: ed25519.Ed25519PrivateKey,
    consortium: Sequence[str],
    credit_gate: Gate,
) -> tuple[Bid, GateAnswer]:
    """The submission as one use case: refuse early (the deadline, the signing key, the credit
    lists); stream the upload to staging with no transaction open; check the sealed file; record
    it with its signed receipt."""
    await check_can_submit(session, clock, actor, tender_id, consortium)
    credit = await pass_credit_gate(session, clock, actor, tender_id, consortium, credit_gate)
    staged = await blobs.stage(body, max_bytes)
    inspection = await inspect_staged(session, clock, actor, tender_id, blobs, staged)
    return await record(session, clock, actor, tender_id, blobs, staged, inspection, receipt_key, consortium), credit


async def withdraw(session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID) -> Bid:
    await _tender_open_for_bids(session, clock, tender_id, for_update=True)
    now = clock.now()
    bid = await session.scalar(
        select(Bid).where(
            Bid.tender_id == tender_id, Bid.bidder_uscc == actor.org_uscc, Bid.status == BidStatus.submitted
        )
    )
    if bid is None:
        raise NotFound("you have no bid to withdraw for this tender", zh="本单位在该项目没有可撤回的投标")
    bid_states.move(bid, BidStatus.withdrawn)
    bid.ended_at = now
    await audit.record(session, clock, actor, "bid.withdraw", "tender", tender_id, {"bid": str(bid.id)})
    await session.commit()
    return bid


async def bids_visible(session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID) -> list[Bid]:
    """A bidder sees its own bids (every version); supervisors see every bid's metadata, admins only
    from the bid deadline (before it nobody but supervisors learns whether bids exist: Tendering
    Law art. 22). Nobody sees any content: it is sealed."""
    query = select(Bid).where(Bid.tender_id == tender_id).order_by(Bid.received_at)
    tender = await session.get(Tender, tender_id)
    closed = tender is not None and clock.now() >= tender.bid_deadline
    if not (actor.has_role(Role.supervisor) or (actor.has_role(Role.admin) and closed)):
        query = query.where(Bid.bidder_uscc == actor.org_uscc)
    return list((await session.scalars(query)).all())
