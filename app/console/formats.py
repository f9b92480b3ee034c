"""Money and time as people in a trading centre read them, pure: ¥ with thousands separators,
万元 for tables of projects, the amount in 大写 (GB/T 15835 and 《支付结算办法》's rules for
written amounts) on documents that carry one, and Beijing time to the second."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

DIGITS = "零壹贰叁肆伍陆柒捌玖"
GROUPS = ("", "万", "亿", "万亿")
CENT = Decimal("0.01")


def _decimal(amount: Decimal | str | int | None) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def yuan(amount: Decimal | str | int | None) -> str:
    """¥8,600,000.00; a dash for no amount."""
    value = _decimal(amount)
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value).quantize(CENT, ROUND_HALF_UP):,.2f}"


def wan(amount: Decimal | str | int | None) -> str:
    """860.00 万元 (ten-thousands of yuan, to the hundredth), as project tables show budgets."""
    value = _decimal(amount)
    if value is None:
        return "—"
    return f"{(value / 10000).quantize(CENT, ROUND_HALF_UP):,.2f} 万元"


def _group(number: int) -> str:
    """1 to 9999 in capital numerals, 零 for a gap inside the group, none leading."""
    words, gap = "", False
    for unit, digit in zip(("仟", "佰", "拾", ""), f"{number:04d}", strict=True):
        if digit == "0":
            gap = bool(words)
            continue
        if gap:
            words, gap = words + "零", False
        words += DIGITS[int(digit)] + unit
    return words


def _integer(number: int) -> str:
    groups = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    if len(groups) > len(GROUPS):
        raise ValueError("an amount of 10^16 yuan or more has no written form here")
    words, gap = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = bool(words)
            continue
        if words and (gap or group < 1000):
            words += "零"
        words += _group(group) + GROUPS[index]
        gap = False
    return words


def daxie(amount: Decimal | str | int | None) -> str:
    """The amount in capitals: 8600000 → 人民币捌佰陆拾万元整; 1004.05 → 人民币壹仟零肆元零伍分."""
    value = _decimal(amount)
    if value is None:
        return "—"
    fen = int((abs(value) * 100).to_integral_value(ROUND_HALF_UP))
    whole, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    sign = "负" if value < 0 and fen else ""
    if fen == 0:
        return "人民币零元整"
    words = _integer(whole) + "元" if whole else ""
    if jiao:
        words += DIGITS[jiao] + "角"
    elif cents and whole:
        words += "零"
    if cents:
        words += DIGITS[cents] + "分"
    else:
        words += "整"
    return f"人民币{sign}{words}"


def beijing(at: datetime | None, tz: ZoneInfo) -> str:
    """An instant as the centre's clock shows it, to the second: 2026-12-07 09:30:05."""
    return "—" if at is None else at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
