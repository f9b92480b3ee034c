"""Who may call what: the README's role table as data. Every route of the app has an entry (a new
route without one fails here); every route is called as every role and anonymously, and the
guard answers exactly as the table says. Object visibility (another organization's objects
answer 404; the opening and the live auction are followed only by their participants until the
result is public) is pinned by the scenario tests below and in test_orgs / test_filing."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from app.identity.models import OrgKind
from tests.conftest import World, login

PUBLIC, SIGNED_IN, BANK, GUARANTOR = "public", "signed in", "the bank's signature", "a guarantor's signature"
A, S, G, B, M = Role.admin, Role.supervisor, Role.agency, Role.bidder, Role.intermediary  # M: market
E = Role.expert
OFFICERS = frozenset({A, S})
CUSTODIANS = frozenset({A, S, G})

# (method, path) -> who may call it: PUBLIC (no sign-in), SIGNED_IN (any role), or a set of roles.
ACCESS: dict[tuple[str, str], str | frozenset[Role]] = {
    ("GET", "/health"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("GET", "/api/v1/orgs"): OFFICERS,
    ("POST", "/api/v1/orgs"): frozenset({A}),
    ("GET", "/api/v1/orgs/{uscc:str}"): SIGNED_IN,  # own organization; officers any
    ("GET", "/api/v1/users"): SIGNED_IN,  # own organization's users; officers all
    ("POST", "/api/v1/users"): frozenset({A}),
    ("GET", "/api/v1/users/me"): SIGNED_IN,
    ("POST", "/api/v1/users/me/password"): SIGNED_IN,
    ("GET", "/api/v1/users/{user_id:uuid}"): SIGNED_IN,  # self, own organization; officers any
    ("POST", "/api/v1/users/{user_id:uuid}/password"): frozenset({A}),
    ("POST", "/api/v1/users/{user_id:uuid}/deactivate"): frozenset({A}),
    ("POST", "/api/v1/users/{user_id:uuid}/activate"): frozenset({A}),
    ("POST", "/api/v1/users/{user_id:uuid}/unlock"): frozenset({A}),
    ("GET", "/api/v1/audit-events"): OFFICERS,
    ("GET", "/api/v1/calendar/days/{day:date}"): PUBLIC,
    ("GET", "/api/v1/calendar/deadline"): PUBLIC,
    ("GET", "/api/v1/calendar/period"): PUBLIC,
    ("GET", "/api/v1/calendar/years"): PUBLIC,
    ("POST", "/api/v1/calendar/years"): frozenset({A}),
    ("GET", "/api/v1/filings"): CUSTODIANS,  # agencies: their own
    ("POST", "/api/v1/filings"): frozenset({G}),
    ("GET", "/api/v1/filings/stats"): OFFICERS,
    ("GET", "/api/v1/filings/{filing_id:uuid}"): CUSTODIANS,
    ("PUT", "/api/v1/filings/{filing_id:uuid}"): frozenset({G}),
    ("GET", "/api/v1/filings/{filing_id:uuid}/rounds"): CUSTODIANS,
    ("POST", "/api/v1/filings/{filing_id:uuid}/documents"): frozenset({G}),
    ("GET", "/api/v1/filings/{filing_id:uuid}/documents/{document_id:uuid}"): CUSTODIANS,
    ("DELETE", "/api/v1/filings/{filing_id:uuid}/documents/{document_id:uuid}"): frozenset({G}),
    ("POST", "/api/v1/filings/{filing_id:uuid}/submit"): frozenset({G}),
    ("POST", "/api/v1/filings/{filing_id:uuid}/accept"): frozenset({S}),
    ("POST", "/api/v1/filings/{filing_id:uuid}/return"): frozenset({S}),
    ("GET", "/api/v1/tenders"): SIGNED_IN,  # published tenders are public by law
    ("GET", "/api/v1/tenders/{tender_id:uuid}"): SIGNED_IN,
    ("GET", "/api/v1/tenders/{tender_id:uuid}/opening-key"): SIGNED_IN,  # what bids are sealed to
    ("GET", "/api/v1/tenders/{tender_id:uuid}/documents"): SIGNED_IN,
    ("GET", "/api/v1/tenders/{tender_id:uuid}/documents/{document_id:uuid}"): SIGNED_IN,  # bidders: recorded
    ("POST", "/api/v1/tenders/{tender_id:uuid}/documents"): frozenset({G}),  # the tender's own agency
    ("GET", "/api/v1/tenders/{tender_id:uuid}/amendments"): SIGNED_IN,
    ("POST", "/api/v1/tenders/{tender_id:uuid}/amendments"): frozenset({G}),  # the tender's own agency
    ("POST", "/api/v1/tenders/{tender_id:uuid}/amendments/{number:int}/confirmation"): frozenset({B}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/custody/share"): CUSTODIANS,  # the custodian's own share
    ("GET", "/api/v1/tenders/{tender_id:uuid}/bids"): frozenset({A, S, B}),  # bidders: their own
    ("POST", "/api/v1/tenders/{tender_id:uuid}/bids"): frozenset({B}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/bids/withdraw"): frozenset({B}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/opening"): SIGNED_IN,  # participants; public once recorded
    ("GET", "/api/v1/tenders/{tender_id:uuid}/opening/events"): SIGNED_IN,  # the same
    ("POST", "/api/v1/tenders/{tender_id:uuid}/opening/shares"): CUSTODIANS,  # the tender's custodians
    ("POST", "/api/v1/tenders/{tender_id:uuid}/opening/record/responses"): frozenset({B}),  # its bidders
    ("POST", "/api/v1/tenders/{tender_id:uuid}/opening/record/responses/{bidder_uscc:str}/answer"): frozenset({G}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/opening/bids/{bid_id:uuid}/documents/{index:int}"): CUSTODIANS,
    ("GET", "/api/v1/notifications"): SIGNED_IN,  # the caller's desk and own
    ("POST", "/api/v1/keys/custody"): CUSTODIANS,
    ("GET", "/api/v1/keys/bid-signing"): frozenset({B}),
    ("POST", "/api/v1/keys/bid-signing"): frozenset({B}),
    ("GET", "/api/v1/platform/receipt-key"): PUBLIC,
    ("GET", "/api/v1/ocds/releases"): PUBLIC,  # open contracting data
    ("GET", "/api/v1/transparency/heads/latest"): PUBLIC,  # anyone checks the log
    ("GET", "/api/v1/transparency/heads/{size:int}"): PUBLIC,
    ("POST", "/api/v1/transparency/heads"): OFFICERS,  # a head signed on demand
    ("GET", "/api/v1/transparency/proofs/inclusion"): PUBLIC,
    ("GET", "/api/v1/transparency/proofs/consistency"): PUBLIC,
    ("GET", "/api/v1/transparency/key"): PUBLIC,
    ("GET", "/api/v1/ocds/records/{ocid:str}"): PUBLIC,
    ("GET", "/api/v1/service-categories"): SIGNED_IN,
    ("POST", "/api/v1/intermediaries/services"): frozenset({M}),
    ("POST", "/api/v1/intermediaries/qualifications"): frozenset({M}),
    ("GET", "/api/v1/intermediaries/eligibility"): frozenset({M}),
    ("GET", "/api/v1/intermediaries/{org_uscc:str}/record"): OFFICERS,
    ("GET", "/api/v1/service-requests"): SIGNED_IN,  # justification: officers and owner only
    ("POST", "/api/v1/service-requests"): frozenset({G}),
    ("GET", "/api/v1/service-requests/stats"): PUBLIC,
    ("GET", "/api/v1/service-requests/{request_id:uuid}"): SIGNED_IN,
    ("POST", "/api/v1/service-requests/{request_id:uuid}/registrations"): frozenset({M}),
    ("POST", "/api/v1/service-requests/{request_id:uuid}/quotes"): frozenset({M}),
    ("POST", "/api/v1/service-requests/{request_id:uuid}/direct-selection"): frozenset({G}),  # the owner
    ("POST", "/api/v1/service-requests/{request_id:uuid}/repost"): frozenset({G}),  # the owner
    ("POST", "/api/v1/service-requests/{request_id:uuid}/assessment"): frozenset({G}),  # the owner
    ("GET", "/api/v1/service-requests/{request_id:uuid}/result"): SIGNED_IN,
    ("GET", "/api/v1/service-requests/{request_id:uuid}/auction"): SIGNED_IN,  # participants; public once closed
    ("POST", "/api/v1/service-requests/{request_id:uuid}/auction/bids"): frozenset({M}),  # registered bidders
    ("GET", "/api/v1/service-requests/{request_id:uuid}/auction/events"): SIGNED_IN,  # as the auction
    # Evaluation: who sits on a committee is decided per object (404 to outsiders, see
    # tests/experts/test_secrecy.py); the guards admit the roles below.
    ("POST", "/api/v1/experts/import"): frozenset({A}),
    ("GET", "/api/v1/experts"): OFFICERS,
    ("GET", "/api/v1/experts/me"): frozenset({E}),
    ("PUT", "/api/v1/experts/me/unavailability"): frozenset({E}),
    ("GET", "/api/v1/experts/me/assignments"): frozenset({E}),
    ("GET", "/api/v1/experts/{expert_id:uuid}/record"): frozenset({S}),
    ("GET", "/api/v1/experts/assessment-rules"): OFFICERS,
    ("PUT", "/api/v1/experts/assessment-rules"): frozenset({A}),
    ("GET", "/api/v1/specialties"): SIGNED_IN,
    ("POST", "/api/v1/expert-assignments/{seat_id:uuid}/decline"): frozenset({E}),
    ("PUT", "/api/v1/tenders/{tender_id:uuid}/draw"): frozenset({G, S}),  # the tender's own agency
    ("GET", "/api/v1/tenders/{tender_id:uuid}/draw"): SIGNED_IN,  # seed and seats: supervisors
    ("POST", "/api/v1/tenders/{tender_id:uuid}/draw/entry"): frozenset({S}),  # the beacon
    ("POST", "/api/v1/tenders/{tender_id:uuid}/draw/supplementary"): frozenset({S}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/draw/supplementary/{draw_id:uuid}/entry"): frozenset({S}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/committee"): SIGNED_IN,  # supervisors and members only
    ("POST", "/api/v1/tenders/{tender_id:uuid}/committee/{seat_id:uuid}/no-show"): frozenset({S}),
    ("PUT", "/api/v1/tenders/{tender_id:uuid}/evaluation/template"): frozenset({G, S}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/evaluation/template"): SIGNED_IN,
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/start"): frozenset({G, S}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/evaluation"): frozenset({G, S, E}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/declaration"): frozenset({E}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/evaluation/bids/{bid_id:uuid}/documents/{index:int}"): frozenset({E}),
    ("PUT", "/api/v1/tenders/{tender_id:uuid}/evaluation/scores"): frozenset({E}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/evaluation/scores"): frozenset({E, S}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/explanations"): frozenset({E}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/ties"): frozenset({E}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/signatures"): frozenset({E}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/chair"): frozenset({E}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/committee/representatives"): frozenset({G}),
    # 竞争性磋商: the panel's rounds, the purchaser's confirmation, the suppliers' final quotes
    ("GET", "/api/v1/tenders/{tender_id:uuid}/consultation"): frozenset({G, S, E, B}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/consultation/rounds"): frozenset({E}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/consultation/rounds/{number:int}/confirmation"): frozenset({G}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/consultation/final-quotes"): frozenset({E}),
    ("PUT", "/api/v1/tenders/{tender_id:uuid}/consultation/final-quote"): frozenset({B}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/consultation/close"): frozenset({E}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/price-decisions"): frozenset({E}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/evaluation/candidate-review"): frozenset({G, S, E}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/candidate-review/decisions"): frozenset({E}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/candidate-review/signatures"): frozenset({E}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/price-clarifications"): frozenset({B}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/price-clarifications/{request_id:uuid}/answer"): frozenset({B}),
    ("GET", "/api/v1/credit/lists"): OFFICERS,
    ("PUT", "/api/v1/credit/lists/{list_type:str}"): frozenset({A}),
    ("POST", "/api/v1/credit/lists/{list_type:str}/import"): frozenset({A}),
    ("GET", "/api/v1/credit/lists/{list_type:str}/versions"): OFFICERS,
    ("GET", "/api/v1/credit/lists/{list_type:str}/versions/{version:int}"): OFFICERS,
    ("GET", "/api/v1/credit/memoranda"): OFFICERS,
    ("PUT", "/api/v1/credit/memoranda/{list_type:str}"): frozenset({A}),
    ("POST", "/api/v1/credit/checks"): OFFICERS,
    ("GET", "/api/v1/credit/reviews"): OFFICERS,
    ("POST", "/api/v1/credit/reviews/{review_id:uuid}/decision"): frozenset({S}),
    ("POST", "/api/v1/credit/breaches"): frozenset({S}),
    ("POST", "/api/v1/credit/breaches/{entry_id:int}/end"): frozenset({S}),
    ("GET", "/api/v1/credit/scores/{uscc:str}"): OFFICERS,
    ("GET", "/api/v1/credit/score-weights"): OFFICERS,
    ("PUT", "/api/v1/credit/score-weights"): frozenset({A}),
    ("GET", "/api/v1/credit/stats"): OFFICERS,
    ("GET", "/api/v1/gp/stats"): OFFICERS,
    ("GET", "/api/v1/tenders/{tender_id:uuid}/credit-checks"): OFFICERS,
    ("POST", "/api/v1/tenders/{tender_id:uuid}/credit-checks"): frozenset({S}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/award"): SIGNED_IN,
    ("GET", "/api/v1/tenders/{tender_id:uuid}/validity"): SIGNED_IN,
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/decision"): frozenset({G}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/award/report"): frozenset({G, S}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/report"): frozenset({G}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/objections/{complaint_id:uuid}/acceptance"): frozenset({S}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/validity/extensions"): frozenset({G}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/validity/extensions/{extension_id:uuid}/answer"): frozenset({B}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/publicity"): frozenset({G}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/documents"): frozenset({G, B}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/objections"): frozenset({B}),
    ("GET", "/api/v1/credit/breaches"): frozenset({A, S, B, M}),  # officers all; an organization its own
    ("POST", "/api/v1/credit/documents"): frozenset({S}),
    ("POST", "/api/v1/credit/breaches/{entry_id:int}/decision"): frozenset({S}),
    ("POST", "/api/v1/credit/breaches/{entry_id:int}/statement"): frozenset({B, M}),
    ("GET", "/api/v1/credit/repairs"): OFFICERS,
    ("POST", "/api/v1/credit/repairs"): frozenset({B, M}),
    ("POST", "/api/v1/credit/repairs/{submission_id:uuid}/decision"): frozenset({S}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/documents/objections"): frozenset({B}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/procedure/objections"): frozenset({B}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/complaints"): frozenset({B}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/objections/{complaint_id:uuid}/excluded-time"): frozenset({S}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/objections/{complaint_id:uuid}/suspension"): frozenset({S}),
    ("GET", "/api/v1/complaint-decisions"): PUBLIC,
    ("GET", "/api/v1/tenders/{tender_id:uuid}/bond"): frozenset({B}),  # its own bond
    ("POST", "/api/v1/tenders/{tender_id:uuid}/bond"): frozenset({B}),
    ("GET", "/api/v1/tenders/{tender_id:uuid}/bonds"): frozenset({A, S, G}),  # agencies: after the deadline
    ("POST", "/api/v1/tenders/{tender_id:uuid}/bonds/{bond_id:uuid}/forfeiture"): frozenset({G}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/performance-bond"): frozenset({G}),
    ("POST", "/api/v1/bank/notices"): BANK,  # the settlement bank: an HMAC of the body, no sign-in
    ("POST", "/api/v1/bank/instructions/pending"): BANK,
    ("POST", "/api/v1/bank/statements"): frozenset({A}),
    ("GET", "/api/v1/bank/instructions"): OFFICERS,
    ("POST", "/api/v1/tenders/{tender_id:uuid}/bond/guarantee"): frozenset({B}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/bond/guarantee-file"): frozenset({B}),
    ("GET", "/api/v1/guarantors"): SIGNED_IN,
    ("GET", "/api/v1/bonds/stats"): OFFICERS,
    ("POST", "/api/v1/guarantors"): frozenset({A}),
    (
        "POST",
        "/api/v1/guarantors/messages",
    ): GUARANTOR,  # signed with the guarantor's registered key  # published decisions (实施条例 art. 78)
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/objections/{objection_id:uuid}/answer"): frozenset({G, S}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/objections/{objection_id:uuid}/complaint"): frozenset({B}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/decline"): frozenset({B, G}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/contract"): frozenset({G}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/award/contract/filing"): frozenset({G}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/termination"): frozenset({G}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/corrections"): frozenset({E}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/re-review"): frozenset({G}),
    ("POST", "/api/v1/tenders/{tender_id:uuid}/evaluation/ratings"): frozenset({G, S}),
    # The web console's pages (app/console): anonymous visitors of a signed-in page are sent to
    # /login (303) instead of a 401; a wrong role gets the 403 page.
    ("GET", "/"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("GET", "/public/tenders/{tender_id:uuid}"): PUBLIC,
    ("GET", "/static/{file_path:path}"): PUBLIC,
    ("GET", "/console"): SIGNED_IN,
    ("GET", "/console/openings/{tender_id:uuid}"): SIGNED_IN,  # the opening's participants and officers
    ("GET", "/console/filings/new"): frozenset({G}),
    ("GET", "/console/filings/{filing_id:uuid}"): frozenset({A, S, G}),
    ("GET", "/console/tenders/{tender_id:uuid}"): SIGNED_IN,
    ("GET", "/console/tenders/{tender_id:uuid}/consultation"): SIGNED_IN,  # the service decides who sees it
    ("GET", "/console/auctions/{request_id:uuid}"): SIGNED_IN,  # the auction's participants and officers
    ("GET", "/console/audit/{object_type:str}/{object_id:str}"): frozenset({A, S}),
    ("GET", "/console/requests/new"): frozenset({G}),
    ("GET", "/console/requests/{request_id:uuid}"): SIGNED_IN,
}
PAGES = "/console"

PLACEHOLDERS = {
    "uscc": "914403001922038216",
    "org_uscc": "914403001922038216",
    "day": "2026-12-01",
    "index": "0",
    "number": "1",
    "size": "1",
    "list_type": "dishonest_debtor",
    "version": "1",
    "entry_id": "1",
    "file_path": "console.css",
    "object_type": "tender",
    "object_id": "00000000-0000-0000-0000-000000000000",
}


def app_routes(app: Litestar) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if route.path.startswith("/schema"):
            continue  # Litestar's own OpenAPI document, public by design
        for handler in getattr(route, "route_handlers", []):
            found |= {(method, route.path) for method in handler.http_methods if method not in ("OPTIONS", "HEAD")}
    return found


def test_every_route_has_an_entry_in_the_role_table(app: Litestar) -> None:
    routes = app_routes(app)
    assert sorted(routes - set(ACCESS)) == [], "a route without an entry in the role table"
    assert sorted(set(ACCESS) - routes) == [], "an entry for a route that no longer exists"


def concrete(path: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        return PLACEHOLDERS.get(name, str(uuid.uuid4()))

    return re.sub(r"\{([^}]+)\}", fill, path)


async def test_every_route_as_every_role_answers_as_the_table_says(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    org_of = {G: OrgKind.agency, B: OrgKind.bidder, M: OrgKind.intermediary}
    tokens = {}
    for role in Role:
        user = await world.user(role, await world.org(org_of[role]) if role in org_of else None)
        tokens[role] = user.username
    wrong: list[str] = []
    for (method, path), allowed in sorted(ACCESS.items(), key=lambda item: item[0][1] == "/api/v1/auth/logout"):
        url = concrete(path) + ("?start=2026-01-01&end=2026-01-31" if path.endswith("/stats") else "")
        for role in [None, *Role]:
            headers: dict[str, Any] = await login(client, tokens[role]) if role else {}
            raw = (path.endswith("/bids") and method == "POST") or path.endswith("/documents")
            headers["content-type"] = "application/octet-stream" if raw else "application/json"
            body = b"" if raw or method in ("GET", "DELETE") else b"{}"
            response = await client.request(method, url, headers=headers, content=body, follow_redirects=False)
            status = response.status_code
            expected_refusal = (
                401  # nobody signs as the bank or a guarantor by signing in
                if allowed in (BANK, GUARANTOR)
                else None
                if allowed == PUBLIC or (role is not None and (allowed == SIGNED_IN or role in allowed))
                else (403 if role is not None else 303 if path.startswith(PAGES) else 401)
            )
            if status >= 500 or (
                expected_refusal is None and status in (401, 403) and not _refused_for_cause(response)
            ):
                wrong.append(f"{method} {path} as {role}: {status} {response.text[:120]}")
            elif expected_refusal is not None and status != expected_refusal:
                wrong.append(f"{method} {path} as {role}: {status}, expected {expected_refusal}")
    assert wrong == []


def _refused_for_cause(response: Any) -> bool:
    """A 401/403 that is not the guard's: a wrong current password, an auction one is not in."""
    if response.headers.get("content-type", "").startswith("text/html"):
        return False
    kind = response.json().get("type", "")
    return kind.endswith(("/not-registered",))


