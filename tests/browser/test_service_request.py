"""An agency posts a service request in the console and follows it: a bad post names every bad
field and keeps nothing; a good one lands on the request's page, which shows an intermediary's
registration without a reload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import Browser, expect

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.settings import Settings
from app.identity.models import OrgKind
from tests.auctions import qualified_intermediary
from tests.browser.conftest import assert_accessible, keep_screenshot, signed_in
from tests.conftest import PASSWORD, SHANGHAI, World


async def test_an_agency_posts_a_service_request_and_follows_its_registrations(
    settings: Settings, two_servers: list[str], browser: Browser
) -> None:
    base, other = two_servers
    world = World(settings, FrozenClock(datetime.now(UTC)))
    agent = await world.user(Role.agency, await world.org(OrgKind.agency))
    _org, consultant = await qualified_intermediary(world, world.clock)

    page = await signed_in(browser, base, agent.username)
    await page.get_by_role("link", name="发布中介服务项目").click()
    await page.wait_for_url(f"{base}/console/requests/new")
    await assert_accessible(page, "#request-form")

    def local(delta: timedelta) -> str:
        return (datetime.now(UTC) + delta).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")

    await page.get_by_label("项目名称").fill("江城市第二中学体育馆地形测绘")
    await page.get_by_label("服务类别").select_option(label="测绘")
    await page.get_by_label("最高限价（元）").fill("-5")  # bad: refused with the field named, nothing kept
    await page.get_by_label("最小降价幅度（元）").fill("500.00")
    await page.get_by_label("报名截止时间").fill(local(timedelta(hours=2)))
    await page.get_by_label("竞价开始时间").fill(local(timedelta(hours=1)))  # before registration closes: bad
    await page.get_by_label("竞价结束时间").fill(local(timedelta(hours=3)))
    await page.get_by_role("button", name="发布").click()
    problem = page.locator("#request-form .problem")
    await expect(problem).to_contain_text("ceiling")
    async with httpx.AsyncClient(timeout=30) as http:
        login = await http.post(f"{base}/api/v1/auth/login", json={"username": agent.username, "password": PASSWORD})
        mine = {"Authorization": f"Bearer {login.json()['access_token']}"}
        listed = (await http.get(f"{base}/api/v1/service-requests", headers=mine)).json()
        assert listed["total"] == 0  # nothing half-posted

        await page.get_by_label("最高限价（元）").fill("150000.00")
        await page.get_by_label("竞价开始时间").fill(local(timedelta(hours=2)))
        await page.get_by_role("button", name="发布").click()
        await page.wait_for_url(f"{base}/console/requests/*")
        await expect(page.locator("#request-status")).to_have_text("报名中")
        await expect(page.locator("#registered")).to_have_text("0")
        request_id = page.url.rsplit("/", 1)[1]

        # An intermediary registers through its own page, on the other worker.
        rival = await signed_in(browser, other, consultant.username)
        await rival.goto(f"{other}/console/requests/{request_id}")
        await rival.get_by_role("button", name="报名参加").click()
        await expect(rival.locator("#register-form .notice-ok")).to_have_text("报名成功")

        await expect(page.locator("#registered")).to_have_text("1", timeout=15_000)  # the agency's page follows
        await assert_accessible(page)
        await keep_screenshot(page, "agency-service-request")
        hall = await http.get(f"{base}/console", headers=mine)
        assert f"/console/requests/{request_id}" in hall.text
    await world.close()
