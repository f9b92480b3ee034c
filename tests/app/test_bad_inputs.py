"""The hostile inputs that once answered 500, kept as a table: each gets a 4xx problem naming
what is wrong, and changes nothing (no audit event, no row, no stored file)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.core.actor import Role
from app.core.models import AuditEvent
from app.core.settings import Settings
from app.identity.models import OrgKind
from tests.conftest import World, login

JSON = "application/json"
USCC = "914403001922038216"

# (name, method, path, who, body, content type, expected status, expected field or problem slug)
CASES: list[tuple[str, str, str, str, bytes | None, str | None, int, str]] = [
    ("offset past int64", "GET", "/api/v1/orgs?offset=9223372036854775808", "admin", None, None, 422, "offset"),
    ("offset huge on users", "GET", "/api/v1/users?offset=99999999999", "admin", None, None, 422, "offset"),
    ("offset huge on filings", "GET", "/api/v1/filings?offset=99999999999", "agency", None, None, 422, "offset"),
    ("deadline from year 9999", "GET", "/api/v1/calendar/deadline?start=9999-12-31&working_days=5", "anyone",
     None, None, 422, "start"),
    ("a day in year 9999", "GET", "/api/v1/calendar/days/9999-12-31", "anyone", None, None, 422, "day"),
    ("a period from year 9999", "GET", "/api/v1/calendar/period?from=9999-12-31&days=5", "anyone",
     None, None, 422, "from"),
    ("a period of 10 million days", "GET", "/api/v1/calendar/period?from=2026-12-07&days=9999999", "anyone",
     None, None, 422, "days"),
    ("a period past int64", "GET", "/api/v1/calendar/period?from=2026-12-07&days=9223372036854775808", "anyone",
     None, None, 422, "days"),
    ("market stats over all time", "GET", "/api/v1/service-requests/stats?start=0001-01-01&end=9999-12-31",
     "anyone", None, None, 422, "start"),
    ("filing stats over all time", "GET", "/api/v1/filings/stats?start=0001-01-01&end=9999-12-31", "admin",
     None, None, 422, "end"),
    ("a bid deadline in year 9999", "POST", "/api/v1/filings", "agency",
     b'{"project_name":"x","project_type":"other","bid_deadline":"9999-12-31T00:00:00+08:00"}', JSON, 422,
     "bid_deadline"),
    ("invalid UTF-8", "POST", "/api/v1/orgs", "admin", b'{"uscc": "\xff\xfe", "name": "x", "kind": "bidder"}', JSON,
     400, "bad-request"),
    ("JSON nested 100,000 deep", "POST", "/api/v1/orgs", "admin", b"[" * 100_000 + b"]" * 100_000, JSON, 400,
     "bad-request"),
    ("a NUL in a name", "POST", "/api/v1/orgs", "admin",
     b'{"uscc":"' + USCC.encode() + b'","name":"a\\u0000b","kind":"bidder"}', JSON, 422, "name"),
    ("a NUL in a login", "POST", "/api/v1/auth/login", "anyone", b'{"username":"a\\u0000","password":"x"}', JSON,
     422, "username"),
    ("a JSON route fed text/plain", "POST", "/api/v1/orgs", "admin",
     b'{"uscc":"' + USCC.encode() + b'","name":"ab","kind":"bidder"}', "text/plain", 415, "unsupported-media-type"),
    ("money of 1e30", "POST", "/api/v1/service-requests", "agency",
     b'{"project_name":"x","category":"COST","ceiling":"1e30","registration_closes":"2026-12-01T09:00:00+08:00",'
     b'"bidding_starts":"2026-12-01T09:30:00+08:00","bidding_ends":"2026-12-01T10:00:00+08:00",'
     b'"decrement_amount":"100.00"}', JSON, 422, "ceiling"),
    ("a NUL in a query parameter", "GET", "/api/v1/audit-events?object_type=org&object_id=a%00b", "admin", None,
     None, 422, "object_id"),
    ("a NUL in a path parameter", "GET", "/api/v1/orgs/a%00b", "admin", None, None, 422, "uscc"),
    ("an unknown intermediary's record", "GET", f"/api/v1/intermediaries/{USCC}/record", "admin", None, None, 404,
     "not-found"),
    ("a Basic token", "GET", "/api/v1/users/me", "basic", None, None, 401, "unauthorized"),
    ("a credit check in year 1900", "POST", "/api/v1/credit/checks", "supervisor",
     b'{"at":"1900-01-01","subjects":[{"uscc":"' + USCC.encode() + b'"}]}', JSON, 422, "at"),
    ("an announcement in year 9999", "POST", "/api/v1/filings", "agency",
     b'{"project_name":"x","project_type":"other","announcement_date":"9999-01-01"}', JSON, 422,
     "announcement_date"),
    ("a holiday in year 9999", "POST", "/api/v1/calendar/years", "admin",
     b'{"year":2027,"holidays":["2027-01-01","9999-01-01"],"workdays":[]}', JSON, 422, "holidays[1]"),
    ("a credit entry past int64", "POST", "/api/v1/credit/repairs", "bidder",
     b'{"entry":9223372036854775808,"text":"x"}', JSON, 422, "entry"),
    ("a statement on an entry id past int64", "POST", "/api/v1/credit/breaches/9223372036854775808/statement",
     "bidder", b'{"text":"x"}', JSON, 404, "not-found"),
    ("an authority decision citing no document", "POST", "/api/v1/credit/breaches/1/decision", "supervisor",
     b'{"authority":"a","number":"1","decided_on":"2026-01-01","measures":["bar_bidding"],"legal_basis":"b",'
     b'"document_sha256":"not-a-digest"}', JSON, 422, "document_sha256"),
    ("a complaint on an unknown matter", "POST",
     "/api/v1/tenders/00000000-0000-0000-0000-000000000000/award/complaints", "bidder",
     b'{"matter":"everything","grounds":"x"}', JSON, 422, "matter"),
    ("a complaint known in year 9999", "POST",
     "/api/v1/tenders/00000000-0000-0000-0000-000000000000/award/complaints", "bidder",
     b'{"matter":"other","grounds":"x","known_on":"99999-01-01"}', JSON, 422, "known_on"),
    ("a document objection to an unknown tender", "POST",
     "/api/v1/tenders/00000000-0000-0000-0000-000000000000/documents/objections", "bidder",
     b'{"grounds":"x"}', JSON, 404, "not-found"),
    ("an amendment number past the limit", "POST",
     "/api/v1/tenders/00000000-0000-0000-0000-000000000000/award/objections/"
     "00000000-0000-0000-0000-000000000000/answer", "agency",
     b'{"outcome":"amended","answer":"x","amendment":99999999999}', JSON, 422, "amendment"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "who", "body", "content_type", "status", "names"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_a_hostile_input_gets_a_clear_4xx_and_changes_nothing(
    backend: str,
    client: AsyncTestClient[Litestar],
    world: World,
    settings: Settings,
    method: str,
    path: str,
    who: str,
    body: bytes | None,
    content_type: str | None,
    status: int,
    names: str,
) -> None:
    headers = await _headers(client, world, who)
    if content_type:
        headers["content-type"] = content_type
    async with world.sessions() as session:
        before = await session.scalar(select(func.count()).select_from(AuditEvent))
    response = await client.request(method, path, content=body, headers=headers)
    assert response.status_code == status, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    named = {p["name"] for p in problem.get("invalid-params", [])} | {problem["type"].rsplit("/", 1)[-1]}
    assert names in named, problem
    async with world.sessions() as session:
        after = await session.scalar(select(func.count()).select_from(AuditEvent))
    assert after == before
    assert list((settings.blob_dir / "tmp").iterdir()) == []


async def test_an_upload_named_with_a_nul_is_refused_before_anything_is_stored(
    backend: str, client: AsyncTestClient[Litestar], world: World, settings: Settings
) -> None:
    agency = await _headers(client, world, "agency")
    filing = await client.post("/api/v1/filings", json={"project_name": "x", "project_type": "other"}, headers=agency)
    refused = await client.post(
        f"/api/v1/filings/{filing.json()['id']}/documents?kind=announcement&filename=a%00b.pdf",
        content=b"hello",
        headers={**agency, "content-type": "application/pdf"},
    )
    assert refused.status_code == 422 and refused.json()["invalid-params"][0]["name"] == "filename"
    assert [p for p in settings.blob_dir.rglob("*") if p.is_file()] == []


async def _headers(client: AsyncTestClient[Litestar], world: World, who: str) -> dict[str, Any]:
    if who == "anyone":
        return {}
    if who == "basic":
        user = await world.user(Role.expert)
        token = (await login(client, user.username))["Authorization"].split(" ")[1]
        return {"Authorization": f"Basic {token}"}
    role = Role(who)
    kinds = {Role.agency: OrgKind.agency, Role.bidder: OrgKind.bidder}
    user = await world.user(role, await world.org(kinds[role]) if role in kinds else None)
    return await login(client, user.username)


async def test_a_body_of_a_hundred_thousand_unknown_keys_gets_a_short_answer_naming_the_first_hundred(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin = await _headers(client, world, "admin")
    body = {"uscc": USCC, "name": "深圳某科技公司", "kind": "bidder"} | {f"k{i}": i for i in range(100_000)}
    answer = await client.post("/api/v1/orgs", json=body, headers=admin)
    assert answer.status_code == 422 and len(answer.content) < 20_000
    problem = answer.json()
    assert len(problem["invalid-params"]) == 100 and problem["invalid-params-omitted"] == 99_900
    assert problem["detail"].startswith("100000 invalid field(s)") and problem["detail"].endswith("and 99900 more")
