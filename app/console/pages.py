"""The web console's pages: server-rendered (Jinja2), in Chinese first with English switchable.

Each handler reads what the page shows through the domains' own queries (the same visibility
rules as the API) and renders a template; everything a page *does* — save, upload, bid, hand
in, confirm — goes through the JSON API from `static/console.js`, with the sign-in cookie and
the CSRF header (app/core/csrf.py), so there is one way to change anything. Live parts follow
the API's server-sent event streams. A page without a sign-in redirects to /login.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Controller, Request, Response, get
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.console import hall
from app.console.charts import bar_chart
from app.console.formats import beijing, daxie, wan, yuan
from app.console.i18n import LANG_COOKIE, codes_for, labeller, pick_language, translator
from app.console.timeline import MILESTONES, Step, timeline
from app.core import audit, transparency
from app.core.actor import Actor, Role
from app.core.csrf import CSRF_COOKIE, new_token
from app.core.deps import ActorDep, ClockDep, DbSession, ReceiptKeyDep
from app.core.guards import requires, signed_in
from app.core.models import AuditEvent
from app.core.problems import NotFound, Problem
from bidding.award import service as award_service
from bidding.bonds import guarantees as bond_guarantees
from bidding.bonds import service as bond_service
from bidding.bonds import stats as bond_stats
from bidding.filing import service as filings
from bidding.filing.checklist import DocumentKind
from bidding.filing.models import Filing
from bidding.market import queries as market
from bidding.market import requests as market_requests
from bidding.market import selection
from bidding.market.categories import CATEGORIES
from bidding.market.models import Registration, ServiceRequest
from bidding.market.states import RequestStatus
from bidding.opening import queries as opening_queries
from bidding.opening import service as opening_service
from bidding.opening.models import OpeningSession
from bidding.tender import queries as tenders
from bidding.tender import service as tender_service
from bidding.tender.models import Tender
from bidding.tender.regime import regime_of
from credit import submissions as credit_submissions
from experts import committee as committee_service
from experts import consultation as consultation_service

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
OFFICERS = (Role.supervisor, Role.admin)


def language_of(request: Request[Any, Any, Any]) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


def same_origin_path(wanted: str | None) -> str | None:
    """`wanted` if it is a path of this site, else None: where the sign-in page may send the browser.
    Browsers read a backslash as a slash and drop tabs and newlines, so a backslash after the first
    slash, or a tab between two slashes, leads off-site as `//evil.example` does: refused."""
    if not wanted or not wanted.startswith("/") or wanted[1:2] in ("/", "\\"):
        return None
    if "\\" in wanted or any(ord(c) < 0x21 or ord(c) == 0x7F for c in wanted):
        return None
    parts = urlsplit(wanted)
    return wanted if not parts.scheme and not parts.netloc else None


def page(request: Request[Any, Any, Any], name: str, status_code: int = 200, **context: Any) -> Template:
    """Render `name` with what every page needs: the words, the user, the CSRF token, the time."""
    settings = request.app.state.settings
    lang = language_of(request)
    token = request.cookies.get(CSRF_COOKIE) or new_token()
    cookies = [Cookie(key=CSRF_COOKIE, value=token, path="/", samesite="strict", secure=settings.cookie_is_secure)]
    if request.query_params.get("lang") == lang:
        cookies.append(Cookie(key=LANG_COOKIE, value=lang, path="/", samesite="lax", max_age=365 * 86400))
    user = request.scope.get("user")
    tz = settings.tz

    def local(at: datetime | int | None) -> str:
        """A time as Beijing shows it, to the second; an int is milliseconds since the epoch (a tree head's)."""
        if isinstance(at, int):
            at = datetime.fromtimestamp(at / 1000, UTC)
        return beijing(at, tz)

    return Template(
        template_name=name,
        context={
            "t": translator(lang),
            "label": labeller(lang),
            "codes": Markup(codes_for(lang)),  # noqa: S704 - JSON with <, > and & escaped (i18n.codes_for)
            "lang": lang,
            "other_lang": "en" if lang == "zh" else "zh",
            "path": request.url.path,
            "user": user,
            "roles": set(user.roles) if user is not None else set(),
            "officer": user is not None and bool(set(user.roles) & set(OFFICERS)),
            "csrf": token,
            "server_now": request.app.state.clock.now(),
            "local": local,
            "local_iso": lambda text: beijing(datetime.fromisoformat(text), tz) if text else "—",
            "yuan": yuan,
            "wan": wan,
            "daxie": daxie,
            "regime_of": regime_of,
            **context,
        },
        status_code=status_code,
        cookies=cookies,
    )


def sign_in_first(request: Request[Any, Any, Any], _exc: Exception) -> Response[Any]:
    return Redirect(f"/login?next={quote(request.url.path)}", status_code=303)


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, Problem):
        status, detail = exc.status, exc.detail
    elif isinstance(exc, HTTPException):
        status, detail = exc.status_code, exc.detail
    else:  # pragma: no cover - the app's handler logs it
        raise exc
    return page(request, "error.html", status_code=status, status=status, detail=detail)


