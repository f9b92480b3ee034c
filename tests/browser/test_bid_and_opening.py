"""A bidder uploads its sealed file in the console and keeps the receipt; at the deadline a
supervisor watches the opening room update by itself as the custodians' shares arrive and the
bids are decrypted and read out."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, expect

from app.core.clock import FrozenClock
from app.core.settings import Settings
from tests.bids import live_opening
from tests.browser.conftest import PHONE, assert_accessible, keep_screenshot, signed_in
from tests.conftest import World


async def test_a_bidder_uploads_in_the_console_and_a_supervisor_watches_the_opening_live(
    settings: Settings, two_servers: list[str], browser: Browser, tmp_path: Path
) -> None:
    base, other = two_servers
    world = World(settings, FrozenClock(datetime.now(UTC)))
    async with httpx.AsyncClient(timeout=30) as http:
        scene = await live_opening(world, http, base, timedelta(seconds=40))
        tender_id, officer, deadline = scene.tender_id, scene.officer, scene.deadline
        bidders = [
            await scene.sealed_bidder(name, price)
            for name, price in (
                ("江城第一建筑工程有限公司", "90000.00"),
                ("长江路桥建设集团有限公司", "88500.00"),
                ("中南水利水电工程有限公司", "91200.00"),
                ("楚天园林绿化工程有限公司", "86000.00"),  # withdraws before the deadline
            )
        ]

        # --- The first bidder uploads its sealed file through the console and keeps the receipt.
        (first, first_file), *others = bidders
        page = await signed_in(browser, base, first.username)
        await page.goto(f"{base}/console/tenders/{tender_id}")
        await expect(page.locator("#seal-command")).to_contain_text(f"ggzy seal --server {base}")
        await expect(page.locator("#seal-command")).to_contain_text(f"--tender {tender_id}")
        await assert_accessible(page, "#bid-form")
        await assert_accessible(page, "#document-objection")  # a holder's objection to the documents
        path = tmp_path / "bid.ggzy"
        path.write_bytes(first_file)
        await page.get_by_label("已封装的投标文件（.ggzy）").set_input_files(str(path))
        await page.get_by_role("button", name="递交投标文件").click()
        await expect(page.locator("#receipt-check")).to_have_text("回执签名验证通过（平台公钥）")
        await expect(page.locator("#bid-progress")).to_have_attribute("value", "100")
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="下载回执").click()
        downloaded = await (await download_info.value).path()
        receipt = json.loads(await asyncio.to_thread(Path(downloaded).read_text))
        assert receipt["sha256"] == hashlib.sha256(first_file).hexdigest()
        assert receipt["tender"] == tender_id and receipt["size"] == len(first_file)
        await keep_screenshot(page, "bidder-receipt")

        # It replaces its bid (the same file again): the old one is marked replaced, the new one current.
        await page.get_by_label("已封装的投标文件（.ggzy）").set_input_files(str(path))
        await page.get_by_role("button", name="递交投标文件").click()
        statuses = page.locator("#my-bids tr td:nth-child(2)")
        await expect(statuses).to_have_text(["已替换", "已提交"], timeout=10_000)

        *others, (quitter, quitter_file) = others
        for user, data in [*others, (quitter, quitter_file)]:  # the others use the API, as `ggzy submit` does
            await scene.submit(user, data)

        # The fourth bidder withdraws its bid in its own browser before the deadline.
        leaving = await signed_in(browser, other, quitter.username)
        await leaving.goto(f"{other}/console/tenders/{tender_id}")
        await expect(leaving.locator("#my-bids tr td:nth-child(2)")).to_have_text(["已提交"])
        questions: list[str] = []

        async def confirm(dialog: Any) -> None:  # a withdrawal is confirmed first
            questions.append(dialog.message)
            await dialog.accept()

        leaving.on("dialog", confirm)
        await leaving.get_by_role("button", name="撤回投标").click()
        await expect(leaving.locator("#receipt-check")).to_have_text("已撤回")
        await expect(leaving.locator("#my-bids tr td:nth-child(2)")).to_have_text(["已撤回"])
        assert questions == ["确定撤回投标文件吗？截止时间前可重新递交。"]

        # --- The first bidder opens the opening room on its phone before the deadline: the room waits
        # for it with a countdown on the server's time, and shows nothing of the others' bids.
        phone = await signed_in(browser, other, first.username, viewport=PHONE)
        await phone.goto(f"{other}/console/openings/{tender_id}")
        await expect(phone.locator("#opening-status")).to_have_text("已发布")
        await expect(phone.locator("#countdown")).to_have_text(re.compile(r"^\d{2}:\d{2}:\d{2}$"))
        await expect(phone.locator("#bids tr")).to_have_count(0)
        assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
        await phone.get_by_role("button", name="大字体").click()  # 适老化: larger text, kept on the next page
        await phone.reload()
        assert await phone.evaluate("document.documentElement.classList.contains('large-text')")
        await expect(phone.get_by_role("button", name="大字体")).to_have_attribute("aria-pressed", "true")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        await assert_accessible(phone)

        # --- The supervisor keeps the hall open, and opens the opening room (on the other worker).
        lobby = await signed_in(browser, other, officer.username)
        row = lobby.locator("#openings tr", has_text="限时开标项目")
        await expect(row).to_contain_text("已发布")
        hall = await signed_in(browser, other, officer.username)
        await hall.goto(f"{other}/console/openings/{tender_id}")
        await expect(hall.locator("#connection")).to_have_text("实时连接已建立")
        wait = (deadline - datetime.now(UTC)).total_seconds() + 0.5
        await hall.wait_for_timeout(max(0.0, wait) * 1000)
        for number, (custodian, private) in enumerate(scene.custody, start=1):
            await scene.hand_in(custodian, private)
            await expect(hall.locator("#shares-count")).to_have_text(str(number))  # no reload
        await expect(hall.locator("#threshold")).to_have_text("2")
        await expect(hall.locator("#decrypted")).to_have_text("3", timeout=20_000)
        prices = hall.locator("#bids .price")
        await expect(prices).to_have_text(["¥90,000.00", "¥88,500.00", "¥91,200.00"], timeout=20_000)
        # The phone turned live by itself: the same prices, read out, no reload.
        await expect(phone.locator("#bids .price")).to_have_text(["¥90,000.00", "¥88,500.00", "¥91,200.00"])
        await expect(phone.locator("#countdown")).to_have_text("开标进行中")
        await keep_screenshot(phone, "bidder-phone-opening-room")
        await expect(hall.locator("#record-section")).to_be_visible(timeout=20_000)
        await expect(hall.locator("#events li")).to_contain_text(
            ["开标开始", "收到密钥份额", "收到密钥份额", "开标密钥已恢复"]
        )
        await assert_accessible(hall)
        await keep_screenshot(hall, "supervisor-opening-room")
        # The first bidder confirms the record in its opening room; the supervisor's room counts it.
        await page.goto(f"{base}/console/openings/{tender_id}")
        await expect(page.locator("#record-section")).to_be_visible()
        await page.get_by_role("button", name="确认开标记录").click()
        await expect(page.locator("#responses")).to_have_text("1")
        await expect(hall.locator("#responses")).to_have_text("1", timeout=10_000)  # no reload

        await expect(row).to_contain_text("已开标", timeout=15_000)  # the hall's list follows, no reload
        await expect(lobby.locator("#page-live")).to_contain_text("已更新")
        # The hall's live region announces the section that changed, not each refresh.
        await expect(lobby.locator("#page-changes")).to_contain_text("有更新")
        assert await lobby.locator("#page-live").get_attribute("aria-live") is None
        await assert_accessible(lobby)
        await keep_screenshot(lobby, "supervision-hall")

        # The opening's audit trail, and the public page, pass the same checks.
        await hall.goto(f"{other}/console/audit/tender/{tender_id}")
        await expect(hall.locator("#trail tbody tr").first).to_be_visible()
        await assert_accessible(hall)
        visitor = await browser.new_page(locale="zh-CN")
        await visitor.goto(f"{base}/")
        await expect(visitor.locator("h1")).to_have_text("公共资源交易平台")
        await assert_accessible(visitor)
        await keep_screenshot(visitor, "public-home")
    await world.close()