async def test_an_opening_is_followed_by_its_participants_until_the_record_is_public(
    client: AsyncTestClient[Litestar], world: World, clock: Any
) -> None:
    from tests.bids import published_tender
    from tests.openings import at_opening_time, bids_in, hand_in, share_words, wait_for

    tender = await published_tender(client, world)
    bidders = await bids_in(client, world, tender, 3)
    expert = await login(client, (await world.user(Role.expert)).username)
    stranger = await login(client, (await world.user(B, await world.org(OrgKind.bidder))).username)
    await at_opening_time(client, tender, clock)
    words, headers = await share_words(client, tender, "agency")
    assert (await hand_in(client, tender, words, headers)).status_code == 200
    opening = f"/api/v1/tenders/{tender.id}/opening"
    for outsider in (expert, stranger):
        assert (await client.get(opening, headers=outsider)).status_code == 404
        assert (await client.get(opening + "/events", headers=outsider)).status_code == 404
    for insider in (bidders[0].headers, tender.desk.agency_headers, tender.desk.officer_headers):
        assert (await client.get(opening, headers=insider)).status_code == 200
    words, headers = await share_words(client, tender, "supervisor")
    await hand_in(client, tender, words, headers)
    await wait_for(client, tender, "read_out")
    record = await client.get(opening, headers=expert)  # the opening record is public by law
    assert record.status_code == 200 and record.json()["record"] is not None


