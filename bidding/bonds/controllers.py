"""Thin Litestar handlers of bonds: a bidder's own bond, a tender's bonds, the tenderee's
forfeiture, the performance bond; the settlement bank's signed messages and the statement
import, the refund instructions' export; listed in app/routes.py."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy.exc import IntegrityError

from app.core.actor import Actor, Role
from app.core.deps import ActorDep, ClockDep, DbSession, ReceiptKeyDep, SettingsDep
from app.core.guards import requires, signed_in
from app.core.problems import InvalidRequest, Unauthorized
from app.core.settings import Settings
from app.core.validation import FieldError, require_date_range
from bidding.bonds import bank, bank_book, guarantees, refunds, service, stats
from bidding.bonds.guarantor_client import HttpGuarantorClient
from bidding.bonds.models import Bond
from bidding.bonds.schemas import (
    BondIn,
    ForfeitIn,
    GuaranteeApplicationIn,
    GuarantorIn,
    PerformanceBondIn,
    RefundAnswer,
)

BANK_ACTOR = Actor.system("settlement-bank")


def bank_config(settings: Settings) -> refunds.BankConfig:
    return refunds.BankConfig.of(settings)


class BondController(Controller):
    path = "/api/v1/tenders/{tender_id:uuid}"
    tags = ("bonds",)

    @get("/bond", guards=[requires(Role.bidder)])
    async def mine(self, tender_id: FromPath[uuid.UUID], db_session: DbSession, actor: ActorDep) -> dict[str, Any]:
        """Your bond on this tender: its state, sub-account, ledger and refund."""
        return await service.my_bond(db_session, actor, tender_id)

    @post("/bond", guards=[requires(Role.bidder)], status_code=200)
    async def open(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[BondIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Say how you post your bond; a transfer gets its own sub-account to pay into."""
        bond = await service.open_bond(
            db_session, clock, actor, bank_config(settings), tender_id, data.form, data.basic_account
        )
        return await service.bond_view(db_session, bond)

    @post("/bond/guarantee", guards=[requires(Role.bidder)], status_code=200)
    async def buy_guarantee(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[GuaranteeApplicationIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        receipt_key: ReceiptKeyDep,
    ) -> dict[str, Any]:
        """Apply to a registered guarantor through the platform; the guarantee it issues is
        verified and stands for your bond (or, if it issues later, when it arrives)."""
        return await guarantees.apply(
            db_session, clock, actor, tender_id, data.guarantor, receipt_key, HttpGuarantorClient(), settings.tz
        )

    @post("/bond/guarantee-file", guards=[requires(Role.bidder)], status_code=200)
    async def lodge_guarantee(
        self,
        request: Request[Any, Any, Any],
        tender_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Lodge a guarantee file your guarantor gave you (its signed `guarantee` message, JSON):
        verified for your bond; a forged or altered one marks the bond invalid with the reason."""
        message = _json(await request.body())
        bond_id = await guarantees.upload(db_session, clock, actor, tender_id, message, settings.tz)
        return await service.bond_view(db_session, await db_session.get_one(Bond, bond_id))

    @get("/bonds", guards=[requires(Role.agency, Role.supervisor, Role.admin)])
    async def of_tender(
        self, tender_id: FromPath[uuid.UUID], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> dict[str, Any]:
        """The tender's bonds: only their terms before the deadline, except to supervisors."""
        return await service.tender_bonds(db_session, clock, actor, tender_id)

    @post("/bonds/{bond_id:uuid}/forfeiture", guards=[requires(Role.agency)], status_code=200)
    async def forfeit(
        self,
        tender_id: FromPath[uuid.UUID],
        bond_id: FromPath[uuid.UUID],
        data: JSONBody[ForfeitIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """The tenderee's decision to keep a bond (实施条例 arts. 35 ¶2, 74), with its reason."""
        bond = await service.forfeit(db_session, clock, actor, tender_id, bond_id, data.reason, data.note)
        return await service.bond_view(db_session, bond)

    @post("/award/performance-bond", guards=[requires(Role.agency)], status_code=200)
    async def performance(
        self,
        tender_id: FromPath[uuid.UUID],
        data: JSONBody[PerformanceBondIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        """The winner's performance bond, at most 10 % of the contract (实施条例 art. 58)."""
        bond = await service.record_performance_bond(db_session, clock, actor, tender_id, data.amount, data.form)
        return await service.bond_view(db_session, bond)


async def _signed_body(request: Request[Any, Any, Any], settings: Settings) -> Any:
    """The bank's message, its signature checked before anything is read: 401 and nothing recorded otherwise."""
    body = await request.body()
    if not bank.signed_by_bank(settings.bank_secret, body, request.headers.get(bank.SIGNATURE_HEADER)):
        raise Unauthorized(f"the {bank.SIGNATURE_HEADER} header does not sign this body", zh="银行报文签名无效")
    return _json(body)


MAX_MESSAGE_BYTES = 1024**2


def _json(body: bytes) -> Any:
    """A counterpart's JSON message, read by the handler itself (its signature covers it as sent)."""
    if len(body) > MAX_MESSAGE_BYTES:
        raise InvalidRequest([FieldError("body", "too_large", "at most 1 MiB")])
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise InvalidRequest([], detail=f"the JSON is malformed: {exc}") from exc


def _field_errors(errors: list[bank.FieldError]) -> list[FieldError]:
    return [FieldError(e.field, e.code, e.message) for e in errors]


class BankController(Controller):
    """The settlement bank's side: its messages carry an HMAC of the body (X-Bank-Signature)."""

    path = "/api/v1/bank"
    tags = ("bonds",)

    @post("/notices", status_code=200, opt={"public": True, "signed": True})  # signed by the bank, not signed in
    async def notice(
        self, request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, settings: SettingsDep
    ) -> dict[str, Any]:
        """A credit into a sub-account (`type` credit) or a refund instruction's result
        (`type` refund_result); the same notice twice changes nothing."""
        body = await _signed_body(request, settings)
        if isinstance(body, dict) and body.get("type") == "refund_result":
            try:
                answer = msgspec.convert(body, RefundAnswer)
            except msgspec.ValidationError as exc:
                raise InvalidRequest([], detail=f"a refund result: {exc}") from exc
            return await refunds.refund_result(
                db_session,
                clock,
                BANK_ACTOR,
                bank_config(settings),
                settings.tz,
                answer.key,
                answer.result == "paid",
                answer.bank_ref,
                answer.reason,
            )
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k != "type"}
        line, errors = bank.parse_credit_notice(body)
        if errors or line is None:
            raise InvalidRequest(_field_errors(errors))
        try:
            booked = await bank_book.record_line(db_session, clock, BANK_ACTOR, line, "callback", settings.tz)
            await db_session.commit()
        except IntegrityError:  # the same notice at the same moment through another worker: it is recorded
            await db_session.rollback()
            booked = await bank_book.record_line(db_session, clock, BANK_ACTOR, line, "callback", settings.tz)
        return {"bank_ref": booked.bank_ref, "new": booked.new, "matched": booked.bond_id is not None}

    @post("/instructions/pending", status_code=200, opt={"public": True, "signed": True})
    async def pending(
        self, request: Request[Any, Any, Any], db_session: DbSession, settings: SettingsDep
    ) -> dict[str, Any]:
        """The refund instructions waiting for the bank, each with its idempotency key and amount in fen."""
        await _signed_body(request, settings)
        return {"instructions": await refunds.instructions(db_session, pending_only=True)}

    @post("/statements", guards=[requires(Role.admin)], status_code=200)
    async def statement(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Import the bank's statement file (CSV, see bidding/bonds/bank.py): all of it or, with
        any bad line, nothing; importing it again changes nothing."""
        lines, errors = bank.parse_statement(await request.body())
        if errors:
            raise InvalidRequest(_field_errors(errors))
        return await bank_book.import_statement(db_session, clock, actor, lines, settings.tz)

    @get("/instructions", guards=[requires(Role.admin, Role.supervisor)], media_type="*/*")
    async def export(self, db_session: DbSession, format: FromQuery[str] = "json") -> Response[Any]:
        """Every refund instruction (`?format=csv`: the file handed to the bank), rejected ones included."""
        rows = await refunds.instructions(db_session, pending_only=False)
        if format == "csv":
            return Response(refunds.instructions_csv(rows), media_type="text/csv; charset=utf-8")
        return Response({"instructions": rows}, media_type="application/json")


GUARANTOR_ACTOR = Actor.system("guarantor")


class GuarantorController(Controller):
    """The guarantors: registered by the centre; their messages signed with their own key."""

    path = "/api/v1/guarantors"
    tags = ("bonds",)

    @get("/", guards=[signed_in])
    async def listed(self, db_session: DbSession) -> list[dict[str, Any]]:
        """The registered guarantors a bidder may buy a guarantee from."""
        return await guarantees.guarantors(db_session)

    @post("/", guards=[requires(Role.admin)], status_code=201)
    async def register(
        self, data: JSONBody[GuarantorIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> dict[str, Any]:
        guarantor = await guarantees.register_guarantor(
            db_session,
            clock,
            actor,
            uscc=data.uscc,
            name=data.name,
            kind=data.kind,
            public_key=data.public_key,
            endpoint=data.endpoint,
        )
        return guarantees.guarantor_view(guarantor)

    @post("/messages", status_code=200, opt={"public": True, "signed": True})  # signed by the guarantor, not signed in
    async def message(
        self, request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, settings: SettingsDep
    ) -> dict[str, Any]:
        """A guarantor's signed message: a guarantee issued (`guarantee`) or withdrawn (`cancel`).
        A signature that does not verify with the registered key: 401, nothing recorded."""
        message = _json(await request.body())
        if isinstance(message, dict) and message.get("kind") == "cancel":
            return await guarantees.cancel(db_session, clock, GUARANTOR_ACTOR, message)
        return await guarantees.receive(db_session, clock, GUARANTOR_ACTOR, message, settings.tz)


@get("/api/v1/bonds/stats", guards=[requires(Role.supervisor, Role.admin)], tags=["bonds"])
async def bond_stats(
    db_session: DbSession,
    clock: ClockDep,
    settings: SettingsDep,
    start: Annotated[date, QueryParameter(description="first day (YYYY-MM-DD, local)")],
    end: Annotated[date, QueryParameter(description="last day, inclusive")],
) -> dict[str, Any]:
    """Bonds received and refunded in the period, refunds on time, money released, guarantees used
    in place of cash (count and share), and the bonds overdue now."""
    require_date_range(start, end)
    return await stats.figures(db_session, settings.tz, start, end, clock.now())
