"""Electronic guarantees' use cases: the centre registers a guarantor; a bidder applies through
the platform (the application signed and sent to the guarantor, the guarantee it issues
verified and recorded) or the guarantor sends the guarantee itself; each guarantee is checked
on receipt, when the bid is submitted and at the opening (then online with the guarantor);
a guarantee is released when the bond falls due and claimed only by the tenderee's recorded
decision, each through a signed message the chronograph delivers with retries.

A guarantee that does not stand (forged signatures are refused outright; another lot, below
the amount, expiring before the bids) is still recorded: the bid is received all the same
(实施条例 art. 36) and the bond is shown invalid, with the reasons, to the bidder and the committee."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.notifications import tell_supervisors
from app.core.problems import Conflict, InvalidRequest, NotFound, Unauthorized
from app.core.validation import FieldError
from bidding.bids.models import Bid
from bidding.bids.states import BidStatus
from bidding.bonds import guarantee as g
from bidding.bonds import posting, rules, states
from bidding.bonds.guarantor_client import GuarantorClient, GuarantorUnreachable
from bidding.bonds.models import Bond, Guarantee, Guarantor, GuarantorMessage
from bidding.bonds.states import BondStatus, DeliveryStatus, GuaranteeStatus
from bidding.tender.models import Tender
from bidding.tender.queries import tender_or_404

PLATFORM = "ggzy"
IN_FORCE, CANCELLED, RELEASED, CLAIMED = (
    GuaranteeStatus.in_force,
    GuaranteeStatus.cancelled,
    GuaranteeStatus.released,
    GuaranteeStatus.claimed,
)
MAX_DELIVERY_ATTEMPTS = 8


# --- guarantors --------------------------------------------------------------------------


async def register_guarantor(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    *,
    uscc: str,
    name: str,
    kind: g.GuarantorKind,
    public_key: str,
    endpoint: str | None,
) -> Guarantor:
    errors = []
    try:
        g.parse_public_key(public_key)
    except g.MessageError as exc:
        errors.append(FieldError("public_key", "invalid", str(exc)))
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        errors.append(FieldError("endpoint", "invalid", "an http(s) address"))
    if await session.scalar(select(Guarantor.id).where(Guarantor.uscc == uscc)) is not None:
        errors.append(FieldError("uscc", "duplicate", "this guarantor is registered already"))
    if errors:
        raise InvalidRequest(errors)
    guarantor = Guarantor(
        uscc=uscc,
        name=name,
        kind=kind,
        public_key=public_key.strip(),
        endpoint=endpoint.rstrip("/") if endpoint else None,
        registered_at=clock.now(),
        registered_by=actor.username,
    )
    session.add(guarantor)
    await session.flush()
    await audit.record(session, clock, actor, "bond.guarantor_registered", "guarantor", guarantor.id, {"uscc": uscc})
    await session.commit()
    return guarantor


def guarantor_view(x: Guarantor) -> dict[str, Any]:
    return {
        "id": str(x.id),
        "uscc": x.uscc,
        "name": x.name,
        "kind": x.kind,
        "form": g.FORM_OF[g.GuarantorKind(x.kind)],
        "public_key": x.public_key,
        "online": x.endpoint is not None,
    }


async def guarantors(session: AsyncSession) -> list[dict[str, Any]]:
    return [guarantor_view(x) for x in await session.scalars(select(Guarantor).order_by(Guarantor.name))]


# --- what a guarantee must say ------------------------------------------------------------


def bids_valid_until(tender: Tender, tz: ZoneInfo) -> date:
    """The bids' validity ends this day: the validity period from the deadline's day (实施条例 art. 25)."""
    return tender.bid_deadline.astimezone(tz).date() + timedelta(days=tender.bid_validity_days or 0)


def requirement(tender: Tender, applicant: str, guarantor: Guarantor, today: date, tz: ZoneInfo) -> g.Requirement:
    return g.Requirement(
        tender=str(tender.id),
        lot=tender.project_code,
        beneficiary=tender.tenderee_uscc,
        applicant=applicant,
        amount=tender.bond_amount or rules.ZERO,
        valid_until=bids_valid_until(tender, tz),
        forms=frozenset(tender.bond_forms or ()) & {str(f) for f in rules.GUARANTEE_FORMS},
        guarantor=guarantor.uscc,
        today=today,
    )


async def _signed_by(session: AsyncSession, message: Any) -> tuple[Guarantor, dict[str, Any]] | str:
    """The registered guarantor that signed `message` and its body, or why not: `unknown_guarantor`
    (no registered sender) or `bad_signature` (forged, or altered after signing)."""
    sender = message.get("sender") if isinstance(message, dict) else None
    guarantor = await session.scalar(select(Guarantor).where(Guarantor.uscc == str(sender)))
    if guarantor is None:
        return "unknown_guarantor"
    try:
        return guarantor, g.verify(message, g.parse_public_key(guarantor.public_key))
    except g.MessageError:
        return "bad_signature"


async def _sender(session: AsyncSession, message: Any) -> tuple[Guarantor, dict[str, Any]]:
    """The registered guarantor that signed `message`, and its body: 401 for anything else."""
    signed = await _signed_by(session, message)
    if signed == "unknown_guarantor":
        raise Unauthorized("the sender is not a registered guarantor", zh="发送方不是已登记的担保机构")
    if isinstance(signed, str):
        raise Unauthorized(
            "the guarantor's signature does not verify: the message was altered or forged", zh="担保机构签名无效"
        )
    return signed


def _issued(message: Any, body: dict[str, Any]) -> g.Guarantee:
    if message.get("kind") != g.MessageKind.guarantee:
        raise InvalidRequest([FieldError("kind", "invalid", "a guarantee message")])
    try:
        return g.parse_guarantee(body)
    except g.MessageError as exc:
        raise InvalidRequest([FieldError("body", "invalid", str(exc))]) from exc


async def _open_for_bonds(session: AsyncSession, clock: Clock, tender_id: uuid.UUID) -> Tender:
    tender = await tender_or_404(session, tender_id)
    posting.open_for_bonds(tender, clock.now())
    return tender


async def _bond_for(session: AsyncSession, clock: Clock, tender: Tender, uscc: str, form: str, by: str) -> Bond:
    """The bidder's bond on the tender, opened now if it has none; a guarantee is taken only while
    nothing stands for it."""
    bond = await posting.bid_bond_of(session, tender.id, uscc, lock=True)
    if bond is None:
        bond = posting.new_bid_bond(tender, uscc, form, clock.now(), by)
        session.add(bond)
        await session.flush()
    elif bond.status != BondStatus.awaiting:
        raise Conflict("this bond is posted already", zh="该投标人的保证金已提交")
    else:
        bond.form = form  # a bidder that chose cash may take a guarantee while nothing was received
    return bond


async def receive(session: AsyncSession, clock: Clock, actor: Actor, message: Any, tz: ZoneInfo) -> dict[str, Any]:
    """A guarantee the guarantor issued (its `guarantee` message): verified, recorded once, and
    standing for the applicant's bond if it says what the tender asks."""
    guarantor, body = await _sender(session, message)
    issued = _issued(message, body)
    known = await session.scalar(
        select(Guarantee).where(Guarantee.guarantor_id == guarantor.id, Guarantee.number == issued.number)
    )
    if known is not None:
        return await guarantee_view(session, known)  # sent again: the same guarantee
    try:
        tender_id = uuid.UUID(issued.tender)
    except ValueError:
        raise InvalidRequest([FieldError("body.tender", "invalid", "a tender's id")]) from None
    tender = await _open_for_bonds(session, clock, tender_id)
    return await _record(session, clock, actor, guarantor, message, issued, tender, issued.applicant, tz)


