"""Three bidders' bonds from the tender to the contract, through the HTTP API on PostgreSQL
against the reference guarantors (`ggzy guarantor serve`, a bank and an insurer, real processes)
and the settlement bank's signed messages: one pays cash into its own sub-account, one buys a
bank guarantee, one an insurance guarantee, each through the platform; the committee sees all
three stand; after the contract every bond is back within 5 days (实施条例 art. 57) — the cash
with its interest, the guarantees released at their guarantors — every ledger balances, and the
period's figures count them. Read it to learn the bond's whole path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.clock import FrozenClock
from app.core.settings import Settings
from tests.bidding.award.test_award_api import contract_signed_today, period, step
from tests.bids import Bidder, Tender
from tests.bonds import (
    BOND,
    RunningGuarantor,
    assert_ledgers_balanced,
    bonds_of,
    paid_cash_bond,
    pay_instructions,
    register,
    start_guarantor,
)
from tests.conftest import SHANGHAI, World
from tests.evaluations import drawn_committee, signed_report

PRICES = ["8100000.00", "8200000.00", "8300000.00"]


@pytest.fixture
def guarantors(settings: Settings, tmp_path: Path) -> Iterator[tuple[RunningGuarantor, RunningGuarantor]]:
    bank, bank_process = start_guarantor(settings, tmp_path, "bank")
    insurer, insurer_process = start_guarantor(settings, tmp_path, "insurer")
    yield bank, insurer
    for process in (bank_process, insurer_process):
        process.terminate()
        process.wait(timeout=10)


async def test_cash_a_bank_guarantee_and_an_insurance_guarantee_all_come_back_after_the_contract(
    client: AsyncTestClient[Litestar],
    world: World,
    clock: FrozenClock,
    guarantors: tuple[RunningGuarantor, RunningGuarantor],
) -> None:
    bank, insurer = guarantors
    bought: dict[str, dict[str, str]] = {}

    async def post_bonds(tender: Tender, bidders: list[Bidder]) -> None:
        cash, banked, insured = bidders
        await paid_cash_bond(client, world, tender, cash)
        for bidder, guarantor, name in ((banked, bank, "江城银行"), (insured, insurer, "江城保险")):
            guarantor_id = await register(client, world, guarantor, name)
            answer = await client.post(
                f"/api/v1/tenders/{tender.id}/bond/guarantee", json={"guarantor": guarantor_id}, headers=bidder.headers
            )
            assert answer.status_code == 200, answer.text
            bought[bidder.org.uscc] = answer.json()["guarantee"]

    scene = await drawn_committee(client, world, prices=PRICES, bonds=True, before_bids=post_bonds)
    desk, (cash, banked, insured) = scene.tender.desk, scene.bidders
    assert [bought[b.org.uscc]["stands"] for b in (banked, insured)] == [True, True]

    # The opening: each guarantee checked again online with its guarantor; the committee sees all three stand.
    detail = (await client.get(scene.url, headers=desk.officer_headers)).json()
    clock.set(datetime.fromisoformat(detail["opening_time"]))
    await signed_report(scene, clock)
    assert await step(world, "guarantee-opening-check") == 2
    evaluation = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()
    forms = {uscc: (b["form"], b["valid"]) for uscc, b in evaluation["bonds"].items()}
    assert forms == {
        cash.org.uscc: ("transfer", True),
        banked.org.uscc: ("bank_guarantee", True),
        insured.org.uscc: ("insurance_guarantee", True),
    }

    # Publicity, the award and the contract: until then every bond is held.
    published = await client.post(f"{scene.url}/award/publicity", headers=desk.agency_headers)
    assert published.status_code == 200, published.text
    clock.set(datetime.fromisoformat(published.json()["publicity"]["ends_at"]) + timedelta(seconds=1))
    first = published.json()["publicity"]["candidates"][0]["bid"]
    decided = await client.post(f"{scene.url}/award/decision", json={"bid": first}, headers=desk.agency_headers)
    assert decided.status_code == 200, decided.text
    assert await step(world, "bond-refund") == 0
    contract = await contract_signed_today(scene, clock, PRICES[0])
    assert contract.status_code == 200, contract.text
    today = clock.now().astimezone(SHANGHAI).date()

    # Within 5 days of the contract: the cash instructed back with its interest and paid by the
    # bank, each guarantee released at its guarantor.
    due = (await period(client, today, 5))["last_day"]
    assert await step(world, "bond-refund") == 3
    [instruction] = await pay_instructions(client, world.settings)
    assert instruction["principal"] == BOND and Decimal(instruction["interest"]) > 0
    assert await step(world, "guarantor-outbox") == 2
    for guarantor, bidder in ((bank, banked), (insurer, insured)):
        [held] = guarantor.issued()
        assert (held["number"], held["status"]) == (bought[bidder.org.uscc]["number"], "released")
    bonds = await bonds_of(client, scene.tender.id, desk.officer_headers)
    assert {uscc: (b["status"], b["refund_due"]) for uscc, b in bonds.items()} == {
        cash.org.uscc: ("refunded", due),
        banked.org.uscc: ("released", due),
        insured.org.uscc: ("released", due),
    }
    back = bonds[cash.org.uscc]
    assert back["refunded"] == str(Decimal(BOND) + Decimal(back["interest"])) and back["balance"] == "0.00"
    assert all(
        datetime.fromisoformat(b["refunded_at"]).astimezone(SHANGHAI).date().isoformat() <= due for b in bonds.values()
    )
    assert await step(world, "bond-refund-late") == 0
    await assert_ledgers_balanced(world)

    # The period's figures: three bonds, two of them guarantees; all three back, on time.
    month = today.replace(day=1)
    figures = (
        await client.get(
            "/api/v1/bonds/stats",
            params={"start": "2026-11-01", "end": (month + timedelta(days=40)).isoformat()},
            headers=desk.officer_headers,
        )
    ).json()
    assert (figures["bonds_posted"], figures["cash"], figures["guarantees"]) == (3, 1, 2)
    assert figures["guarantee_share"] == "0.6667" and figures["on_time_rate"] == "1.0000"
    assert figures["bonds_returned"] == 3 and figures["refunded"] == back["refunded"]
    assert figures["money_released"] == str(Decimal(back["refunded"]) + 2 * Decimal(BOND))
    assert figures["overdue"] == []
