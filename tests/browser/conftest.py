"""The web console in a real browser: Playwright for Python driving Debian's Chromium
(/usr/bin/chromium; nothing is downloaded), against `ggzy serve` workers on PostgreSQL and Redis.

Each scenario keeps a screenshot under test-artifacts/browser/ and checks that Chinese renders as
real glyphs (two different characters draw differently: missing fonts draw the same box), and
the accessibility basics of the page: a label on every control, enough contrast (tests/browser/
a11y.js) and every control of a form reachable with the Tab key.
"""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from playwright.async_api import Browser, Page, async_playwright

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("GGZY_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
A11Y = (Path(__file__).parent / "a11y.js").read_text()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        await launched.close()


PHONE = {"width": 390, "height": 844}


async def signed_in(
    browser: Browser, base: str, username: str, viewport: dict[str, int] | None = None, password: str = PASSWORD
) -> Page:
    """A browser of its own (its own cookies) signed in through the sign-in page; a desktop window
    unless `viewport` says otherwise (PHONE: a 390 px phone)."""
    context = await browser.new_context(viewport=viewport or {"width": 1200, "height": 1000}, locale="zh-CN")
    page = await context.new_page()
    await page.goto(f"{base}/login?next=/console")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"{base}/console")
    return page


def _dark_pixels(png: bytes) -> tuple[Image.Image, int]:
    image = Image.open(io.BytesIO(png)).convert("L")
    return image, sum(image.histogram()[:128])


async def keep_screenshot(page: Page, name: str) -> None:
    """Save the page under test-artifacts/browser/NAME.png and check CJK glyphs are drawn."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    await page.evaluate(
        """() => { for (const [id, text, left] of [["glyph-a", "监", 0], ["glyph-b", "督", 80]]) {
            const span = document.createElement("span"); span.id = id; span.textContent = text;
            span.style.cssText = `font-size:40px;color:#000;background:#fff;position:fixed;top:0;left:${left}px`;
            document.body.append(span); } }"""
    )
    first, dark_first = _dark_pixels(await page.locator("#glyph-a").screenshot())
    second, dark_second = _dark_pixels(await page.locator("#glyph-b").screenshot())
    await page.evaluate(
        "() => { document.getElementById('glyph-a').remove(); document.getElementById('glyph-b').remove(); }"
    )
    assert dark_first > 40 and dark_second > 40, "the Chinese characters drew nothing"
    same_size = first.size == second.size
    assert not same_size or ImageChops.difference(first, second).getbbox() is not None, (
        "two different characters drew the same shape: a missing CJK font (install fonts-noto-cjk)"
    )


async def assert_accessible(page: Page, form: str | None = None) -> None:
    """Labels on every control and enough contrast; with `form`, each of its controls is reached by Tab."""
    assert await page.evaluate(A11Y) == []
    if form is None:
        return
    wanted = await page.eval_on_selector_all(
        f"{form} input:not([type=hidden]):not([disabled]), {form} select:not([disabled]), "
        f"{form} textarea:not([disabled]), {form} button:not([disabled])",
        "nodes => nodes.filter(n => n.getClientRects().length).map(n => n.id || n.name || n.textContent.trim())",
    )
    await page.locator("body").focus()
    await page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached: set[str] = set()
    for _ in range(80):
        await page.keyboard.press("Tab")
        reached.add(
            await page.evaluate(
                "() => { const n = document.activeElement; return n ? (n.id || n.name || n.textContent.trim()) : ''; }"
            )
        )
    missing = [name for name in wanted if name not in reached]
    assert missing == [], f"not reachable with the Tab key: {missing}"
