"""The 18-digit resident identity number (公民身份号码, GB 11643-1999), pure: its check digit,
masked numbers, and the keyed hash the platform keeps instead of the number.

The platform never stores or shows a resident ID in clear (credit lists, legal representatives):
it keeps HMAC-SHA256 under a key derived from the platform's secret (`Settings.person_id_key`),
so two records of the same person match without either holding the number. A masked number as
lists publish them (`1101**********002X`) is kept as given: it identifies nobody, and can only
make a name match worth a look.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK = "10X98765432"  # the check character for (sum of weighted digits) mod 11
_MASKED = re.compile(r"^[0-9*]{17}[0-9Xx*]$")


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def resident_id_error(number: str) -> str | None:
    """Why `number` is not a valid 18-digit resident ID, or None."""
    if len(number) != 18:
        return f"a resident ID has 18 characters (got {len(number)})"
    if not number[:17].isdigit() or not number[:17].isascii():
        return "the first 17 characters of a resident ID are digits"
    last = number[17].upper()
    if last not in "0123456789X":
        return "the 18th character of a resident ID is a digit or X"
    expected = check_digit(number[:17])
    if last != expected:
        return f"the check digit is {expected}, not {number[17]} (GB 11643)"
    return None


def is_masked(number: str) -> bool:
    """A resident ID with some characters starred out, as published lists show them."""
    return "*" in number and bool(_MASKED.match(number))


def person_hash(key: bytes, number: str) -> str:
    """The keyed hash kept for a valid resident ID (lowercase hex); an X check digit hashes the
    same in either case."""
    return hmac.new(key, number.upper().encode(), hashlib.sha256).hexdigest()
