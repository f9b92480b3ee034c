"""An agency files a tender in the console and sees every deficiency at once (一次性告知)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
from playwright.async_api import Browser, expect

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.settings import Settings
from app.identity.models import OrgKind
from tests.browser.conftest import assert_accessible, keep_screenshot, signed_in
from tests.conftest import PASSWORD, World


async def test_an_agency_submits_a_filing_and_sees_every_deficiency_at_once(
    settings: Settings, two_servers: list[str], browser: Browser
) -> None:
    base = two_servers[0]
    world = World(settings, FrozenClock(datetime.now(UTC)))
    agent = await world.user(Role.agency, await world.org(OrgKind.agency, "江城建设工程招标代理有限公司"))
    page = await signed_in(browser, base, agent.username)

    await page.goto(f"{base}/console/filings/new")
    await assert_accessible(page, "#filing-form")
    await page.get_by_label("项目名称").fill("江城市第三中学教学楼新建工程")
    await page.get_by_label("项目类型").select_option("construction")
    await page.get_by_label("评标委员会人数").fill("4")
    await page.get_by_label("投标保证金（元）").fill("80000")
    await page.get_by_label("基本账户转账").check()  # cash only: the notice asks for a guarantee too
    await page.get_by_role("button", name="保存").click()
    await page.wait_for_url(re.compile(r"/console/filings/[0-9a-f-]{36}$"))
    filing_id = page.url.rsplit("/", 1)[1]

    await page.get_by_role("button", name="提交备案").click()
    notice = page.locator(".deficiency-notice")
    await expect(notice.get_by_role("heading", name="一次性告知书")).to_be_visible()

    async with httpx.AsyncClient(base_url=base) as http:  # what the API says of the same filing
        token = (await http.post("/api/v1/auth/login", json={"username": agent.username, "password": PASSWORD})).json()[
            "access_token"
        ]
        headers = {"Authorization": f"Bearer {token}"}
        answer = await http.post(f"/api/v1/filings/{filing_id}/submit", headers=headers)
        assert answer.status_code == 422
        deficiencies = answer.json()["deficiencies"]
        assert len(deficiencies) >= 5  # the budget, the dates, the documents, the committee...
        shown = await notice.locator("li").all_inner_texts()
        assert len(shown) == len(deficiencies)
        for item in deficiencies:
            assert any(item["message_zh"] in line for line in shown), item
        assert "bond_forms_invalid" in {d["code"] for d in deficiencies}
        saved = (await http.get(f"/api/v1/filings/{filing_id}", headers=headers)).json()
        status = saved["status"]
    assert (saved["bond_amount"], saved["bond_forms"]) == ("80000.00", ["transfer"])  # the checked box, a list
    assert status == "draft"  # the notice changed nothing
    await expect(page.locator("#filing-status")).to_have_text("草稿")  # the status in Chinese
    await assert_accessible(page)
    await keep_screenshot(page, "agency-filing-deficiencies")

    # 提交备案 three times straight from a new filing's page: one draft, however many clicks.
    await page.goto(f"{base}/console/filings/new")
    await page.get_by_label("项目名称").fill("江城市第四中学体育馆工程")
    for _ in range(3):
        await page.get_by_role("button", name="提交备案").click()
        await expect(page.locator(".deficiency-notice").get_by_role("heading", name="一次性告知书")).to_be_visible()
    await page.wait_for_url(re.compile(r"/console/filings/[0-9a-f-]{36}$"))  # the draft's own address now
    async with httpx.AsyncClient(base_url=base) as http:
        listed = (await http.get("/api/v1/filings", params={"limit": 100}, headers=headers)).json()["items"]
    assert [f["project_name"] for f in listed].count("江城市第四中学体育馆工程") == 1
    await world.close()
