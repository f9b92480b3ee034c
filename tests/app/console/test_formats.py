"""Money and time as people read them (app/console/formats.py), pure and table-driven."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.console.formats import beijing, daxie, wan, yuan

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("8600000.00", "人民币捌佰陆拾万元整"),
        ("1234567.89", "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("1004.05", "人民币壹仟零肆元零伍分"),
        ("1000.50", "人民币壹仟元伍角整"),
        ("0.05", "人民币伍分"),
        ("0.50", "人民币伍角整"),
        ("0", "人民币零元整"),
        ("100000", "人民币壹拾万元整"),
        ("100010000", "人民币壹亿零壹万元整"),
        ("100000001", "人民币壹亿零壹元整"),
        ("10000500", "人民币壹仟万零伍佰元整"),
        ("7990000.00", "人民币柒佰玖拾玖万元整"),
        ("1010", "人民币壹仟零壹拾元整"),
        ("20000000000", "人民币贰佰亿元整"),
        ("-35.6", "人民币负叁拾伍元陆角整"),
        ("0.005", "人民币壹分"),  # rounded half up to the fen
    ],
)
def test_the_amount_in_capitals(amount: str, written: str) -> None:
    assert daxie(Decimal(amount)) == written


def test_yuan_and_wan_use_separators_and_never_floats() -> None:
    assert yuan(Decimal("8600000")) == "¥8,600,000.00"
    assert yuan("1234567.895") == "¥1,234,567.90"
    assert yuan(None) == yuan("not money") == "—"
    assert wan(Decimal("8600000.00")) == "860.00 万元"
    assert wan("123456789.00") == "12,345.68 万元"
    assert yuan(Decimal("99999999999999.99")) == "¥99,999,999,999,999.99"  # no float would keep the cents


def test_beijing_time_to_the_second() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    assert beijing(datetime(2026, 12, 7, 1, 30, 5, tzinfo=UTC), shanghai) == "2026-12-07 09:30:05"
    assert beijing(None, shanghai) == "—"
