"""The web console over HTTP: public pages without a sign-in, the sign-in redirect, the CSRF
rules (cookie-signed requests need the page's token; cross-site requests are refused; bearer
clients are untouched), the language switch, and the pure helpers (words, charts). The pages'
behaviour in a real browser is in tests/browser."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.console import i18n
from app.console.charts import Bar, bar_chart
from app.console.timeline import MILESTONES, SCHEDULED, timeline
from app.core.actor import Actor, Role
from app.core.clock import FrozenClock
from app.core.csrf import CSRF_COOKIE
from app.identity.models import OrgKind
from bidding.tender.models import Tender as TenderRow
from experts import conduct
from experts.models import Expert
from tests.bidding.market.test_market import at, post_request, registered
from tests.bids import new_bidder, published_tender, sealed_bid, submit
from tests.conftest import PASSWORD, World, login, random_uscc
from tests.core.test_transparency import dsn, integrate_all, sign
from tests.credit.helpers import check, entry_row, import_list
from tests.evaluations import drawn_committee
from tests.openings import at_opening_time, hand_in, share_words, wait_for
from tests.steps import run_step

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "console" / "templates"
SCRIPT = Path(__file__).resolve().parents[2] / "app" / "console" / "static" / "console.js"


async def test_the_public_page_shows_tenders_figures_and_the_latest_signed_head_without_a_sign_in(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    await integrate_all(world)
    head = await sign(world, clock)
    page = await client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "招标公告" in page.text and "中介超市成交数据" in page.text
    assert f"/public/tenders/{tender.id}" in page.text
    assert head.root_hash in page.text and f"<dd>{head.tree_size}</dd>" in page.text
    detail = await client.get(f"/public/tenders/{tender.id}")
    assert detail.status_code == 200 and "开标记录" in detail.text
    missing = await client.get("/public/tenders/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and "出错了" in missing.text


async def test_a_console_page_without_a_sign_in_goes_to_the_sign_in_page(client: AsyncTestClient[Litestar]) -> None:
    answer = await client.get("/console/filings/new", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/console/filings/new"
    assert '<label for="username">用户名</label>' in (await client.get("/login")).text


async def test_a_request_signed_by_the_cookie_needs_the_pages_csrf_token(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    user = await world.user(Role.agency, await world.org(OrgKind.agency))
    signed = await client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert signed.status_code == 200  # the client keeps the sign-in cookie, as a browser does
    draft = {"project_name": "江城市政道路照明改造工程", "project_type": "construction"}
    forged = await client.post("/api/v1/filings", json=draft)
    assert forged.status_code == 403 and forged.json()["type"].endswith("/csrf")
    page = await client.get("/console")
    token = page.cookies.get(CSRF_COOKIE) or client.cookies.get(CSRF_COOKIE)
    assert token and f'<meta name="csrf-token" content="{token}">' in page.text
    wrong = await client.post("/api/v1/filings", json=draft, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    made = await client.post("/api/v1/filings", json=draft, headers={"X-CSRF-Token": token})
    assert made.status_code == 201, made.text
    # Another site's page posting with the visitor's cookie: refused, token or not.
    cross = await client.post(
        "/api/v1/filings", json=draft, headers={"X-CSRF-Token": token, "Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    listed = await client.get("/api/v1/filings")
    assert listed.json()["total"] == 1  # nothing the refused requests sent was kept
    # A bearer-token client (the CLI, an integration) never needs the token.
    bearer = signed.json()["access_token"]
    client.cookies.clear()
    api = await client.post("/api/v1/filings", json=draft, headers={"Authorization": f"Bearer {bearer}"})
    assert api.status_code == 201


async def test_english_is_one_click_away_and_remembered(client: AsyncTestClient[Litestar]) -> None:
    english = await client.get("/login?lang=en")
    assert "<h1>Sign in</h1>" in english.text and 'lang="en"' in english.text
    assert "<h1>Sign in</h1>" in (await client.get("/login")).text  # the cookie remembers
    assert "<h1>登录</h1>" in (await client.get("/login?lang=zh")).text


@pytest.mark.pure
def test_every_word_the_templates_use_exists_in_both_languages() -> None:
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""(?<![\w.])t\(["']([a-z_]+)["']\)""", template.read_text()))
    assert used and sorted(used - set(i18n.MESSAGES)) == []
    assert all(zh and en for zh, en in i18n.MESSAGES.values())
    assert i18n.translator("en")("hall") == "Supervision hall" and i18n.translator("zh")("hall") == "监督大厅"
    assert i18n.pick_language(None, None) == "zh" and i18n.pick_language("fr", "en") == "en"