async def test_a_live_auction_is_followed_by_its_participants_and_a_justification_by_officers(
    client: AsyncTestClient[Litestar], world: World, clock: Any
) -> None:
    from tests.bidding.market.test_market import at, intermediary, post_request, registered

    request_id, owner = await post_request(client, world)
    direct, direct_owner = await post_request(client, world, method="direct", decrement_amount=None)
    (_org, bidder), *_ = await registered(client, world, request_id, 3)
    _outsider_org, outsider = await intermediary(client, world)
    expert = await login(client, (await world.user(Role.expert)).username)
    clock.set(at("2026-12-01T09:35"))
    auction = f"/api/v1/service-requests/{request_id}/auction"
    for insider in (owner, bidder):
        assert (await client.get(auction, headers=insider)).status_code == 200
    for stranger in (outsider, expert):
        assert (await client.get(auction, headers=stranger)).status_code == 404
        assert (await client.get(auction + "/events", headers=stranger)).status_code == 404
    chosen, _ = await intermediary(client, world)
    why = "该项目涉及保密工程，须由已承担前期造价咨询的机构继续服务。"
    body = {"org_uscc": chosen.uscc, "price": "280000.00", "justification": why}
    assert (
        await client.post(f"/api/v1/service-requests/{direct}/direct-selection", json=body, headers=direct_owner)
    ).status_code == 200
    officer = await login(client, (await world.user(S)).username)
    shown = {
        who: (await client.get(f"/api/v1/service-requests/{direct}", headers=headers)).json()["justification"]
        for who, headers in (("owner", direct_owner), ("officer", officer), ("bidder", bidder), ("expert", expert))
    }
    assert shown == {"owner": why, "officer": why, "bidder": None, "expert": None}
