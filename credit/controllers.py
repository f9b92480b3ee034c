"""Thin Litestar handlers of joint credit penalties (联合惩戒): the lists and their imports, the
memoranda, supervisors' checks and reviews, breaches of the credit commitment, credit scores,
statistics, and the candidate checks of a tender: parse, call one service function, shape the
answer; listed in app/routes.py. Admins keep the lists and rules; supervisors use them."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from app.core.actor import Role
from app.core.blobs import UPLOAD_CEILING_BYTES
from app.core.deps import ActorDep, BlobsDep, ClockDep, DbSession, Filename, Limit, Offset, SettingsDep
from app.core.guards import requires
from app.core.problems import InvalidRequest
from app.core.resident_id import person_hash
from app.core.validation import FieldError
from credit import breaches, candidates, checks, entries, lists, memoranda, reviews, scores, stats, submissions
from credit.schemas import (
    AuthorityDecisionIn,
    BreachIn,
    CheckIn,
    EndEarlyIn,
    ListSettingsIn,
    RepairDecisionIn,
    RepairIn,
    ReviewDecisionIn,
    RuleIn,
    StatementIn,
    WeightsIn,
)
from credit.score_rules import Weight

MAX_LIST_FILE_BYTES = 64 * 1024**2  # larger lists go through `ggzy credit import`, which streams
ADMINS = requires(Role.admin)
OVERSIGHT = requires(Role.supervisor, Role.admin)


class CreditController(Controller):
    path = "/api/v1/credit"
    tags = ("credit",)

    @get("/lists", guards=[OVERSIGHT])
    async def lists_view(self, db_session: DbSession, clock: ClockDep) -> list[dict[str, Any]]:
        """Every list with its freshness: last import, version, entries, age, stale or not."""
        return await lists.freshness(db_session, clock.now())

    @put("/lists/{list_type:str}", guards=[ADMINS])
    async def list_settings(
        self,
        list_type: FromPath[str],
        data: JSONBody[ListSettingsIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
    ) -> list[dict[str, Any]]:
        """How old a list may get before every check says it is stale."""
        return await lists.set_max_age(db_session, clock, actor, list_type, data.max_age_days)

    @post("/lists/{list_type:str}/import", guards=[ADMINS], status_code=200, request_max_body_size=MAX_LIST_FILE_BYTES)
    async def import_list(
        self,
        request: Request[Any, Any, Any],
        list_type: FromPath[str],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        file_format: Annotated[Literal["csv", "json"], QueryParameter(name="format")] = "csv",
        source: Annotated[str, QueryParameter(min_length=1, max_length=300)] = "upload",
    ) -> dict[str, Any]:
        """Import a list's whole current content (the body: CSV or JSON, UTF-8) as its next
        version: every bad row is reported (line, field, reason) and then nothing is imported;
        the same file again is an empty diff. Columns: see credit/entries.py."""
        body = await request.body()
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidRequest([FieldError("body", "encoding", "the file is not UTF-8")]) from exc
        rows = entries.json_rows(text) if file_format == "json" else entries.csv_rows(io.StringIO(text, newline=""))
        key = settings.person_id_key
        return await lists.import_list(
            db_session,
            clock,
            actor,
            list_type,
            rows,
            lambda number: person_hash(key, number),
            source=source,
            file_sha256=lists.sha256_of(body),
            today=clock.now().astimezone(settings.tz).date(),
        )

    @get("/lists/{list_type:str}/versions", guards=[OVERSIGHT])
    async def versions(self, list_type: FromPath[str], db_session: DbSession) -> list[dict[str, Any]]:
        return await lists.versions(db_session, list_type)

    @get("/lists/{list_type:str}/versions/{version:int}", guards=[OVERSIGHT])
    async def version_diff(
        self, list_type: FromPath[str], version: FromPath[int], db_session: DbSession
    ) -> dict[str, Any]:
        """What a version added, removed and changed, entry by entry."""
        return await lists.version_diff(db_session, list_type, version)

    @get("/memoranda", guards=[OVERSIGHT])
    async def memoranda_view(self, db_session: DbSession, history: FromQuery[bool] = False) -> list[dict[str, Any]]:
        """The rules in force (`?history=true`: every version)."""
        return await memoranda.rules_view(db_session, history=history)

    @put("/memoranda/{list_type:str}", guards=[ADMINS])
    async def edit_rule(
        self, list_type: FromPath[str], data: JSONBody[RuleIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> dict[str, Any]:
        """A new version of a list's rule (audited; checks record the version they applied)."""
        return await memoranda.edit_rule(
            db_session, clock, actor, list_type, list(data.measures), data.duration_days, data.legal_basis
        )

    @post("/checks", guards=[OVERSIGHT], status_code=200)
    async def check(
        self, data: JSONBody[CheckIn], db_session: DbSession, clock: ClockDep, actor: ActorDep, settings: SettingsDep
    ) -> dict[str, Any]:
        """Check subjects on a day: per subject the outcome (barred, warning, review, clear) and
        every hit with its list, entry, rule and legal basis; kept as evidence."""
        key = settings.person_id_key
        pairs = checks.subjects_from(data.subjects, lambda number: person_hash(key, number))
        return await checks.supervisors_check(db_session, clock, actor, pairs, data.at)

    @get("/reviews", guards=[OVERSIGHT])
    async def reviews_view(
        self,
        db_session: DbSession,
        status: FromQuery[Literal["open", "confirmed", "dismissed"] | None] = "open",
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> list[dict[str, Any]]:
        """Name-only hits waiting for (or given) a supervisor's decision."""
        return await reviews.reviews(db_session, status, limit, offset)

    @post("/reviews/{review_id:uuid}/decision", guards=[requires(Role.supervisor)], status_code=200)
    async def decide_review(
        self,
        review_id: FromPath[uuid.UUID],
        data: JSONBody[ReviewDecisionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Confirm a name-only hit (the subject is the listed one) or dismiss it, with a reason."""
        return await reviews.decide(db_session, clock, actor, settings.tz, review_id, data.decision, data.reason)

    @post("/breaches", guards=[requires(Role.supervisor)], status_code=201)
    async def breach(
        self, data: JSONBody[BreachIn], db_session: DbSession, clock: ClockDep, actor: ActorDep, settings: SettingsDep
    ) -> dict[str, Any]:
        """Record a breach of the credit commitment: an entry on the platform's own list."""
        return await breaches.record_breach(
            db_session,
            clock,
            actor,
            settings.tz,
            uscc=data.uscc.upper(),
            kind=data.kind,
            reference=data.reference,
            note=data.note,
            days=data.days,
        )

    @post("/breaches/{entry_id:int}/end", guards=[requires(Role.supervisor)], status_code=200)
    async def end_breach(
        self,
        entry_id: FromPath[int],
        data: JSONBody[EndEarlyIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """End a platform-list entry early (信用修复), with a reason."""
        return await breaches.end_early(db_session, clock, actor, settings.tz, entry_id, data.reason)

    @get("/breaches", guards=[requires(Role.supervisor, Role.admin, Role.bidder, Role.intermediary)])
    async def breaches_view(
        self, db_session: DbSession, actor: ActorDep, limit: Limit = 100, offset: Offset = 0
    ) -> list[dict[str, Any]]:
        """The platform list's current entries with decisions, statements and repair applications:
        officers see all, an organization only its own."""
        return await breaches.listing(db_session, actor, limit, offset)

    @post("/documents", guards=[requires(Role.supervisor)], status_code=201, request_max_body_size=UPLOAD_CEILING_BYTES)
    async def upload_document(
        self,
        request: Request[Any, Any, Any],
        filename: Filename,
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        blobs: BlobsDep,
    ) -> dict[str, Any]:
        """An authority's decision document (the raw body, streamed): its digest is what a decision cites."""
        stored = await blobs.put(request.stream(), settings.max_document_bytes)
        return await breaches.record_document(db_session, clock, actor, stored, filename)

    @post("/breaches/{entry_id:int}/decision", guards=[requires(Role.supervisor)], status_code=200)
    async def authority_decision(
        self,
        entry_id: FromPath[int],
        data: JSONBody[AuthorityDecisionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
        blobs: BlobsDep,
    ) -> dict[str, Any]:
        """Enter a competent authority's decision on a platform entry: only then does the entry bar."""
        decision = {
            "authority": data.authority,
            "number": data.number,
            "decided_on": data.decided_on,
            "measures": list(data.measures),
            "until": data.until,
            "legal_basis": data.legal_basis,
            "document_sha256": data.document_sha256,
        }
        return await breaches.record_decision(
            db_session, clock, actor, settings.tz, entry_id, decision, lambda sha: blobs.path(sha).is_file()
        )

    @post("/breaches/{entry_id:int}/statement", guards=[requires(Role.bidder, Role.intermediary)], status_code=201)
    async def statement(
        self,
        entry_id: FromPath[int],
        data: JSONBody[StatementIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """The subject's statement (陈述申辩) before a platform entry about it takes effect."""
        return await submissions.state(db_session, clock, actor, settings.tz, entry_id, data.text)

    @get("/repairs", guards=[OVERSIGHT])
    async def repairs(self, db_session: DbSession) -> list[dict[str, Any]]:
        """Credit-repair applications awaiting a decision, oldest first."""
        return await submissions.open_repairs(db_session)

    @post("/repairs", guards=[requires(Role.bidder, Role.intermediary)], status_code=201)
    async def apply_for_repair(
        self, data: JSONBody[RepairIn], db_session: DbSession, clock: ClockDep, actor: ActorDep, settings: SettingsDep
    ) -> dict[str, Any]:
        """Apply for credit repair (信用修复) of an entry about your organization, after its minimum publication."""
        return await submissions.apply_for_repair(db_session, clock, actor, settings.tz, data.entry, data.text)

    @post("/repairs/{submission_id:uuid}/decision", guards=[requires(Role.supervisor)], status_code=200)
    async def decide_repair(
        self,
        submission_id: FromPath[uuid.UUID],
        data: JSONBody[RepairDecisionIn],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Grant (the entry ends today) or refuse a credit-repair application, with reasons."""
        return await submissions.decide_repair(
            db_session, clock, actor, settings.tz, submission_id, data.grant, data.reason
        )

    @get("/scores/{uscc:str}", guards=[OVERSIGHT])
    async def score(
        self, uscc: FromPath[str], db_session: DbSession, clock: ClockDep, settings: SettingsDep
    ) -> dict[str, Any]:
        """An organization's credit score with every contribution explained."""
        return await scores.score_of(db_session, clock, settings.tz, uscc.upper())

    @get("/score-weights", guards=[OVERSIGHT])
    async def weights(self, db_session: DbSession) -> list[dict[str, Any]]:
        return await scores.weights_view(db_session)

    @put("/score-weights", guards=[ADMINS])
    async def set_weights(
        self, data: JSONBody[WeightsIn], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> list[dict[str, Any]]:
        """Change the weights of the factors given (audited)."""
        new = [Weight(w.factor, w.points, w.cap, w.window_days) for w in data.weights]
        return await scores.set_weights(db_session, clock, actor, new)

    @get("/stats", guards=[OVERSIGHT])
    async def figures(
        self,
        db_session: DbSession,
        clock: ClockDep,
        settings: SettingsDep,
        start: Annotated[date | None, QueryParameter(name="from")] = None,
        end: Annotated[date | None, QueryParameter(name="to")] = None,
    ) -> dict[str, Any]:
        """Projects and candidates checked, hits by list, reviews, disqualifications and
        promotions between two days (inclusive; default: the last 183 days)."""
        today = clock.now().astimezone(settings.tz).date()
        end = end or today
        start = start or end - timedelta(days=182)
        if start > end or (end - start).days > 3660:
            raise InvalidRequest([FieldError("from", "range", "from is on or before to, at most ten years apart")])
        return await stats.stats(db_session, settings.tz, start, end)


class TenderCreditController(Controller):
    path = "/api/v1/tenders/{tender_id:uuid}/credit-checks"
    tags = ("credit",)

    @get("/", guards=[OVERSIGHT])
    async def history(self, tender_id: FromPath[uuid.UUID], db_session: DbSession) -> list[dict[str, Any]]:
        """Every candidate check of the tender, newest first, each with its evidence."""
        return await candidates.history(db_session, tender_id)

    @post("/", guards=[requires(Role.supervisor)], status_code=201)
    async def rerun(
        self,
        tender_id: FromPath[uuid.UUID],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> dict[str, Any]:
        """Re-run the candidate check over the same ranking (a new record; the old ones kept)."""
        return await candidates.rerun(db_session, clock, actor, settings.tz, tender_id)
