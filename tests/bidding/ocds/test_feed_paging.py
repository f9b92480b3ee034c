"""The public OCDS feed pages through its stored index by cursor: every release once, in order,
across pages; a tender's new event reaches the feed at the next read; a cursor the feed did not
give is a 400 naming `after`, never a server error."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.bids import published_tender
from tests.conftest import World
from tests.filings import open_desk
from tests.ocds import parse, problems


async def test_the_feed_pages_by_cursor_and_follows_a_tenders_new_event(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    desk = await open_desk(client, world, world.clock)
    tenders = [await published_tender(client, world, desk) for _ in range(3)]
    seen: list[str] = []
    query: dict[str, str] = {"limit": "1"}
    while True:
        answer = await client.get("/api/v1/ocds/releases", params=query)
        assert answer.status_code == 200, answer.text
        package = parse(answer.content)
        assert problems(package) == []
        seen += [r["id"] for r in package["releases"]]
        if "links" not in package:
            break
        query = {k: v[0] for k, v in parse_qs(urlparse(package["links"]["next"]).query).items()}
    assert len(seen) == len(set(seen)) == 3 and all(any(t.id in r for r in seen) for t in tenders)

    # The first tender is clarified: the next read has its amendment release, after the others.
    world.clock.advance(timedelta(days=1))
    clarified = await client.post(
        f"/api/v1/tenders/{tenders[0].id}/amendments",
        json={"kind": "clarification", "summary": "第二章答疑：工期按日历天计"},
        headers=desk.agency_headers,
    )
    assert clarified.status_code == 201, clarified.text
    everything = parse((await client.get("/api/v1/ocds/releases")).content)
    assert [r["tag"] for r in everything["releases"]] == [["tender"]] * 3 + [["tenderAmendment"]]
    assert tenders[0].id in everything["releases"][-1]["id"]


@pytest.mark.parametrize(
    "cursor",
    ["x", "~", "2026-12-01T00:00:00+08:00~", "not-a-date~ocds-1", "2026-12-01T00:00:00~ocds-1", "2026-13-01T00:00Z~x"],
)
async def test_a_cursor_the_feed_did_not_give_is_a_bad_request_naming_after(
    client: AsyncTestClient[Litestar], cursor: str
) -> None:
    answer = await client.get("/api/v1/ocds/releases", params={"after": cursor})
    assert answer.status_code == 400, answer.text
    assert [p["name"] for p in answer.json()["invalid-params"]] == ["after"]
