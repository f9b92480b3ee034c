"""Cash bonds through virtual sub-accounts: a bidder's own sub-account, the bank's signed
callbacks and statement (each idempotent), what is flagged, the refund job and the bank's
answers, the tenderee's forfeiture, and who sees what before the deadline."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.core.actor import Role
from bidding.bids.models import Bid
from bidding.bonds import bank
from bidding.bonds.models import BankTransaction, BondEntry
from tests.bidding.award.test_award_api import step
from tests.bids import SHANGHAI, new_bidder, sealed_bid, submit
from tests.bonds import (
    BASIC_ACCOUNT,
    assert_ledgers_balanced,
    bank_says,
    bond_tender,
    bonds_of,
    cash_bond,
    credit,
    paid_cash_bond,
    pay_instructions,
    pending_instructions,
    signed,
)
from tests.conftest import World, login, run_ggzy, server_env

PAID_ON = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


async def _count(world: World, model: Any) -> int:
    async with world.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_cash_bond_is_paid_into_its_own_sub_account_and_each_callback_counts_once(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await bond_tender(client, world)
    first, second = await new_bidder(client, world), await new_bidder(client, world)
    mine, theirs = await cash_bond(client, tender, first), await cash_bond(client, tender, second)
    assert mine["status"] == "awaiting" and mine["required"] == "50000.00" and mine["valid"] is False
    assert mine["sub_account"] != theirs["sub_account"]  # one sub-account per bidder and tender
    assert (await cash_bond(client, tender, first))["sub_account"] == mine["sub_account"]  # asked again: the same

    notice = credit(mine["sub_account"], 5_000_000, PAID_ON, ref="B20261201000001")
    raw, headers = signed(world.settings, notice)
    forged = {**headers, bank.SIGNATURE_HEADER: "sha256=" + "0" * 64}
    refused = await client.post("/api/v1/bank/notices", content=raw, headers=forged)
    assert refused.status_code == 401 and refused.json()["detail"].startswith("the X-Bank-Signature header")
    tampered = json.dumps({**notice, "amount_fen": 9_000_000}).encode()
    assert (await client.post("/api/v1/bank/notices", content=tampered, headers=headers)).status_code == 401
    assert await _count(world, BankTransaction) == 0  # nothing recorded on a bad signature

    for _ in range(2):  # the bank sends the same notice twice: the same state
        answered = await client.post("/api/v1/bank/notices", content=raw, headers=headers)
        assert answered.status_code == 200, answered.text
    bond = (await client.get(f"/api/v1/tenders/{tender.id}/bond", headers=first.headers)).json()
    assert bond["status"] == "held" and bond["received"] == "50000.00" and bond["flags"] == []
    assert bond["valid"] is True and len(bond["ledger"]) == 1
    assert (await client.get(f"/api/v1/tenders/{tender.id}/bond", headers=second.headers)).json()[
        "status"
    ] == "awaiting"
    await assert_ledgers_balanced(world)


async def test_a_payment_from_another_account_late_or_short_is_recorded_and_flagged(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await bond_tender(client, world)
    bidders = [await new_bidder(client, world) for _ in range(3)]
    bonds = [await cash_bond(client, tender, b) for b in bidders]
    other, short = bonds[0]["sub_account"], bonds[1]["sub_account"]
    assert (
        await bank_says(client, world.settings, credit(other, 5_000_000, PAID_ON, payer="6217000011112222"))
    ).status_code == 200
    assert (await bank_says(client, world.settings, credit(short, 4_999_999, PAID_ON))).status_code == 200
    detail = (await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)).json()
    after_deadline = datetime.fromisoformat(detail["bid_deadline"]) + timedelta(minutes=1)
    assert (
        await bank_says(client, world.settings, credit(bonds[2]["sub_account"], 5_000_000, after_deadline))
    ).status_code == 200

    seen = [(await client.get(f"/api/v1/tenders/{tender.id}/bond", headers=b.headers)).json() for b in bidders]
    assert [s["flags"] for s in seen] == [["not_basic_account"], ["short"], ["late"]]
    assert [s["valid"] for s in seen] == [False, False, False]
    assert seen[1]["received"] == "49999.99"
    # the shortfall made good: no longer short
    assert (await bank_says(client, world.settings, credit(short, 1, PAID_ON + timedelta(hours=1)))).status_code == 200
    topped = (await client.get(f"/api/v1/tenders/{tender.id}/bond", headers=bidders[1].headers)).json()
    assert topped["flags"] == [] and topped["received"] == "50000.00" and len(topped["ledger"]) == 2
    # a payment into an account nobody holds is kept, unmatched, for the officers
    stray = await bank_says(client, world.settings, credit("37010100000000999", 100, PAID_ON))
    assert stray.json() == {"bank_ref": stray.json()["bank_ref"], "new": True, "matched": False}
    await assert_ledgers_balanced(world)


async def test_a_statement_is_imported_whole_once_and_a_bad_line_imports_nothing(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await bond_tender(client, world)
    bidder = await new_bidder(client, world)
    bond = await cash_bond(client, tender, bidder)
    admin = await login(client, (await world.user(Role.admin)).username)
    good = bank.BankLine("S1", PAID_ON, "C", bond["sub_account"], BASIC_ACCOUNT, "投标单位", 5_000_000)
    stray = bank.BankLine("S2", PAID_ON, "C", "37010100000000998", "6217000011112222", "某单位", 100)
    statement = bank.statement_csv([good, stray]).encode()
    broken = statement + b"S3,yesterday,X,1,2,n,-5,\n"
    refused = await client.post(
        "/api/v1/bank/statements", content=broken, headers={**admin, "content-type": "text/csv"}
    )
    assert refused.status_code == 422
    names = [p["name"] for p in refused.json()["invalid-params"]]
    assert names == ["line 4: booked_at", "line 4: direction", "line 4: amount_fen"]
    assert await _count(world, BankTransaction) == 0 and await _count(world, BondEntry) == 0

    first = await client.post(
        "/api/v1/bank/statements", content=statement, headers={**admin, "content-type": "text/csv"}
    )
    assert first.status_code == 200, first.text
    assert first.json() | {"flagged": None} == {
        "lines": 2,
        "new": 2,
        "repeated": 0,
        "unmatched": ["S2"],
        "flagged": None,
    }
    again = await client.post(
        "/api/v1/bank/statements", content=statement, headers={**admin, "content-type": "text/csv"}
    )
    assert again.json()["new"] == 0 and again.json()["repeated"] == 2
    # the same payment told again by a callback changes nothing either
    assert (
        await bank_says(client, world.settings, {**credit(good.account, 5_000_000, PAID_ON), "bank_ref": "S1"})
    ).json()["new"] is False
    seen = (await client.get(f"/api/v1/tenders/{tender.id}/bond", headers=bidder.headers)).json()
    assert seen["received"] == "50000.00" and len(seen["ledger"]) == 1
    for outsider in (bidder.headers, tender.desk.agency_headers):
        assert (
            await client.post(
                "/api/v1/bank/statements", content=statement, headers={**outsider, "content-type": "text/csv"}
            )
        ).status_code == 403


async def test_a_withdrawn_bids_bond_goes_back_with_interest_and_a_rejected_refund_is_retried_then_shown(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await bond_tender(client, world)
    keeps, leaves = await new_bidder(client, world), await new_bidder(client, world)
    bonds = [await cash_bond(client, tender, b) for b in (keeps, leaves)]
    for b, bond in zip((keeps, leaves), bonds, strict=True):
        assert (
            await bank_says(client, world.settings, credit(bond["sub_account"], 5_000_000, PAID_ON))
        ).status_code == 200
        assert (await submit(client, tender, b, sealed_bid(tender, b))).status_code == 201
    world.clock.set(datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI))  # 30 days after the payment
    assert (await client.post(f"/api/v1/tenders/{tender.id}/bids/withdraw", headers=leaves.headers)).status_code == 200
    assert await step(world, "bond-refund") == 1  # the withdrawn bid's bond only; the other is still held
    [instruction] = await pending_instructions(client, world.settings)
    # 50,000.00 × 0.35 % × 30 / 360 = 14.58 (half up)
    assert instruction["principal"] == "50000.00" and instruction["interest"] == "14.58"
    assert instruction["amount_fen"] == 5_001_458 and instruction["payee_account"] == BASIC_ACCOUNT
    assert instruction["from_account"] == bonds[1]["sub_account"]
    assert await pending_instructions(client, world.settings) == [instruction]  # asked twice: the same key

    seen = (await client.get(f"/api/v1/tenders/{tender.id}/bond", headers=leaves.headers)).json()
    assert seen["status"] == "refunding" and seen["refund_due"] == "2027-01-05"
    assert seen["refund_rule"].startswith("实施条例 art. 35")

    for attempt in (1, 2, 3):
        [pending] = await pending_instructions(client, world.settings)
        assert pending["attempt"] == attempt and pending["key"].endswith(f"-{attempt}")
        rejected = {"type": "refund_result", "key": pending["key"], "result": "rejected", "reason": "账户状态异常"}
        assert (await bank_says(client, world.settings, rejected)).status_code == 200
        assert (await bank_says(client, world.settings, rejected)).json()["status"] == "rejected"  # twice: the same
    assert await pending_instructions(client, world.settings) == []  # three rejections: left to the officers
    officer = tender.desk.officer_headers
    notices = (await client.get("/api/v1/notifications", headers=officer)).json()
    assert any(n["kind"] == "bond_refund_failed" for n in notices)
    listed = (await client.get("/api/v1/bank/instructions", headers=officer)).json()["instructions"]
    assert [i["status"] for i in listed] == ["rejected", "rejected", "rejected"]
    exported = await client.get("/api/v1/bank/instructions", params={"format": "csv"}, headers=officer)
    assert exported.text.splitlines()[0] == "key,from_account,payee_account,payee_name,amount_fen,status,attempt"
    await assert_ledgers_balanced(world)


async def test_the_bank_pays_a_refund_and_the_ledger_records_it_once(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await bond_tender(client, world)
    bidder = await new_bidder(client, world)
    await paid_cash_bond(client, world, tender, bidder, PAID_ON)
    world.clock.set(PAID_ON + timedelta(hours=1))
    assert (await submit(client, tender, bidder, sealed_bid(tender, bidder))).status_code == 201
    assert (await client.post(f"/api/v1/tenders/{tender.id}/bids/withdraw", headers=bidder.headers)).status_code == 200
    assert await step(world, "bond-refund") == 1
    assert await step(world, "bond-refund") == 0  # nothing sent twice
    [paid] = await pay_instructions(client, world.settings)
    again = {"type": "refund_result", "key": paid["key"], "result": "paid", "bank_ref": "X"}
    assert (await bank_says(client, world.settings, again)).json()["status"] == "paid"
    seen = (await client.get(f"/api/v1/tenders/{tender.id}/bond", headers=bidder.headers)).json()
    assert seen["status"] == "refunded" and seen["balance"] == "0.00"
    assert seen["refunded"] == "50000.00" and seen["interest"] == "0.00"
    # paid again after the refund: kept out of the bond's ledger, flagged for the officers
    again_paid = await bank_says(
        client, world.settings, credit(seen["sub_account"], 5_000_000, PAID_ON + timedelta(days=2))
    )
    assert again_paid.json()["matched"] is True
    seen = (await client.get(f"/api/v1/tenders/{tender.id}/bond", headers=bidder.headers)).json()
    assert seen["balance"] == "0.00" and seen["received"] == "50000.00"
    async with world.sessions() as session:
        late = await session.get_one(BankTransaction, again_paid.json()["bank_ref"])
        assert late.flags == ["after_close"]
    assert [e["kind"] for e in seen["ledger"]] == ["received", "refunded"]  # paid the same day: no interest
    await assert_ledgers_balanced(world)


async def test_nobody_but_supervisors_sees_the_bonds_before_the_deadline(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await bond_tender(client, world)
    bidder = await new_bidder(client, world)
    await paid_cash_bond(client, world, tender, bidder, PAID_ON)
    url = f"/api/v1/tenders/{tender.id}/bonds"
    agency = (await client.get(url, headers=tender.desk.agency_headers)).json()
    assert agency["bonds"] is None and agency["terms"]["amount"] == "50000.00"
    supervisor = (await client.get(url, headers=tender.desk.officer_headers)).json()
    assert [b["bidder"] for b in supervisor["bonds"]] == [bidder.org.uscc]
    assert (await client.get(url, headers=bidder.headers)).status_code == 403
    other_agency = await login(
        client,
        (
            await world.user(
                Role.agency, await world.org(__import__("app.identity.models", fromlist=["OrgKind"]).OrgKind.agency)
            )
        ).username,
    )
    assert (await client.get(url, headers=other_agency)).status_code == 403
    detail = (await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)).json()
    world.clock.set(datetime.fromisoformat(detail["bid_deadline"]))
    after = (await client.get(url, headers=tender.desk.agency_headers)).json()
    assert [b["status"] for b in after["bonds"]] == ["held"]
    late = await client.post(
        f"/api/v1/tenders/{tender.id}/bond",
        json={"form": "transfer", "basic_account": BASIC_ACCOUNT},
        headers=(await new_bidder(client, world)).headers,
    )
    assert late.status_code == 409


async def test_a_bond_is_forfeited_only_by_the_tenderees_recorded_decision_in_the_laws_cases(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await bond_tender(client, world)
    bidder = await new_bidder(client, world)
    bond = await paid_cash_bond(client, world, tender, bidder, PAID_ON)
    assert (await submit(client, tender, bidder, sealed_bid(tender, bidder))).status_code == 201
    url = f"/api/v1/tenders/{tender.id}/bonds/{bond['id']}/forfeiture"
    decision = {"reason": "withdrawn_after_deadline", "note": "投标人于截止后书面撤销投标文件"}
    early = await client.post(url, json=decision, headers=tender.desk.agency_headers)
    assert early.status_code == 409  # before the deadline nothing is kept
    detail = (await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)).json()
    world.clock.set(datetime.fromisoformat(detail["bid_deadline"]) + timedelta(hours=1))
    not_winner = await client.post(
        url, json={"reason": "refused_contract", "note": "x"}, headers=tender.desk.agency_headers
    )
    assert not_winner.status_code == 422 and not_winner.json()["invalid-params"][0]["name"] == "reason"
    assert (await client.post(url, json=decision, headers=bidder.headers)).status_code == 403
    kept = await client.post(url, json=decision, headers=tender.desk.agency_headers)
    assert kept.status_code == 200, kept.text
    assert kept.json()["status"] == "forfeited" and kept.json()["decision"]["article"] == "实施条例 art. 35 ¶2"
    assert kept.json()["forfeited"] == "50000.00" and kept.json()["balance"] == "0.00"
    assert (await client.post(url, json=decision, headers=tender.desk.agency_headers)).status_code == 409
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Bid)) == 1
    await assert_ledgers_balanced(world)


async def test_ggzy_bonds_reconcile_lists_every_difference_between_the_statement_and_the_ledger(
    client: AsyncTestClient[Litestar], world: World, tmp_path: Any
) -> None:
    tender = await bond_tender(client, world)
    bidder, other = await new_bidder(client, world), await new_bidder(client, world)
    bond, second = await cash_bond(client, tender, bidder), await cash_bond(client, tender, other)
    await bank_says(client, world.settings, credit(bond["sub_account"], 5_000_000, PAID_ON, ref="R1"))
    await bank_says(client, world.settings, credit(second["sub_account"], 5_000_000, PAID_ON, ref="R2"))
    # neither bid: at the deadline both bonds fall due and go back
    detail = (await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)).json()
    world.clock.set(datetime.fromisoformat(detail["bid_deadline"]))
    assert await step(world, "bond-refund") == 2
    paid = await pay_instructions(client, world.settings)
    refunded_at = world.clock.now()
    keys = sorted(i["key"] for i in paid)
    fen = {i["key"]: i["amount_fen"] for i in paid}
    statement = [
        bank.BankLine("R1", PAID_ON, "C", bond["sub_account"], BASIC_ACCOUNT, "甲", 5_000_000),
        # R2 missing from the statement; a stray credit the ledger never saw; a refund paid short
        bank.BankLine("R9", PAID_ON, "C", bond["sub_account"], BASIC_ACCOUNT, "甲", 100),
        bank.BankLine("P1", refunded_at, "D", bond["sub_account"], BASIC_ACCOUNT, "甲", fen[keys[0]], keys[0]),
        bank.BankLine("P2", refunded_at, "D", second["sub_account"], BASIC_ACCOUNT, "乙", fen[keys[1]] - 1, keys[1]),
    ]
    path = tmp_path / "statement.csv"
    path.write_text(bank.statement_csv(statement), encoding="utf-8")
    answer = await asyncio.to_thread(run_ggzy, server_env(world.settings), "bonds", "reconcile", str(path))
    assert answer.returncode == 1, answer.stderr
    assert answer.stdout.splitlines() == [
        "R9: a credit of 100 fen on the statement, not in the ledger",
        f"P2: the refund is {fen[keys[1]] - 1} fen on the statement, {fen[keys[1]]} in the ledger",
        "R2: received 5000000 fen in the ledger, not on the statement",
        "4 statement line(s), 3 difference(s)",
    ]
    agreeing = [
        statement[0],
        bank.BankLine("R2", PAID_ON, "C", second["sub_account"], BASIC_ACCOUNT, "乙", 5_000_000),
        statement[2],
        bank.BankLine("P2", refunded_at, "D", second["sub_account"], BASIC_ACCOUNT, "乙", fen[keys[1]], keys[1]),
    ]
    path.write_text(bank.statement_csv(agreeing), encoding="utf-8")
    agreed = await asyncio.to_thread(run_ggzy, server_env(world.settings), "bonds", "reconcile", str(path))
    assert agreed.returncode == 0 and agreed.stdout.strip() == "4 statement line(s), 0 difference(s)", agreed.stdout


async def test_a_failed_tenders_bonds_are_instructed_back_at_once(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    tender = await bond_tender(client, world)
    world.clock.set(PAID_ON)
    bidders = [await new_bidder(client, world) for _ in range(2)]
    for bidder in bidders:
        await paid_cash_bond(client, world, tender, bidder)
        assert (await submit(client, tender, bidder, sealed_bid(tender, bidder))).status_code == 201
    detail = (await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)).json()
    world.clock.set(datetime.fromisoformat(detail["opening_time"]))
    assert await step(world, "opening-start") == 1  # two bids at the opening: the tender fails (流标)
    assert (await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)).json()[
        "status"
    ] == "failed"
    assert await step(world, "bond-refund") == 2
    bonds = await bonds_of(client, tender.id, tender.desk.officer_headers)
    assert {b["status"] for b in bonds.values()} == {"refunding"}
    assert {b["refund_rule"].split(":")[0] for b in bonds.values()} == {"实施条例 art. 31"}
    assert len(await pay_instructions(client, world.settings)) == 2
    await assert_ledgers_balanced(world)


async def test_the_same_callback_twenty_times_at_once_through_two_workers_is_booked_once(
    client: AsyncTestClient[Litestar], world: World, two_servers: list[str]
) -> None:
    tender = await bond_tender(client, world)
    bidder = await new_bidder(client, world)
    bonds = await asyncio.gather(  # the bidder's two clicks at once: one bond, one sub-account
        *(
            httpx.AsyncClient(base_url=base, timeout=30).post(
                f"/api/v1/tenders/{tender.id}/bond",
                json={"form": "transfer", "basic_account": BASIC_ACCOUNT},
                headers={"Authorization": bidder.headers["Authorization"]},
            )
            for base in two_servers
        )
    )
    assert [b.status_code for b in bonds] == [200, 200], [b.text for b in bonds]
    assert bonds[0].json()["sub_account"] == bonds[1].json()["sub_account"]
    raw, headers = signed(world.settings, credit(bonds[0].json()["sub_account"], 5_000_000, PAID_ON, ref="DUP1"))
    async with httpx.AsyncClient(timeout=30) as http:
        answers = await asyncio.gather(
            *(http.post(f"{two_servers[i % 2]}/api/v1/bank/notices", content=raw, headers=headers) for i in range(20))
        )
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers if a.status_code != 200]
    assert sum(a.json()["new"] for a in answers) == 1
    seen = (await client.get(f"/api/v1/tenders/{tender.id}/bond", headers=bidder.headers)).json()
    assert seen["received"] == "50000.00" and len(seen["ledger"]) == 1
    await assert_ledgers_balanced(world)


async def test_only_an_invited_tenders_invitees_post_a_bond(client: AsyncTestClient[Litestar], world: World) -> None:
    invited = [await new_bidder(client, world) for _ in range(3)]
    tender = await bond_tender(
        client, world, procurement_method="invited", invitees=[b.org.uscc for b in invited], state_funded=False
    )
    assert (await cash_bond(client, tender, invited[0]))["status"] == "awaiting"
    stranger = await new_bidder(client, world)
    refused = await client.post(
        f"/api/v1/tenders/{tender.id}/bond",
        json={"form": "transfer", "basic_account": BASIC_ACCOUNT},
        headers=stranger.headers,
    )
    assert refused.status_code == 403 and "invitees only" in refused.json()["detail"]
