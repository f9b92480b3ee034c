"""The unified social credit code (统一社会信用代码, GB 32100-2015): pure validation.

An 18-character code: registration authority (1), organization category (1), administrative
division (6), organization code (9, GB 11714, with its own check character) and a final check
character over the first 17. `check_uscc` names the first rule a code breaks, with the
1-based position of the offending character, so a user can fix a typo without guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import mul

# GB 32100-2015 character set: digits and capitals without I, O, S, V, Z; value = index.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]

# Registration authority (登记管理部门) -> the organization categories (机构类别) it may issue.
CATEGORIES_BY_AUTHORITY: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制: 机关, 事业单位, 群众团体, 其他
    "2": frozenset("19"),  # 外交
    "3": frozenset("123459"),  # 司法行政: 律所, 公证处, 基层法律服务所, 司法鉴定, 仲裁委员会, 其他
    "4": frozenset("19"),  # 文化
    "5": frozenset("1239"),  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": frozenset("129"),  # 旅游
    "7": frozenset("129"),  # 宗教
    "8": frozenset("19"),  # 工会
    "9": frozenset("123"),  # 市场监管 (工商): 企业, 个体工商户, 农民专业合作社
    "A": frozenset("19"),  # 中央军委改革和编制办公室
    "N": frozenset("1239"),  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": frozenset("1"),  # 其他
}

# First two digits of the administrative division code (GB/T 2260): provinces, plus 10 for
# organs registered at the central level.
PROVINCE_PREFIXES = frozenset(
    "10 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True, slots=True)
class UsccError:
    """Why a code is not a valid USCC: a stable machine code, the 1-based position, a message."""

    code: str
    position: int | None
    message: str


def check_character(first17: str) -> str:
    """The 18th character for the first 17 characters of a code."""
    if len(first17) != 17:
        raise ValueError("the check character is computed over 17 characters")
    total = sum(map(mul, map(_VALUE.__getitem__, first17), _WEIGHTS))  # map: list imports check millions
    return ALPHABET[(31 - total % 31) % 31]


_BASE36 = {ch: int(ch, 36) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_ORG_CHECK = {10: "X", 11: "0"}


def org_code_check_character(first8: str) -> str:
    """GB 11714 check character of the 9-character organization code."""
    if len(first8) != 8:
        raise ValueError("the organization code's check character is computed over 8 characters")
    total = sum(map(mul, map(_BASE36.__getitem__, first8), _ORG_CODE_WEIGHTS))
    remainder = 11 - total % 11
    return _ORG_CHECK.get(remainder, str(remainder))


def check_uscc(code: str) -> UsccError | None:
    """Return the first rule `code` breaks, or None when it is a valid USCC."""
    if len(code) != 18:
        return UsccError("length", None, f"must be 18 characters, got {len(code)}")
    if _VALID_CHARACTERS.issuperset(code) and _well_formed(code):
        return None  # the common case, in one pass; the slow path below names the first broken rule
    for pos, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            hint = " (letters must be upper case)" if ch.upper() in _VALUE else ""
            return UsccError(
                "character", pos, f"character {pos} {ch!r} is not allowed: use 0-9 and A-Y without I, O, S, V, Z{hint}"
            )
    authority, category = code[0], code[1]
    if authority not in CATEGORIES_BY_AUTHORITY:
        return UsccError("authority", 1, f"character 1 {authority!r} is not a registration authority code")
    if category not in CATEGORIES_BY_AUTHORITY[authority]:
        allowed = ", ".join(sorted(CATEGORIES_BY_AUTHORITY[authority]))
        return UsccError(
            "category", 2, f"character 2 {category!r} is not a category of authority {authority!r} (allowed: {allowed})"
        )
    division = code[2:8]
    if not division.isdigit():
        pos = 3 + next(i for i, ch in enumerate(division) if not ch.isdigit())
        return UsccError(
            "division", pos, f"characters 3-8 are the administrative division code: character {pos} must be a digit"
        )
    if division[:2] not in PROVINCE_PREFIXES:
        return UsccError("division", 3, f"characters 3-4 {division[:2]!r} are not a province code")
    org_code = code[8:17]
    expected_org = org_code_check_character(org_code[:8])
    if org_code[8] != expected_org:
        return UsccError(
            "org_code_check",
            17,
            f"character 17 should be {expected_org!r}: the organization code {org_code} fails its check",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return UsccError(
            "check_character", 18, f"character 18 (check character) should be {expected!r}, got {code[17]!r}"
        )
    return None


_VALID_CHARACTERS = frozenset(ALPHABET)


def _well_formed(code: str) -> bool:
    categories = CATEGORIES_BY_AUTHORITY.get(code[0])
    return (
        categories is not None
        and code[1] in categories
        and code[2:8].isdigit()
        and code[2:4] in PROVINCE_PREFIXES
        and code[16] == org_code_check_character(code[8:16])
        and code[17] == check_character(code[:17])
    )


def is_valid_uscc(code: str) -> bool:
    return check_uscc(code) is None


def make_uscc(authority_category: str, division: str, org_code_body: str) -> str:
    """Build a valid code from its parts (both check characters computed): for demo data and tests."""
    org_code = org_code_body + org_code_check_character(org_code_body)
    first17 = authority_category + division + org_code
    return first17 + check_character(first17)