async def upload(
    session: AsyncSession, clock: Clock, actor: Actor, tender_id: uuid.UUID, message: Any, tz: ZoneInfo
) -> uuid.UUID:
    """A bidder lodges a guarantee file its guarantor gave it (the signed `guarantee` message) for
    its own bond. A forged or altered one, or one from a guarantor the centre does not know, is
    not a guarantee: the bond is marked with the reason (the bid is still received, 实施条例 art. 36)."""
    tender = await _open_for_bonds(session, clock, tender_id)
    uscc = actor.org_uscc or ""
    posting.may_post(tender, uscc, clock.now())
    signed = await _signed_by(session, message)
    if isinstance(signed, str):
        form = (
            message.get("body", {}).get("form")
            if isinstance(message, dict) and isinstance(message.get("body"), dict)
            else None
        )
        form = form if form in rules.GUARANTEE_FORMS else "bank_guarantee"
        bond = await _bond_for(session, clock, tender, uscc, form, actor.username)
        bond.flags = [signed]
        digest = hashlib.sha256(
            g.canonical(message if isinstance(message, dict) else {"raw": str(message)})
        ).hexdigest()
        await audit.record(
            session, clock, actor, "bond.guarantee_refused", "bond", bond.id, {"reason": signed, "sha256": digest}
        )
        await session.commit()
        return bond.id
    guarantor, body = signed
    issued = _issued(message, body)
    known = await session.scalar(
        select(Guarantee).where(Guarantee.guarantor_id == guarantor.id, Guarantee.number == issued.number)
    )
    if known is not None:
        bond = await session.get_one(Bond, known.bond_id)
        if bond.bidder_uscc != uscc or bond.tender_id != tender.id:
            raise Conflict("this guarantee stands for another bond", zh="该保函已用于其他投标")
        return bond.id
    view = await _record(session, clock, actor, guarantor, message, issued, tender, uscc, tz)
    return uuid.UUID(view["bond"])


