"""The bid bond in a real browser: a bidder gets its own sub-account by giving its basic
account, another buys an electronic guarantee from the reference guarantor (a real process) and
sees it verified; the supervision hall shows a bond overdue for refund in red."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.async_api import Browser, expect

from app.core.settings import Settings
from tests.bidding.award.test_award_api import step
from tests.bids import new_bidder, sealed_bid, submit
from tests.bonds import BASIC_ACCOUNT, RunningGuarantor, bank_says, bond_tender, credit, register, start_guarantor
from tests.browser.conftest import assert_accessible, keep_screenshot
from tests.browser.test_consultation_page import ORIGIN, page_as
from tests.conftest import World


@pytest.fixture
def guarantor(settings: Settings, tmp_path: Path) -> Iterator[RunningGuarantor]:
    running, process = start_guarantor(settings, tmp_path, "insurer")
    yield running
    process.terminate()
    process.wait(timeout=10)


async def test_a_bidder_pays_by_transfer_or_buys_a_guarantee_in_the_page_and_an_overdue_refund_shows_red(
    client: AsyncTestClient[Litestar], world: World, browser: Browser, guarantor: RunningGuarantor
) -> None:
    tender = await bond_tender(client, world, bond_forms=["transfer", "insurance_guarantee"])
    await register(client, world, guarantor, "江城保险")
    payer, insured = await new_bidder(client, world), await new_bidder(client, world)
    url = f"{ORIGIN}/console/tenders/{tender.id}"

    page = await page_as(browser, client, payer.headers)
    await page.goto(url)
    await assert_accessible(page, "#my-bond")
    await page.get_by_label("基本存款账户账号").fill(BASIC_ACCOUNT)
    await page.get_by_role("button", name="获取缴纳子账户").click()
    await expect(page.locator("#sub-account")).to_have_text(re.compile(r"^37010100000000\d{8}$"))
    await expect(page.locator("#my-bond")).to_contain_text("待缴纳")

    page = await page_as(browser, client, insured.headers)
    await page.goto(url)
    await page.get_by_label("出函机构").select_option(label="江城保险（保证保险）")
    await page.get_by_role("button", name="在线申请电子保函").click()
    await expect(page.locator("#my-bond .guarantee")).to_contain_text("平台已验证")
    await expect(page.locator("#my-bond")).to_contain_text("已收取")
    await keep_screenshot(page, "bond-guarantee-verified")

    # The payer pays and withdraws; its refund is not paid in time: red in the supervision hall.
    sub_account = (await client.get(f"/api/v1/tenders/{tender.id}/bond", headers=payer.headers)).json()["sub_account"]
    await bank_says(client, world.settings, credit(sub_account, 5_000_000, world.clock.now()))
    assert (await submit(client, tender, payer, sealed_bid(tender, payer))).status_code == 201
    assert (await client.post(f"/api/v1/tenders/{tender.id}/bids/withdraw", headers=payer.headers)).status_code == 200
    assert await step(world, "bond-refund") == 1
    world.clock.advance(timedelta(days=8))  # due by Monday 12-07 (Saturday 12-05 moved, 民法典 art. 203)
    hall = await page_as(browser, client, tender.desk.officer_headers)
    await hall.goto(f"{ORIGIN}/console")
    row = hall.locator("#overdue-refunds tbody tr")
    await expect(row).to_have_count(1)
    await expect(row).to_have_class("overdue")
    await expect(row).to_contain_text(payer.org.uscc)
