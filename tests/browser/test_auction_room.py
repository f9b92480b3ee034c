"""The intermediary auction room: one intermediary bids in its browser; a competitor's browser,
on the other web worker, sees the new best price and the extension without reloading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import Browser, expect

from app.core.clock import FrozenClock
from app.core.settings import Settings
from tests.auctions import live_auction
from tests.browser.conftest import assert_accessible, keep_screenshot, signed_in
from tests.conftest import World


async def test_a_bid_in_one_browser_shows_in_the_other_with_the_extension(
    settings: Settings, two_servers: list[str], browser: Browser
) -> None:
    world = World(settings, FrozenClock(datetime.now(UTC)))
    # Ending 90 s after it opens: every bid falls in the last 2 minutes and extends it by 5.
    _owner, registered, request_id = await live_auction(
        world, world.clock, 3, "江城市第三中学造价咨询", ends_in=timedelta(seconds=90)
    )
    (_, first), (_, second), _third = registered
    bidder = await signed_in(browser, two_servers[0], first.username)
    rival = await signed_in(browser, two_servers[1], second.username)
    for page, base in ((bidder, two_servers[0]), (rival, two_servers[1])):
        await page.goto(f"{base}/console/auctions/{request_id}")
        await expect(page.locator("#connection")).to_have_text("实时连接已建立")
    await expect(bidder.locator("#highest-acceptable")).to_have_text("¥299,900.00")  # the ceiling less the step
    left_before = await rival.locator("#time-left").inner_text()
    minutes_before = int(left_before.split(":")[0])
    assert minutes_before <= 1  # the countdown runs on the server's time: about 1:28 left

    await assert_accessible(bidder, "#auction-bid")
    asked: list[str] = []  # a bid is confirmed first, with its amount as people read it

    async def confirm(dialog: Any) -> None:
        asked.append(dialog.message)
        await dialog.accept()

    bidder.on("dialog", confirm)
    rival.on("dialog", confirm)
    await bidder.get_by_label("您的报价（元）").fill("280000.00")
    await bidder.get_by_role("button", name="报价").click()

    await expect(rival.locator("#best-price")).to_have_text("¥280,000.00")
    assert asked == ["确认报价 ¥280,000.00？报价提交后不可撤回。"]
    await expect(rival.locator("#price-chart polyline")).to_have_count(1)  # the price over time, live
    await expect(rival.locator("#price-chart text")).to_have_text("¥280,000.00 · 1 次报价")
    await expect(rival.locator("#extension")).to_contain_text("竞价时间已延长至")
    await expect(rival.locator("#highest-acceptable")).to_have_text("¥279,900.00")
    await expect(rival.locator("#my-rank")).not_to_have_text("1")  # the rival's own rank, behind now
    assert int((await rival.locator("#time-left").inner_text()).split(":")[0]) >= 4  # about 5 minutes now
    await expect(bidder.locator("#my-rank")).to_have_text("1")
    await expect(rival.locator("#standings tr").first).to_contain_text("¥280,000.00")
    assert first.org_uscc not in await rival.locator("#standings").inner_text()  # competitors are anonymous

    await rival.get_by_label("您的报价（元）").fill("290000.00")  # not low enough: refused, with the reason
    await rival.get_by_role("button", name="报价").click()
    await expect(rival.locator("#auction-bid .problem")).to_contain_text("报价无效")  # in Chinese, with the reason
    await expect(rival.locator("#auction-bid .problem")).to_contain_text("279900.00")
    await keep_screenshot(rival, "auction-room-rival")
    await keep_screenshot(bidder, "auction-room-bidder")
    await world.close()