async def _record(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    guarantor: Guarantor,
    message: Any,
    issued: g.Guarantee,
    tender: Tender,
    applicant: str,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """Record the guarantee for `applicant`'s bond, with every reason it does not stand."""
    now = clock.now()
    bond = await _bond_for(session, clock, tender, applicant, issued.form, f"guarantor:{guarantor.uscc}")
    found = g.problems(issued, requirement(tender, applicant, guarantor, now.astimezone(tz).date(), tz))
    row = Guarantee(
        guarantor_id=guarantor.id,
        number=issued.number,
        bond_id=bond.id,
        amount=issued.amount,
        valid_until=issued.valid_until,
        message=message,
        status=IN_FORCE,
        problems=found,
        received_at=now,
        checked_at=now,
    )
    session.add(row)
    await session.flush()  # the new guarantee has its id before the earlier ones are looked up
    await _supersede(session, clock, actor, bond, row)
    bond.flags = list(found)
    if not found:
        states.move(bond, BondStatus.held)
    await audit.record(
        session,
        clock,
        actor,
        "bond.guarantee_received",
        "bond",
        bond.id,
        {"guarantor": guarantor.uscc, "number": issued.number, "problems": found},
    )
    try:
        await session.commit()
    except IntegrityError:  # the same guarantee arriving twice at once: the other one recorded it
        await session.rollback()
        again = await session.scalar(
            select(Guarantee).where(Guarantee.guarantor_id == guarantor.id, Guarantee.number == issued.number)
        )
        if again is None:
            raise
        return await guarantee_view(session, again)
    return await guarantee_view(session, row)


async def _supersede(session: AsyncSession, clock: Clock, actor: Actor, bond: Bond, newest: Guarantee) -> None:
    """An earlier guarantee of the bond that did not stand is released when a new one arrives."""
    earlier = await session.scalars(
        select(Guarantee).where(Guarantee.bond_id == bond.id, Guarantee.status == IN_FORCE, Guarantee.id != newest.id)
    )
    for old in earlier:
        states.move_guarantee(old, RELEASED)
        await _queue(session, clock, old, g.MessageKind.release, {"number": old.number, "reason": "superseded"})


async def cancel(session: AsyncSession, clock: Clock, actor: Actor, message: Any) -> dict[str, Any]:
    """The guarantor withdraws a guarantee before the deadline (撤销): the bond no longer stands.
    After the deadline a guarantee relied on cannot be withdrawn (409)."""
    guarantor, body = await _sender(session, message)
    row = await session.scalar(
        select(Guarantee)
        .where(Guarantee.guarantor_id == guarantor.id, Guarantee.number == str(body.get("number")))
        .with_for_update()
    )
    if row is None:
        raise NotFound(f"no guarantee {body.get('number')} of this guarantor", zh="未找到该保函")
    if row.status == CANCELLED:
        return await guarantee_view(session, row)
    bond = await session.get_one(Bond, row.bond_id, with_for_update=True)
    tender = await session.get_one(Tender, bond.tender_id)
    if clock.now() >= tender.bid_deadline or row.status != IN_FORCE:
        raise Conflict("a guarantee relied on after the bid deadline cannot be withdrawn", zh="投标截止后保函不得撤销")
    states.move_guarantee(row, CANCELLED)
    bond.flags = sorted({*bond.flags, "cancelled"})
    await audit.record(session, clock, actor, "bond.guarantee_cancelled", "bond", bond.id, {"number": row.number})
    await session.commit()
    return await guarantee_view(session, row)


# --- a bidder applies ----------------------------------------------------------------------


async def apply(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    tender_id: uuid.UUID,
    guarantor_id: uuid.UUID,
    platform_key: ed25519.Ed25519PrivateKey,
    client: GuarantorClient,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """The bidder asks a registered guarantor for a guarantee through the platform: the platform
    signs the application (what the tender asks, the bidder as applicant) and sends it; a
    guarantee that comes back is received as any other."""
    tender = await tender_or_404(session, tender_id)
    uscc = actor.org_uscc or ""
    posting.may_post(tender, uscc, clock.now())
    guarantor = await session.get(Guarantor, guarantor_id)
    if guarantor is None:
        raise NotFound(f"guarantor {guarantor_id} not found", zh="未找到该担保机构")
    form = g.FORM_OF[g.GuarantorKind(guarantor.kind)]
    if form not in (tender.bond_forms or []):
        raise InvalidRequest([FieldError("guarantor", "not_accepted", f"this tender does not accept {form}")])
    if guarantor.endpoint is None:
        raise Conflict(
            "this guarantor takes applications on its own site, not through the platform", zh="该担保机构不支持在线申请"
        )
    posted = await posting.bid_bond_of(session, tender.id, uscc)
    if posted is not None and posted.status != BondStatus.awaiting:  # never buy a second guarantee for nothing
        raise Conflict("your bond is posted already", zh="您的保证金已提交")
    need = requirement(tender, uscc, guarantor, clock.now().astimezone(tz).date(), tz)
    body = {
        "application": uuid.uuid4().hex,
        "form": form,
        "tender": need.tender,
        "lot": need.lot,
        "project": tender.project_name,
        "beneficiary": need.beneficiary,
        "applicant": uscc,
        "amount": str(need.amount),
        "valid_from": need.today.isoformat(),
        "valid_until": need.valid_until.isoformat(),
    }
    message = g.sign(platform_key, g.MessageKind.application, PLATFORM, clock.now(), body)
    await audit.record(
        session, clock, actor, "bond.guarantee_applied", "tender", tender.id, {"guarantor": guarantor.uscc}
    )
    await session.commit()
    try:
        answer = await client.send(guarantor.endpoint, message)
    except GuarantorUnreachable as exc:
        raise Conflict(f"the guarantor did not answer: {exc}; try again", zh="担保机构暂未响应，请稍后重试") from exc
    if answer.get("kind") != g.MessageKind.guarantee:
        return {"status": "applied", "guarantee": None}  # the guarantor issues later, by its own message
    return {"status": "issued", "guarantee": await receive(session, clock, actor, answer, tz)}


# --- checks at the submission and at the opening --------------------------------------------


async def _recheck(session: AsyncSession, row: Guarantee, bond: Bond, now: datetime, tz: ZoneInfo) -> list[str]:
    guarantor = await session.get_one(Guarantor, row.guarantor_id)
    tender = await session.get_one(Tender, bond.tender_id)
    issued = g.parse_guarantee(g.verify(row.message, g.parse_public_key(guarantor.public_key)))
    found = g.problems(issued, requirement(tender, bond.bidder_uscc, guarantor, now.astimezone(tz).date(), tz))
    return found + (["cancelled"] if row.status == CANCELLED else [])


async def check_at_submission(
    session: AsyncSession, clock: Clock, tender_id: uuid.UUID, uscc: str, tz: ZoneInfo
) -> None:
    """When a bid is submitted, its bidder's guarantee is checked again (signature, amount,
    validity, beneficiary, lot, still in force); what fails is shown on the bond."""
    bond = await posting.bid_bond_of(session, tender_id, uscc, lock=True)
    if bond is None or bond.form in rules.CASH_FORMS:
        return
    row = await session.scalar(
        select(Guarantee).where(Guarantee.bond_id == bond.id).order_by(Guarantee.received_at.desc()).limit(1)
    )
    if row is None:
        return
    now = clock.now()
    found = await _recheck(session, row, bond, now, tz)
    row.problems, row.checked_at, bond.flags = found, now, found
    await audit.record(
        session,
        clock,
        Actor.system("bond-check"),
        "bond.guarantee_checked",
        "bond",
        bond.id,
        {"at": "submission", "problems": found},
    )
    await session.commit()


async def _online(
    row: Guarantee,
    guarantor: Guarantor,
    client: GuarantorClient,
    platform_key: ed25519.Ed25519PrivateKey,
    now: datetime,
) -> list[str] | None:
    """What the guarantor says of the guarantee now ([] in force; None: it did not answer)."""
    if guarantor.endpoint is None:
        return []
    message = g.sign(platform_key, g.MessageKind.verification, PLATFORM, now, {"number": row.number})
    try:
        answer = await client.send(guarantor.endpoint, message)
        body = g.verify(answer, g.parse_public_key(guarantor.public_key))
    except (GuarantorUnreachable, g.MessageError):
        return None
    return [] if body.get("number") == row.number and body.get("status") == "in_force" else ["not_in_force_online"]


async def submission_checks_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Guarantees whose bidder submitted a bid since their last online check (before the opening's)."""
    query = (
        select(Guarantee.id)
        .join(Bond, Bond.id == Guarantee.bond_id)
        .join(Bid, (Bid.tender_id == Bond.tender_id) & (Bid.bidder_uscc == Bond.bidder_uscc))
        .where(
            Guarantee.status == IN_FORCE,
            Guarantee.checked_at_opening.is_(None),
            Bid.status == BidStatus.submitted,
            or_(Guarantee.checked_online_at.is_(None), Bid.received_at > Guarantee.checked_online_at),
        )
        .distinct()
    )
    return list(await session.scalars(query))


async def opening_checks_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    query = (
        select(Guarantee.id)
        .join(Bond, Bond.id == Guarantee.bond_id)
        .join(Tender, Tender.id == Bond.tender_id)
        .where(Guarantee.checked_at_opening.is_(None), Guarantee.status == IN_FORCE, Tender.opening_time <= now)
    )
    return list(await session.scalars(query))


async def check_online(
    session: AsyncSession,
    guarantee_id: uuid.UUID,
    clock: Clock,
    actor: Actor,
    client: GuarantorClient,
    platform_key: ed25519.Ed25519PrivateKey,
    tz: ZoneInfo,
    *,
    at_opening: bool,
) -> bool:
    """Check a guarantee again, and online with its guarantor: within seconds of each bid (after
    the receipt, so that no bidder waits on a guarantor at the deadline) and once at the opening,
    then as of the deadline (a guarantee must have stood when the bids closed). A guarantee the
    guarantor does not hold in force does not stand; a guarantor that does not answer is asked
    again at the next run."""
    row = await session.scalar(select(Guarantee).where(Guarantee.id == guarantee_id).with_for_update())
    if row is None or row.status != IN_FORCE or row.checked_at_opening is not None:
        return False
    bond = await session.get_one(Bond, row.bond_id, with_for_update=True)
    guarantor = await session.get_one(Guarantor, row.guarantor_id)
    tender = await session.get_one(Tender, bond.tender_id)
    now = clock.now()
    # at the opening, as of the deadline: a guarantee must have stood when the bids closed
    found = await _recheck(session, row, bond, min(now, tender.bid_deadline) if at_opening else now, tz)
    online = await _online(row, guarantor, client, platform_key, now)
    if online is None:
        return False  # the guarantor did not answer: asked again at the next run
    found += online
    row.problems, row.checked_at, row.checked_online_at = found, now, now
    if at_opening:
        row.checked_at_opening = now
    bond.flags = sorted(set(found))
    where = "opening" if at_opening else "submission"
    await audit.record(
        session, clock, actor, "bond.guarantee_checked", "bond", bond.id, {"at": where, "problems": found}
    )
    await session.commit()
    return True


# --- release and claim, delivered through the outbox -----------------------------------------


async def _queue(
    session: AsyncSession, clock: Clock, row: Guarantee, kind: g.MessageKind, body: dict[str, Any]
) -> None:
    key = f"{kind}-{row.id.hex}"
    if await session.get(GuarantorMessage, key) is not None:
        return
    session.add(
        GuarantorMessage(
            key=key,
            guarantor_id=row.guarantor_id,
            kind=str(kind),
            message={"key": key, **body},
            status=DeliveryStatus.pending,
            attempts=0,
            next_attempt_at=clock.now(),
            created_at=clock.now(),
        )
    )


async def release(session: AsyncSession, clock: Clock, bond: Bond) -> None:
    """The bond fell due: its guarantees end (退保), the guarantor told."""
    for row in await session.scalars(
        select(Guarantee).where(Guarantee.bond_id == bond.id, Guarantee.status == IN_FORCE)
    ):
        states.move_guarantee(row, RELEASED)
        await _queue(
            session, clock, row, g.MessageKind.release, {"number": row.number, "reason": bond.refund_rule or ""}
        )


async def claim(session: AsyncSession, clock: Clock, bond: Bond, decision: dict[str, Any]) -> None:
    """The tenderee's recorded decision is claimed from the guarantor (索赔), the amount asked."""
    for row in await session.scalars(
        select(Guarantee).where(Guarantee.bond_id == bond.id, Guarantee.status == IN_FORCE)
    ):
        states.move_guarantee(row, CLAIMED)
        body = {
            "number": row.number,
            "amount": str(bond.required),
            "reason": decision["reason"],
            "article": decision["article"],
            "note": decision["note"],
        }
        await _queue(session, clock, row, g.MessageKind.claim, body)


async def deliveries_due(session: AsyncSession, now: datetime) -> list[str]:
    query = select(GuarantorMessage.key).where(
        GuarantorMessage.status == DeliveryStatus.pending, GuarantorMessage.next_attempt_at <= now
    )
    return list(await session.scalars(query))


async def deliver(
    session: AsyncSession,
    key: str,
    clock: Clock,
    actor: Actor,
    client: GuarantorClient,
    platform_key: ed25519.Ed25519PrivateKey,
) -> bool:
    """Send one message to its guarantor, signed; its key makes a repeat harmless on their side.
    Retried with a doubling wait; after MAX_DELIVERY_ATTEMPTS the supervisors are told."""
    row = await session.scalar(select(GuarantorMessage).where(GuarantorMessage.key == key).with_for_update())
    if row is None or row.status != DeliveryStatus.pending:
        return False
    guarantor = await session.get_one(Guarantor, row.guarantor_id)
    now = clock.now()
    row.attempts += 1
    try:
        if guarantor.endpoint is None:
            raise GuarantorUnreachable("the guarantor has no API address")
        signed = g.sign(platform_key, g.MessageKind(row.kind), PLATFORM, now, row.message)
        answer = await client.send(guarantor.endpoint, signed)
        row.answer = g.verify(answer, g.parse_public_key(guarantor.public_key))
    except (GuarantorUnreachable, g.MessageError) as exc:
        row.last_error = str(exc)[:500]
        if row.attempts >= MAX_DELIVERY_ATTEMPTS:
            states.move_delivery(row, DeliveryStatus.failed)
            message = f"向担保机构 {guarantor.name} 发送{row.kind}报文失败 {row.attempts} 次：{row.last_error}"
            key = f"guarantor_unreachable:{row.key}"
            await tell_supervisors(session, clock, "guarantor_unreachable", "guarantor", guarantor.id, message, key)
        else:
            row.next_attempt_at = now + timedelta(seconds=30 * 2 ** (row.attempts - 1))
        await session.commit()
        return False
    states.move_delivery(row, DeliveryStatus.delivered)
    row.delivered_at = now
    await audit.record(session, clock, actor, "bond.guarantor_told", "guarantor", guarantor.id, {"key": key})
    await session.commit()
    return True


# --- views ----------------------------------------------------------------------------------


async def guarantee_view(session: AsyncSession, row: Guarantee) -> dict[str, Any]:
    guarantor = await session.get_one(Guarantor, row.guarantor_id)
    return {
        "number": row.number,
        "guarantor": {"uscc": guarantor.uscc, "name": guarantor.name, "kind": guarantor.kind},
        "bond": str(row.bond_id),
        "amount": str(row.amount),
        "valid_until": row.valid_until.isoformat(),
        "status": row.status,
        "problems": list(row.problems),
        "stands": row.status == IN_FORCE and not row.problems,
        "checked_at": row.checked_at.isoformat(),
        "checked_online_at": row.checked_online_at.isoformat() if row.checked_online_at else None,
        "checked_at_opening": row.checked_at_opening.isoformat() if row.checked_at_opening else None,
    }


async def of_bond(session: AsyncSession, bond_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await session.scalars(select(Guarantee).where(Guarantee.bond_id == bond_id).order_by(Guarantee.received_at))
    return [await guarantee_view(session, r) for r in rows]
