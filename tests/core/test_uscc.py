"""The unified social credit code check: valid codes pass, each broken rule is named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.uscc import ALPHABET, CATEGORIES_BY_AUTHORITY, check_uscc, make_uscc

pytestmark = pytest.mark.pure  # pure rules: no database, no web; `scripts/test -m pure`

REAL_CODES = [
    "914403001922038216",  # an enterprise in Shenzhen
    "9144030071526726XG",  # an enterprise in Shenzhen, org code check 'X'
    "91330100716105852F",  # an enterprise in Hangzhou
    "91350100M000100Y43",  # the standard's worked example
    "12100000400000624D",  # a public institution registered centrally
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_accepted(code: str) -> None:
    assert check_uscc(code) is None


@pytest.mark.parametrize(
    ("code", "rule", "position", "words"),
    [
        ("91440300192203821", "length", None, "18 characters, got 17"),
        ("9144030019220382166", "length", None, "got 19"),
        ("91440300192203821I", "character", 18, "character 18 'I' is not allowed"),
        ("914403001922O38216", "character", 13, "character 13 'O'"),
        ("9144030071526726xG", "character", 17, "upper case"),
        ("B14403001922038216", "authority", 1, "not a registration authority"),
        ("944403001922038216", "category", 2, "not a category of authority '9'"),
        ("9144A3001922038216", "division", 5, "character 5 must be a digit"),
        ("919903001922038216", "division", 3, "'99' are not a province code"),
        ("914403001922038316", "org_code_check", 17, "organization code 192203831 fails its check"),
        ("914403001922038217", "check_character", 18, "should be '6', got '7'"),
    ],
)
def test_each_broken_rule_is_reported_with_its_position(code: str, rule: str, position: int | None, words: str) -> None:
    error = check_uscc(code)
    assert error is not None
    assert (error.code, error.position) == (rule, position)
    assert words in error.message


_bodies = st.text(alphabet=ALPHABET, min_size=8, max_size=8)
_prefixes = st.sampled_from([a + c for a, cats in CATEGORIES_BY_AUTHORITY.items() for c in sorted(cats)])


@given(_prefixes, _bodies)
def test_codes_built_from_valid_parts_are_valid(prefix: str, body: str) -> None:
    assert check_uscc(make_uscc(prefix, "420100", body)) is None


@given(_prefixes, _bodies, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_any_single_character_typo_is_caught(prefix: str, body: str, position: int, replacement: str) -> None:
    code = make_uscc(prefix, "420100", body)
    typo = code[:position] + replacement + code[position + 1 :]
    if typo != code:
        assert check_uscc(typo) is not None