PAGE_ERRORS: Mapping[Any, Any] = {
    NotAuthorizedException: sign_in_first,
    PermissionDeniedException: error_page,
    Problem: error_page,
    HTTPException: error_page,
}


async def _may_watch(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> bool:
    """Whether the opening room lets `actor` in (the hall and pages link only to rooms one may enter)."""
    try:
        await opening_service.watchable_tender(session, actor, tender_id)
    except NotFound:
        return False
    return True


async def _takes_part(session: AsyncSession, actor: Actor, posted: ServiceRequest) -> bool:
    """The owner, an officer or a registered intermediary: who may wait in an auction room."""
    if actor.has_role(*OFFICERS) or actor.org_uscc == posted.owner_uscc:
        return True
    registered = await session.scalar(
        select(Registration.id).where(Registration.request_id == posted.id, Registration.org_uscc == actor.org_uscc)
    )
    return registered is not None


async def _bonds_this_month(session: AsyncSession, now: datetime, tz: Any) -> dict[str, Any]:
    today = now.astimezone(tz).date()
    return await bond_stats.figures(session, tz, today.replace(day=1), today, now)


async def _bond_panel(session: AsyncSession, actor: Actor, tender: Tender) -> dict[str, Any] | None:
    """A bidder's own bond on a tender that asks one, and the guarantors it may buy from."""
    if tender.bond_amount is None or not actor.has_role(Role.bidder):
        return None
    try:
        bond = await bond_service.my_bond(session, actor, tender.id)
    except NotFound:
        bond = None
    return {"bond": bond, "guarantors": await bond_guarantees.guarantors(session)}


async def _timeline_of(session: AsyncSession, tender: Tender, now: datetime) -> list[Step]:
    """The tender's milestones from its own and its filing's audit events, then what is scheduled."""
    ids = [str(tender.id), str(tender.filing_id)]
    recorded = await session.execute(
        select(AuditEvent.action, AuditEvent.occurred_at)
        .where(AuditEvent.object_id.in_(ids), AuditEvent.action.in_(list(MILESTONES)))
        .order_by(AuditEvent.seq)
    )
    return timeline([(action, at) for action, at in recorded.all()], [("opening_time", tender.opening_time)], now)


class PublicPages(Controller):
    """What anyone sees without signing in: tenders, opening records, supermarket figures, the log."""

    path = "/"
    include_in_schema = False
    exception_handlers = PAGE_ERRORS  # type: ignore[assignment]

    @get("/", opt={"public": True})
    async def home(self, request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep) -> Template:
        settings = request.app.state.settings
        now = clock.now()
        listed = (await db_session.scalars(select(Tender).order_by(Tender.published_at.desc()).limit(20))).all()
        records = (
            await db_session.execute(
                select(Tender, OpeningSession)
                .join(OpeningSession, OpeningSession.tender_id == Tender.id)
                .where(OpeningSession.record.is_not(None))
                .order_by(OpeningSession.finished_at.desc())
                .limit(20)
            )
        ).all()
        today = now.astimezone(settings.tz).date()
        figures = await market.market_figures(db_session, settings.tz, today.replace(month=1, day=1), today)
        head = await transparency.latest_head(db_session)
        t = translator(language_of(request))
        return page(
            request,
            "home.html",
            tenders=listed,
            records=list(records),
            figures=figures,
            results=await hall.market_results(db_session),
            head=transparency.head_view(head) if head else None,
            savings_chart=bar_chart(
                t("chart_savings_by_month"),
                await hall.savings_by_month(db_session, now, settings.tz),
                empty_text=t("no_data"),
            ),
        )

    @get("/login", opt={"public": True})
    async def login(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "login.html", next=same_origin_path(request.query_params.get("next")) or "/console")

    @get("/public/tenders/{tender_id:uuid}", opt={"public": True})
    async def tender(
        self, request: Request[Any, Any, Any], db_session: DbSession, tender_id: FromPath[uuid.UUID]
    ) -> Template:
        tender = await tenders.tender_or_404(db_session, tender_id)
        opening = await db_session.get(OpeningSession, tender_id)
        record = opening.record if opening is not None else None
        return page(request, "public_tender.html", tender=tender, record=record)


class ConsolePages(Controller):
    """The signed-in console: the hall, the opening room, filings, a tender for bidders, the auction."""

    path = "/console"
    include_in_schema = False
    exception_handlers = PAGE_ERRORS  # type: ignore[assignment]

    @get("/", guards=[signed_in])
    async def hall(
        self, request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep
    ) -> Template:
        settings = request.app.state.settings
        tz, now = settings.tz, clock.now()
        t = translator(language_of(request))
        openings = await hall.openings_ahead(db_session, now, tz)
        auctions = await hall.auctions_ahead(db_session, now, tz)
        if not actor.has_role(*OFFICERS):  # the hall links only to the rooms its reader may enter
            openings = [t for t in openings if await _may_watch(db_session, actor, t.id)]
            auctions = [r for r in auctions if await _takes_part(db_session, actor, r)]
        context: dict[str, Any] = {"openings": openings, "auctions": auctions}
        if actor.has_role(*OFFICERS):
            context |= {
                "opening_progress": await hall.opening_progress(db_session, openings),
                "auction_progress": await hall.auction_progress(db_session, [r.id for r in auctions]),
                "queue": await hall.filing_queue(db_session, now, tz),
                "sla": await hall.sla_this_month(db_session, now, tz),
                "draws": await hall.recent_draws(db_session),
                "abnormal": await hall.abnormal_scores(db_session),
                "credit": await hall.credit_hits(db_session),
                "remedies": await hall.remedies_waiting(db_session, now),
                "repairs": await credit_submissions.open_repairs(db_session),
                "bonds": await _bonds_this_month(db_session, now, tz),
                "charts": [
                    bar_chart(t(key), bars, empty_text=t("no_data"))
                    for key, bars in (
                        ("chart_savings_by_month", await hall.savings_by_month(db_session, now, tz)),
                        ("chart_savings_by_category", await hall.savings_by_category(db_session, now, tz)),
                        ("chart_filings_on_time", await hall.filings_on_time_by_month(db_session, now, tz)),
                        ("chart_openings_per_day", await hall.openings_per_day(db_session, now, tz)),
                    )
                ],
            }
        if actor.has_role(Role.agency):
            own, _ = await filings.list_visible(db_session, actor, None, limit=50, offset=0)
            context["own_filings"] = own
            context["own_requests"] = await hall.requests_of(db_session, str(actor.org_uscc))
        if actor.has_role(Role.bidder, Role.agency) or actor.has_role(*OFFICERS):
            context["tenders"], _ = await tenders.visible_tenders(db_session, actor, limit=50, offset=0)
        return page(request, "hall.html", **context)

    @get("/openings/{tender_id:uuid}", guards=[signed_in])
    async def opening_room(
        self, request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep, tender_id: FromPath[uuid.UUID]
    ) -> Template:
        tender = await opening_service.watchable_tender(db_session, actor, tender_id)
        started = await db_session.get(OpeningSession, tender_id)
        state = await opening_queries.opening_state(db_session, tender_id) if started else None
        return page(
            request,
            "opening.html",
            tender=tender,
            state=state,
            may_hand_in=actor.has_role(Role.agency, *OFFICERS),
            may_respond=actor.has_role(Role.bidder),
        )

    @get("/filings/new", guards=[requires(Role.agency)])
    async def new_filing(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "filing.html", filing=None, documents=[], rounds=[], kinds=list(DocumentKind))

    @get("/filings/{filing_id:uuid}", guards=[requires(Role.agency, *OFFICERS)])
    async def filing(
        self, request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep, filing_id: FromPath[uuid.UUID]
    ) -> Template:
        found: Filing = await filings.get_visible(db_session, actor, filing_id)
        return page(
            request,
            "filing.html",
            filing=found,
            documents=await filings.documents_of(db_session, filing_id),
            rounds=await filings.rounds_of(db_session, filing_id),
            kinds=list(DocumentKind),
        )

    @get("/tenders/{tender_id:uuid}", guards=[signed_in])
    async def tender(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        tender_id: FromPath[uuid.UUID],
    ) -> Template:
        tender = await tenders.visible_tender(db_session, actor, tender_id)
        own = actor.has_role(Role.agency) and actor.org_uscc == tender.agency_uscc
        steps = await _timeline_of(db_session, tender, clock.now()) if own or actor.has_role(*OFFICERS) else None
        return page(
            request,
            "tender.html",
            tender=tender,
            documents=await tender_service.documents(db_session, actor, tender_id),
            public_url=str(request.base_url).rstrip("/"),
            steps=steps,
            award=await award_service.view(db_session, actor, tender_id),
            own=own,
            may_watch=await _may_watch(db_session, actor, tender_id),
            consultation_open=await consultation_service.standing(db_session, actor, tender) is not None,
            bond_panel=await _bond_panel(db_session, actor, tender),
            bonds_panel=await bond_service.tender_bonds(db_session, clock, actor, tender_id)
            if tender.bond_amount is not None and (own or actor.has_role(*OFFICERS))
            else None,
        )

    @get("/tenders/{tender_id:uuid}/consultation", guards=[signed_in])
    async def consultation(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        actor: ActorDep,
        tender_id: FromPath[uuid.UUID],
    ) -> Template:
        """竞争性磋商: the rounds, the purchaser's confirmations, the final quotes, as the actor may see them."""
        tender = await tenders.visible_tender(db_session, actor, tender_id)
        state = await consultation_service.view(db_session, actor, tender_id)
        seat = await committee_service.seat_on(db_session, actor, tender_id)
        return page(
            request,
            "consultation.html",
            tender=tender,
            state=state,
            own=actor.has_role(Role.agency) and actor.org_uscc in (tender.agency_uscc, tender.tenderee_uscc),
            member=seat is not None and seat.status == "seated",
        )

    @get("/audit/{object_type:str}/{object_id:str}", guards=[requires(*OFFICERS)])
    async def audit_trail(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        receipt_key: ReceiptKeyDep,
        actor: ActorDep,
        object_type: FromPath[str],
        object_id: FromPath[str],
    ) -> Template:
        """An object's audit events, each checked now against the latest signed head; a committee
        member's name only to supervisors."""
        events = await audit.events_of(db_session, object_type, object_id, limit=500, offset=0)
        origin = request.app.state.settings.log_origin
        check = await transparency.check_trail(db_session, events, receipt_key.public_key(), origin)
        shown = {e.seq: e.actor if audit.shows_actor(e, actor) else audit.SEALED_ACTOR for e in events}
        return page(request, "audit.html", object_type=object_type, object_id=object_id, check=check, shown=shown)

    @get("/requests/new", guards=[requires(Role.agency)])
    async def new_service_request(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "service_request.html", service_request=None, categories=list(CATEGORIES.values()))

    @get("/requests/{request_id:uuid}", guards=[signed_in])
    async def service_request(
        self, request: Request[Any, Any, Any], db_session: DbSession, request_id: FromPath[uuid.UUID]
    ) -> Template:
        """A service request as anyone signed in may follow it (the market's calls are public):
        its status, registrations, the way to the auction room, the result."""
        posted = await market_requests.get_request(db_session, request_id)
        result = await market.result_of(db_session, request_id) if posted.status == RequestStatus.awarded else None
        registered = await market.registered_count(db_session, request_id)
        return page(request, "service_request.html", service_request=posted, result=result, registered=registered)

    @get("/auctions/{request_id:uuid}", guards=[signed_in])
    async def auction_room(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        clock: ClockDep,
        actor: ActorDep,
        request_id: FromPath[uuid.UUID],
    ) -> Template:
        offer_secret = request.app.state.settings.offer_secret  # as the API's read does, when due
        await selection.open_when_due(db_session, clock, actor, request_id, offer_secret)
        posted = await market_requests.get_request(db_session, request_id)
        try:
            view = await market.auction_view(db_session, actor, request_id, clock.now())
        except NotFound:
            # Before bidding starts the room waits for its participants (the owner, officers and
            # the registered intermediaries) with a countdown, and turns live by itself.
            if not await _takes_part(db_session, actor, posted):
                raise
            return page(request, "auction_waiting.html", service_request=posted)
        return page(
            request, "auction.html", view=view, service_request=posted, bidding=actor.has_role(Role.intermediary)
        )
