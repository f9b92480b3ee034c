"""Every page of the demo, as one user of each role, in Chinese and English, on a 390 px phone: nothing scrolls sideways
and every page passes the accessibility basics (tests/browser/a11y.js); the Chinese sign-in page
answers a wrong password in Chinese, with no English word."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.async_api import Browser, expect

from app.core.clock import FrozenClock
from app.core.settings import Settings
from app.demo import DEMO_PASSWORD, load_demo
from tests.browser.conftest import A11Y, PHONE, keep_screenshot, signed_in
from tests.conftest import World, server_env, start_server

ONE_OF_EACH_ROLE = ("admin", "supervisor", "agency1", "bidder1", "intermediary1")
MOST_PAGES = 12  # per user and language: the hall, the home page and the pages they link to


async def test_every_demo_page_fits_a_phone_and_passes_the_accessibility_check(
    settings: Settings, browser: Browser
) -> None:
    world = World(settings, FrozenClock(datetime.now(UTC)))
    async with world.sessions() as session:
        await load_demo(session, world.clock, settings)
    await world.close()
    base, server = start_server(server_env(settings))
    try:
        context = await browser.new_context(viewport=PHONE, locale="zh-CN")
        page = await context.new_page()
        await page.goto(f"{base}/login")
        await page.get_by_label("用户名").fill("bidder1")
        await page.get_by_label("密码").fill("not the password")
        await page.get_by_role("button", name="登录").click()
        problem = page.locator("#login-form .problem")
        await expect(problem).to_contain_text("用户名或密码错误")
        assert not re.search("[A-Za-z]{3,}", await problem.inner_text())
        await context.close()

        failures: dict[str, list[str]] = {}
        visited = 0
        for username in ONE_OF_EACH_ROLE:
            page = await signed_in(browser, base, username, viewport=PHONE, password=DEMO_PASSWORD)
            for lang in ("zh", "en"):  # the language sticks (a cookie) once a page is asked for in it
                pages, seen = [f"/console?lang={lang}", "/"], set()
                while pages and len(seen) < MOST_PAGES:
                    path = pages.pop(0)
                    if path in seen:
                        continue
                    seen.add(path)
                    answer = await page.goto(base + path, wait_until="domcontentloaded")
                    if answer is None or answer.status != 200:
                        continue
                    await page.wait_for_timeout(300)  # the live parts fill in
                    problems = list(await page.evaluate(A11Y))
                    wide = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                    if wide > 0:
                        problems.append(f"{wide} px wider than the phone")
                    if problems:
                        failures[f"{username} {lang} {path}"] = problems
                    links = await page.eval_on_selector_all(
                        "a[href^='/console/'], a[href^='/public/']",
                        "nodes => nodes.map(n => n.getAttribute('href'))",
                    )
                    pages += [link.split("?")[0].split("#")[0] for link in links]
                visited += len(seen)
            await keep_screenshot(page, f"every-page-{username}-phone")
            await page.context.close()
        assert failures == {}
        assert visited >= 60  # the crawl saw the demo, not just the sign-in page
    finally:
        server.terminate()
        server.wait(timeout=10)