@pytest.mark.pure
def test_a_bar_chart_is_svg_with_proportional_bars_and_escaped_labels() -> None:
    svg = bar_chart(
        "节约率 <按月>",
        [Bar("2026-11", Decimal("46.2"), "46.2 %"), Bar("<b>", Decimal("23.1"), "23.1 %")],
        empty_text="-",
    )
    assert svg.startswith("<svg") and "节约率 &lt;按月&gt;" in svg and "&lt;b&gt;" in svg and "<b>" not in svg
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert widths[0] == 2 * widths[1] or abs(widths[0] - 2 * widths[1]) <= 1
    assert "暂无" in bar_chart("x", [], empty_text="暂无")
    assert 'width="0"' in bar_chart("x", [Bar("a", Decimal(-5), "-5"), Bar("b", Decimal(1), "1")], empty_text="-")


@pytest.mark.pure
def test_the_script_reads_time_from_the_server_never_from_the_browser_clock() -> None:
    script = SCRIPT.read_text()
    assert "Date.now()" not in script and "new Date()" not in script


async def test_an_officer_sees_an_objects_audit_trail_checked_against_the_signed_head(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    officer = tender.desk.officer_headers
    async with world.sessions() as session:
        filing_id = (await session.get(TenderRow, uuid.UUID(tender.id))).filing_id  # type: ignore[union-attr]
    url = f"/console/audit/filing/{filing_id}"  # created, documents added, submitted, accepted
    before = await client.get(url, headers=officer)
    assert before.status_code == 200 and "待纳入" in before.text and "验证通过" not in before.text

    await integrate_all(world)
    head = await sign(world, clock)
    checked = await client.get(url, headers=officer)
    rows = re.findall(r'<tr data-seq="(\d+)">.*?<td class="state (\w+)">', checked.text, flags=re.S)
    assert len(rows) >= 5 and {state for _seq, state in rows} == {"verified"}
    assert "签名有效（平台公钥）" in checked.text and head.root_hash in checked.text

    # A superuser edits one of the tender's events, going around the trigger: the page says which.
    first = int(rows[0][0])
    connection = await asyncpg.connect(dsn(world.settings))
    try:
        await connection.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")
        await connection.execute("UPDATE audit_events SET actor = 'someone-else' WHERE seq = $1", first)
    finally:
        await connection.close()
    tampered = await client.get(url, headers=officer)
    states = dict(re.findall(r'<tr data-seq="(\d+)">.*?<td class="state (\w+)">', tampered.text, flags=re.S))
    assert states[str(first)] == "bad" and "已被篡改" in tampered.text
    assert {state for seq, state in states.items() if seq != str(first)} == {"verified"}

    agency = await client.get(url, headers=tender.desk.agency_headers)  # officers only
    assert agency.status_code == 403 and "出错了" in agency.text


async def test_the_hall_shows_expert_draws_abnormal_scores_and_credit_hits(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    scene = await drawn_committee(client, world)  # the draw runs at its time through the scheduler's step
    officer = scene.tender.desk.officer_headers
    # The evaluation flags a member's total as abnormal (what the signed report records for it).
    member = next(s for s in await scene.committee() if s["status"] == "drawn")
    async with world.sessions() as session:
        expert_id = await session.scalar(select(Expert.id).where(Expert.name == member["name"]))
        assert expert_id is not None
        await conduct.record_incident(
            session, world.clock, Actor.system("test"), expert_id, uuid.UUID(scene.tender.id), "abnormal_score", "b1d"
        )
        await session.commit()
    # A supervisor checks two subjects: one listed by its code (barred), one by name only (review).
    listed = random_uscc()
    rows = [entry_row("江城失信建材有限公司", uscc=listed), entry_row("江城同名公司")]
    assert (await import_list(client, scene.admin_headers, "dishonest_debtor", rows)).status_code == 200
    at = world.clock.now().date().isoformat()
    await check(client, officer, at, {"uscc": listed}, {"name": "江城同名公司"})

    hall = await client.get("/console", headers=officer)
    assert hall.status_code == 200
    draws = re.search(r'<table id="draws">(.*?)</table>', hall.text, flags=re.S)
    assert draws and "已抽取" in draws[1] and f"/console/audit/tender/{scene.tender.id}" in draws[1]
    abnormal = re.search(r'<table id="abnormal">(.*?)</table>', hall.text, flags=re.S)
    assert abnormal and member["name"] in abnormal[1]
    hits = re.search(r'<table id="credit-hits">(.*?)</table>', hall.text, flags=re.S)
    assert hits and "禁止参与" in hits[1] and "待人工核实" in hits[1] and "失信被执行人" in hits[1]
    assert '<tr class="overdue"><td>' + listed in hits[1]  # a bar stands out in red

    bidder_view = await client.get("/console", headers=scene.bidders[0].headers)  # officers only
    assert bidder_view.status_code == 200 and 'id="credit-hits"' not in bidder_view.text


@pytest.mark.pure
def test_the_timeline_keeps_milestones_in_order_names_each_and_hides_bids() -> None:
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    recorded = [
        ("filing.submit", t0 + timedelta(hours=1)),
        ("filing.create", t0),
        ("bid.confirm", t0 + timedelta(days=2)),  # a bid's submission: never on the timeline
        ("tender.publish", t0 + timedelta(days=1)),
    ]
    steps = timeline(recorded, [("opening_time", t0 + timedelta(days=30))], now=t0 + timedelta(days=3))
    assert [s.key for s in steps] == [
        "tl_filing_create",
        "tl_filing_submit",
        "tl_tender_publish",
        "tl_scheduled_opening",
    ]
    assert [s.done for s in steps] == [True, True, True, False]
    assert timeline([], [("opening_time", t0)], now=t0 + timedelta(seconds=1)) == []  # past: not "ahead"
    assert all(key in i18n.MESSAGES for key in [*MILESTONES.values(), *SCHEDULED.values()])


async def test_the_agency_sees_its_tenders_timeline_and_a_bidder_does_not(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await published_tender(client, world)
    page = await client.get(f"/console/tenders/{tender.id}", headers=tender.desk.agency_headers)
    steps = re.findall(r"<li class=\"(done|ahead)\"><time>[^<]+</time> ([^<·]+)", page.text)
    assert [(state, text.strip()) for state, text in steps] == [
        ("done", "创建招标备案"),
        ("done", "提交备案"),
        ("done", "备案通过，招标公告发布"),
        ("ahead", "投标截止及开标（计划）"),
    ]
    bidder = await client.get(f"/console/tenders/{tender.id}", headers=(await new_bidder(client, world)).headers)
    assert bidder.status_code == 200 and 'id="timeline"' not in bidder.text


async def test_the_public_page_shows_the_supermarkets_results_once_an_auction_closes(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    request_id, owner = await post_request(client, world, project_name="江城市图书馆改造工程造价咨询")
    (winner, headers), _second, _third = await registered(client, world, request_id, 3)
    clock.set(at("2026-12-01T09:31"))
    bid = await client.post(
        f"/api/v1/service-requests/{request_id}/auction/bids", json={"price": "240000.00"}, headers=headers
    )
    assert bid.status_code == 200, bid.text
    before = await client.get("/")
    assert "江城市图书馆改造工程造价咨询" not in before.text  # not a result while bidding
    # The officers' hall tells the story: the best price and the end, moved by the late bid.
    officer = await login(client, (await world.user(Role.supervisor)).username)
    hall_page = await client.get("/console", headers=officer)
    live = re.search(
        rf"<tr><td>江城市图书馆改造工程造价咨询</td>(.*?)/console/auctions/{request_id}", hall_page.text, re.S
    )
    assert live and "¥240,000.00" in live[1]
    bidder_hall = await client.get("/console", headers=owner)
    assert "¥240,000.00" not in bidder_hall.text  # the owner's hall links its room, without officers' columns

    clock.set(at("2026-12-01T10:06"))
    async with world.sessions() as session:
        assert await run_step(session, clock, "auction-close", world.settings, world.sessions) == 1
    client.cookies.clear()
    page = await client.get("/")  # no sign-in
    results = re.search(r'<table id="market-results">(.*?)</table>', page.text, flags=re.S)
    assert results, page.text
    row = re.search(r"<tr><td>江城市图书馆改造工程造价咨询</td>(.*?)</tr>", results[1], flags=re.S)
    assert row and winner.name in row[1]
    assert re.findall(r'<td class="num">([^<]+)</td>', row[1]) == ["¥300,000.00", "¥240,000.00", "¥60,000.00"]


@pytest.mark.parametrize(
    "query",  # as the attacker's link carries it
    [
        "/%5Cevil.example/x",
        "/%5C%5Cevil.example",
        "//evil.example/x",
        "/%09/evil.example",
        "/%0A/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "/console%5C..%5C%5Cevil.example",
        "/%20/evil.example",
    ],
)
async def test_the_sign_in_page_sends_the_browser_only_to_a_path_of_this_site(
    client: AsyncTestClient[Litestar], query: str
) -> None:
    page = await client.get(f"/login?next={query}")
    assert page.status_code == 200
    assert 'data-next="/console"' in page.text and "evil" not in page.text


async def test_the_sign_in_page_keeps_a_path_of_this_site(client: AsyncTestClient[Litestar]) -> None:
    page = await client.get("/login", params={"next": "/console/filings/new?step=2"})
    assert 'data-next="/console/filings/new?step=2"' in page.text


async def test_the_tender_page_carries_objections_and_the_hall_lists_what_waits_for_an_officer(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    desk, url = tender.desk, f"/api/v1/tenders/{tender.id}"
    holder = await new_bidder(client, world, "甲建设")
    documents = (await client.get(f"{url}/documents", headers=holder.headers)).json()
    await client.get(f"{url}/documents/{documents[0]['id']}", headers=holder.headers)

    # A bidder's page offers the objection to the documents; statuses and money read in Chinese.
    page = await client.get(f"/console/tenders/{tender.id}", headers=holder.headers)
    assert 'id="document-objection"' in page.text and "对招标文件提出异议" in page.text
    assert "<dd>已发布</dd>" in page.text and "¥" in page.text
    assert "--price 1000000.00" not in page.text  # no price above a budget suggested any more
    raised = await client.post(
        f"{url}/documents/objections", json={"grounds": "工期要求不合理"}, headers=holder.headers
    )
    assert raised.status_code == 201, raised.text

    # The agency sees it with its answer form and the hold; the hall lists it for officers.
    agency_page = await client.get(f"/console/tenders/{tender.id}", headers=desk.agency_headers)
    objections = re.search(r'<table id="objections">(.*?)</table>', agency_page.text, flags=re.S)
    assert objections and "工期要求不合理" in objections[1] and "招标文件" in objections[1]
    assert f'data-api="{url}/award/objections/{raised.json()["id"]}/answer"' in objections[1]
    assert "招标投标活动暂停" in agency_page.text and "对招标文件的异议待答复" in agency_page.text
    stranger = await new_bidder(client, world, "乙建设")
    stranger_page = await client.get(f"/console/tenders/{tender.id}", headers=stranger.headers)
    assert "工期要求不合理" not in stranger_page.text  # an objection is its objector's and the officers'
    hall = await client.get("/console", headers=desk.officer_headers)
    waiting = re.search(r'<table id="remedies">(.*?)</table>', hall.text, flags=re.S)
    assert waiting and "异议" in waiting[1] and f"/console/tenders/{tender.id}" in waiting[1]


async def test_rooms_wait_for_their_participants_and_let_nobody_else_in(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    tender = await published_tender(client, world)
    bidder, outsider = await new_bidder(client, world, "甲建设"), await new_bidder(client, world, "乙建设")
    assert (await submit(client, tender, bidder, sealed_bid(tender, bidder))).status_code == 201

    # Before the opening its bidder and the agency wait in the room; a countdown, no bids shown.
    for headers in (bidder.headers, tender.desk.agency_headers):
        room = await client.get(f"/console/openings/{tender.id}", headers=headers)
        assert room.status_code == 200 and 'id="countdown"' in room.text and "等待开标" in room.text
        assert re.search(r'<tbody id="bids">\s*</tbody>', room.text)  # whether others bid stays secret
    assert (await client.get(f"/console/openings/{tender.id}", headers=outsider.headers)).status_code == 404
    link = f'href="/console/openings/{tender.id}"'
    assert link in (await client.get(f"/console/tenders/{tender.id}", headers=bidder.headers)).text
    assert link not in (await client.get(f"/console/tenders/{tender.id}", headers=outsider.headers)).text

    # An auction room waits for the owner (and officers, and the registered) before bidding starts.
    request_id, owner = await post_request(client, world)
    waiting = await client.get(f"/console/auctions/{request_id}", headers=owner)
    assert waiting.status_code == 200 and 'id="auction-waiting"' in waiting.text and "距竞价开始" in waiting.text
    stranger = await login(
        client, (await world.user(Role.intermediary, await world.org(OrgKind.intermediary))).username
    )
    assert (await client.get(f"/console/auctions/{request_id}", headers=stranger)).status_code == 404


async def test_the_hall_shows_each_openings_shares_and_decryption(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock
) -> None:
    scene = await drawn_committee(client, world)
    await at_opening_time(client, scene.tender, clock)
    words, headers = await share_words(client, scene.tender, "agency")
    await hand_in(client, scene.tender, words, headers)  # one of the two shares the key needs
    hall_page = await client.get("/console", headers=scene.tender.desk.officer_headers)
    row = re.search(rf"<tr>((?:(?!</tr>).)*?/console/openings/{scene.tender.id})", hall_page.text, re.S)
    assert row, hall_page.text
    assert re.findall(r'<td class="num">([^<]+)</td>', row[1]) == ["1 / 2", "0 / 3"]
    outsider = await new_bidder(client, world, "丙建设")
    assert f"/console/openings/{scene.tender.id}" not in (await client.get("/console", headers=outsider.headers)).text
    words, headers = await share_words(client, scene.tender, "supervisor")
    await hand_in(client, scene.tender, words, headers)
    await wait_for(client, scene.tender, "read_out")  # the key rebuilt, the bids read out
    hall_page = await client.get("/console", headers=scene.tender.desk.officer_headers)
    row = re.search(rf"<tr>((?:(?!</tr>).)*?/console/openings/{scene.tender.id})", hall_page.text, re.S)
    assert row, hall_page.text
    assert re.findall(r'<td class="num">([^<]+)</td>', row[1]) == ["2 / 2", "3 / 3"]
    # Once the record is out the room is public by law; before it, a stranger's hall has no link to it.
