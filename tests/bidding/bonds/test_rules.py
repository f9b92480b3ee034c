"""The bond's pure rules: when a refund falls due and by which article, demand-deposit interest,
what is wrong with a payment, the ledger's balance, and the bank's statement file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bidding.bonds import bank, rules
from bidding.bonds.rules import PaymentFlag, RefundFacts

D = date(2026, 12, 21)
HELD = RefundFacts(
    government_procurement=False,
    bid_standing=True,
    withdrawn_on=None,
    deadline_passed_on=D,
    ended_on=None,
    awarded_on=None,
    winner=False,
    declined=False,
    contract_on=None,
    lapsed_on=None,
)


def test_under_the_tendering_law_every_bond_waits_for_the_contract_then_5_days() -> None:
    assert rules.refund_due(HELD) is None
    assert rules.refund_due(replace(HELD, awarded_on=D)) is None  # the award alone returns nothing
    contract = date(2027, 1, 20)
    for winner in (False, True):
        due = rules.refund_due(replace(HELD, awarded_on=D, contract_on=contract, winner=winner))
        assert due == rules.RefundDue(contract, rules.WITHIN_5_DAYS_OF_CONTRACT)
    assert "art. 57" in rules.WITHIN_5_DAYS_OF_CONTRACT.article and not rules.WITHIN_5_DAYS_OF_CONTRACT.working


def test_under_government_procurement_losers_go_back_after_the_award_notice_the_winner_after_the_contract() -> None:
    gp = replace(HELD, government_procurement=True, awarded_on=D)
    assert rules.refund_due(gp) == rules.RefundDue(D, rules.GP_LOSERS)
    assert rules.refund_due(replace(gp, winner=True)) is None
    contract = date(2027, 1, 5)
    assert rules.refund_due(replace(gp, winner=True, contract_on=contract)) == rules.RefundDue(
        contract, rules.GP_WINNER
    )
    assert rules.GP_LOSERS.working and rules.GP_WINNER.working  # 5 working days (GPR art. 33)


def test_a_withdrawal_a_lapse_an_ended_tender_and_no_bid_at_all() -> None:
    withdrawn = replace(HELD, bid_standing=False, withdrawn_on=date(2026, 12, 10), deadline_passed_on=None)
    assert rules.refund_due(withdrawn) == rules.RefundDue(date(2026, 12, 10), rules.WITHIN_5_DAYS_OF_WITHDRAWAL)
    gp_withdrawn = replace(withdrawn, government_procurement=True)
    assert rules.refund_due(gp_withdrawn) == rules.RefundDue(date(2026, 12, 10), rules.GP_WITHDRAWAL)
    never_bid = replace(HELD, bid_standing=False)
    assert rules.refund_due(never_bid) == rules.RefundDue(D, rules.WITHIN_5_DAYS_OF_WITHDRAWAL)
    assert rules.refund_due(replace(never_bid, deadline_passed_on=None)) is None  # may still bid
    ended = replace(HELD, ended_on=date(2026, 12, 22))
    assert rules.refund_due(ended) == rules.RefundDue(date(2026, 12, 22), rules.AT_ONCE_ON_TERMINATION)
    assert rules.refund_due(replace(ended, government_procurement=True)).rule == rules.GP_TERMINATION  # type: ignore[union-attr]
    lapsed = replace(HELD, lapsed_on=date(2027, 2, 1))
    assert rules.refund_due(lapsed) == rules.RefundDue(date(2027, 2, 1), rules.WITHIN_5_DAYS_OF_WITHDRAWAL)


def test_a_winner_who_declined_is_held_for_the_tenderees_decision() -> None:
    declined = replace(HELD, declined=True, awarded_on=D, contract_on=date(2027, 1, 20))
    assert rules.refund_due(declined) is None
    assert rules.refund_due(replace(declined, ended_on=date(2027, 1, 21))) is None


RATES = rules.parse_rates("2015-10-24:0.0035,2027-01-01:0.0005")


def test_interest_counts_actual_days_on_360_at_the_rate_of_each_day() -> None:
    assert rules.interest(Decimal("50000.00"), date(2026, 12, 1), date(2026, 12, 31), RATES) == Decimal("14.58")
    # 30 days at 0.35 % then 10 at 0.05 %: 14.5833… + 0.6944… = 15.28
    assert rules.interest(Decimal("50000.00"), date(2026, 12, 2), date(2027, 1, 11), RATES) == Decimal("15.28")
    assert rules.interest(Decimal("50000.00"), date(2026, 12, 1), date(2026, 12, 1), RATES) == Decimal("0.00")
    assert rules.interest(Decimal("0.00"), date(2026, 1, 1), date(2026, 12, 1), RATES) == Decimal("0.00")
    assert rules.interest(Decimal("50000.00"), date(2015, 1, 1), date(2015, 10, 24), RATES) == Decimal("0.00")


@pytest.mark.parametrize("bad", ["2026-13-01:0.003", "2026-01-01:x", "2026-01-01:1.5", "nonsense"])
def test_a_bad_rate_schedule_is_refused_with_the_item_named(bad: str) -> None:
    with pytest.raises(ValueError, match=r"YYYY-MM-DD|between 0 and 1"):
        rules.parse_rates(bad)


def test_what_is_wrong_with_a_payment() -> None:
    fine = dict(required=Decimal("50000.00"), received=Decimal("50000.00"), basic_account="6222 0202 0011", late=False)
    assert rules.payment_flags(payer_account="622202020011", **fine) == []  # spaces in a number do not matter
    assert rules.payment_flags(payer_account="6217000011", **fine) == [PaymentFlag.not_basic_account]
    short = {**fine, "received": Decimal("49999.99"), "late": True}
    assert rules.payment_flags(payer_account="622202020011", **short) == [PaymentFlag.late, PaymentFlag.short]


def test_the_ledger_balances_in_and_out() -> None:
    entries = [("received", Decimal("50000.00")), ("interest", Decimal("14.58")), ("refunded", Decimal("50014.58"))]
    assert rules.ledger_balance(entries) == Decimal("0.00")
    assert rules.ledger_balance(entries[:1]) == Decimal("50000.00")
    assert rules.ledger_balance([("received", Decimal("1.00")), ("forfeited", Decimal("1.00"))]) == 0


def test_a_statement_round_trips_and_every_bad_line_is_named() -> None:
    lines = [
        bank.BankLine("A1", datetime(2026, 12, 1, 2, tzinfo=UTC), "C", "370101", "6222", "甲公司", 5_000_000),
        bank.BankLine("A2", datetime(2026, 12, 2, 2, tzinfo=UTC), "D", "370101", "6222", "甲公司", 5_001_458, "k-1"),
    ]
    text = bank.statement_csv(lines)
    assert bank.parse_statement(text.encode()) == (lines, [])
    assert bank.parse_statement(("\ufeff" + text).encode())[0] == lines  # a byte-order mark is fine
    broken = text + "A1,2026-12-03T10:00:00+08:00,C,370101,6222,,100,\nA3,2026-12-03T10:00:00,D,370101,6222,,0,\n"
    _, errors = bank.parse_statement(broken.encode())
    assert [(e.field, e.code) for e in errors] == [
        ("line 4: bank_ref", "duplicate"),
        ("line 5: booked_at", "invalid"),
        ("line 5: reference", "required"),
        ("line 5: amount_fen", "invalid"),
    ]
    assert bank.parse_statement(b"bank_ref,amount_fen\n1,2\n")[1][0].message.startswith("the header lacks booked_at")
    assert bank.parse_statement(b"\xff\xfe")[1][0].message == "a UTF-8 CSV file"


def test_the_banks_signature_covers_every_byte() -> None:
    secret = b"k" * 32
    body = b'{"amount_fen": 100}'
    assert bank.signed_by_bank(secret, body, bank.signature(secret, body))
    assert not bank.signed_by_bank(secret, body + b" ", bank.signature(secret, body))
    assert not bank.signed_by_bank(secret, body, None)
