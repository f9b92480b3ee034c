"""竞争性磋商's page in a real browser: a member of the panel records a round that excludes a
supplier with its reason, and a supplier seals its final quote (a PUT) — console.js sending the
forms' fields as the API wants them. The browser talks to the in-process application (every
request routed to it as the signed-in user), so the page, its script and the API are the
platform's own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.async_api import Browser, Page, Route, expect

from app.core.clock import FrozenClock
from tests.browser.conftest import assert_accessible, keep_screenshot
from tests.conftest import World
from tests.experts.test_consultation import consulting

STATIC = Path(__file__).resolve().parents[2] / "app" / "console" / "static"
ORIGIN = "http://ggzy.test"


async def page_as(browser: Browser, client: AsyncTestClient[Litestar], headers: dict[str, str]) -> Page:
    """A browser page whose every request the application answers as the user of `headers`."""
    context = await browser.new_context(viewport={"width": 1200, "height": 1000}, locale="zh-CN")
    page = await context.new_page()

    async def answer(route: Route) -> None:
        request = route.request
        path = urlsplit(request.url).path
        if path.startswith("/static/"):
            body = (STATIC / path.removeprefix("/static/")).read_bytes()
            kind = "text/css" if path.endswith(".css") else "text/javascript"
            await route.fulfill(status=200, body=body, content_type=kind)
            return
        sent = {k: v for k, v in request.headers.items() if k.lower() in ("content-type", "accept-language")}
        response = await client.request(
            request.method, path, content=request.post_data_buffer, headers={**sent, **headers}
        )
        await route.fulfill(
            status=response.status_code,
            body=response.content,
            content_type=response.headers.get("content-type", "text/html"),
        )

    await page.route(f"{ORIGIN}/**", answer)
    return page


async def test_the_panel_records_a_round_and_a_supplier_seals_its_final_quote_in_the_page(
    client: AsyncTestClient[Litestar], world: World, clock: FrozenClock, browser: Browser
) -> None:
    scene, heads = await consulting(client, world, clock)
    member = next(iter(heads.values()))
    url = f"/console/tenders/{scene.tender.id}/consultation"
    bids = (await client.get(f"{scene.url}/evaluation", headers=scene.tender.desk.officer_headers)).json()["bids"]
    fourth = next(b for b in bids if b["uscc"] == scene.bidders[3].org.uscc)

    panel = await page_as(browser, client, member)
    await panel.goto(f"{ORIGIN}{url}")
    await assert_accessible(panel, "#consultation-round")
    await panel.get_by_label("变更的技术、服务要求或合同条款").fill("交付期由60日调整为45日")
    await panel.get_by_label("排除的供应商").select_option(fourth["bid"])
    await panel.locator("#round-exclude-reason").fill("未提供有效的资质证书")
    await panel.get_by_role("button", name="记录本轮磋商").click()
    await expect(panel.locator("#rounds tbody tr")).to_have_count(1)
    await expect(panel.locator("#rounds")).to_contain_text("交付期由60日调整为45日")
    await expect(panel.locator("#excluded")).to_contain_text("未提供有效的资质证书")
    await keep_screenshot(panel, "consultation-panel")

    # The purchaser confirms through the API; the panel calls the final quotes; a supplier seals its own.
    confirmed = await client.post(
        f"{scene.url}/consultation/rounds/1/confirmation",
        json={"confirmed": True, "text": "采购人同意"},
        headers=scene.tender.desk.agency_headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    until = clock.now() + timedelta(hours=2)
    called = await client.post(
        f"{scene.url}/consultation/final-quotes", json={"until": until.isoformat()}, headers=member
    )
    assert called.status_code == 200, called.text
    supplier = await page_as(browser, client, scene.bidders[0].headers)
    await supplier.goto(f"{ORIGIN}{url}")
    await assert_accessible(supplier, "#final-quote")
    await supplier.get_by_label("最后报价（元）").fill("-1")
    await supplier.get_by_role("button", name="提交最后报价").click()
    await expect(supplier.locator("#final-quote .problem")).not_to_be_empty()
    await supplier.get_by_label("最后报价（元）").fill("750000.00")
    await supplier.get_by_role("button", name="提交最后报价").click()
    await expect(supplier.locator("#my-quote")).to_contain_text("最后报价已密封提交")
    await keep_screenshot(supplier, "consultation-supplier")
