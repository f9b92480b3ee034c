"""The credit rules, pure: resident IDs and their hash, the import file's row checks, half-open
activity at the boundary days, identifier-only bars, name-only reviews, warning-only rules, the
committee's list flagged for its re-review, and the credit score's contributions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.resident_id import check_digit, is_masked, person_hash, resident_id_error
from credit import entries, matching, score_rules
from credit.entries import EntryRow, RowProblem
from credit.matching import Entry, Rule, Subject

pytestmark = pytest.mark.pure

KEY = b"k" * 32
ID = "11010519491231002X"  # the GB 11643 standard's own example
USCC = "91350100M000100Y43"
OTHER_USCC = "91420100MA8X50C72K"
BAR = Rule("dishonest_debtor", 3, frozenset({"bar_bidding", "bar_winning", "bar_expert"}), "财库〔2016〕125号")
WARN = Rule("serious_illegal_enterprise", 1, frozenset({"warning"}), "发改法规〔2018〕457号")
RULES = {r.list_type: r for r in (BAR, WARN)}
DAY = date(2026, 12, 3)


def hasher(number: str) -> str:
    return person_hash(KEY, number)


def entry(n: int = 1, **facts: object) -> Entry:
    base: dict[str, object] = {
        "id": n,
        "list_type": "dishonest_debtor",
        "subject_kind": "organization",
        "uscc": USCC,
        "person_hash": None,
        "masked_id": None,
        "name": "失信建设有限公司",
        "reason": "拒不履行",
        "authority": "法院",
        "document": "(2026)京01执1号",
        "listed_on": date(2026, 1, 1),
        "expires_on": None,
        "removed_on": None,
    }
    base.update(facts)
    return Entry(**base)  # type: ignore[arg-type]


def test_the_resident_id_check_digit_and_its_hash() -> None:
    assert check_digit(ID[:17]) == "X"
    assert resident_id_error(ID) is None and resident_id_error(ID.lower()) is None
    assert "check digit is X" in str(resident_id_error(ID[:17] + "1"))
    assert "18 characters" in str(resident_id_error("1101"))
    assert is_masked("1101**********002X") and not is_masked(ID)
    digest = hasher(ID)
    assert digest == hasher(ID.lower()) and len(digest) == 64 and ID not in digest
    assert digest != person_hash(b"another key" * 3, ID)  # keyed: a leaked table alone proves nothing


def test_every_bad_field_of_a_row_is_named_and_a_person_id_becomes_its_hash() -> None:
    bad = {
        "subject_kind": "organization",
        "uscc": USCC[:17] + "0",
        "person_id": ID,
        "name": "",
        "listed_on": "2026-13-01",
        "expires_on": "2025-01-01",
    }
    problems = entries.check_row(bad, 7, hasher)
    assert isinstance(problems, list)
    assert {(p.line, p.field) for p in problems} == {(7, "uscc"), (7, "person_id"), (7, "name"), (7, "listed_on")}
    person = {"subject_kind": "person", "person_id": ID, "name": "张三", "listed_on": "2026-01-01"}
    row = entries.check_row(person, 2, hasher)
    assert isinstance(row, EntryRow) and row.person_hash == hasher(ID) and ID not in repr(row)
    masked = entries.check_row({**person, "person_id": "1101**********002X"}, 3, hasher)
    assert isinstance(masked, EntryRow) and masked.person_hash is None and masked.masked_id == "1101**********002X"
    wrong_digit = entries.check_row({**person, "person_id": ID[:17] + "3"}, 4, hasher)
    assert [(p.field, "GB 11643" in p.reason) for p in wrong_digit] == [("person_id", True)]  # type: ignore[union-attr]


_VALUES = {
    "subject_kind": st.sampled_from(["organization", "person", " person ", "Organization", "", "company"]),
    "uscc": st.sampled_from(["", USCC, OTHER_USCC, USCC.lower(), f" {USCC} ", USCC[:17] + "0", USCC[:17], "X" * 18]),
    "person_id": st.sampled_from(["", ID, ID.lower(), f" {ID}", ID[:17] + "3", "1101**********002X", "1" * 18, "abc"]),
    "name": st.sampled_from(["", " ", "失信建设有限公司", " 张三 ", "x" * 501]),
    "reason": st.sampled_from(["", "拒不履行", " r "]),
    "authority": st.sampled_from(["", "法院"]),
    "document": st.sampled_from(["", "(2026)京01执1号", " d "]),
    "listed_on": st.sampled_from(["", "2026-01-01", " 2026-01-01 ", "2026-02-30", "20260101", "2026/01/01"]),
    "expires_on": st.sampled_from(["", "2026-01-01", "2027-01-01", "2025-12-31", "bad"]),
    "removed_on": st.sampled_from(["", "2026-01-01", "2026-06-01", "2025-12-31"]),
}


@st.composite
def _rows(draw: st.DrawFn) -> dict[str, object]:
    """A usual row (an organization or a person), then a few of its fields changed or dropped."""
    row: dict[str, object] = {c: "" for c in entries.COLUMNS} | {"name": "甲", "listed_on": "2026-01-01"}
    if draw(st.booleans()):
        row |= {"subject_kind": "organization", "uscc": USCC}
    else:
        row |= {"subject_kind": "person", "person_id": ID}
    for column in draw(st.lists(st.sampled_from(entries.COLUMNS), max_size=3)):
        odd = draw(st.one_of(_VALUES[column], st.none(), st.integers(), st.just(["a list"]), st.just(...)))
        if odd is ...:
            row.pop(column, None)
        else:
            row[column] = odd
    return row


@given(_rows())
@settings(max_examples=500, deadline=None)
def test_a_row_taken_the_quick_way_is_the_entry_every_rule_gives(raw: dict[str, object]) -> None:
    """The import's quick path for usual rows (`_usual_row`) may decline any row, but a row it
    takes must come out exactly as from the one-by-one rules (`_checked_row`)."""
    quick = entries._usual_row(raw, 5, hasher)
    checked = entries._checked_row(raw, 5, hasher)
    if quick is not None:
        assert quick == checked
    assert entries.check_row(raw, 5, hasher) == (quick or checked)


def test_the_quick_path_takes_the_usual_rows() -> None:
    organization = {c: "" for c in entries.COLUMNS} | {
        "subject_kind": "organization",
        "uscc": USCC,
        "name": "甲",
        "listed_on": "2026-01-01",
    }
    person = organization | {"subject_kind": "person", "uscc": "", "person_id": ID, "expires_on": "2027-01-01"}
    for raw in (organization, person):
        assert entries._usual_row(raw, 2, hasher) == entries._checked_row(raw, 2, hasher)
        assert isinstance(entries._usual_row(raw, 2, hasher), EntryRow)


def test_a_csv_header_without_a_column_is_one_problem_on_line_one() -> None:
    [problem] = list(entries.csv_rows(["subject_kind,uscc,name\n"]))
    assert isinstance(problem, RowProblem) and problem.line == 1 and "person_id" in problem.reason


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 31), False),  # before listed_on
        (date(2026, 1, 1), True),  # listed_on itself
        (date(2026, 6, 29), True),  # the last day before it expires
        (date(2026, 6, 30), False),  # expires_on itself
    ],
)
def test_an_entry_is_active_on_a_half_open_interval(day: date, expected: bool) -> None:
    assert matching.active(entry(expires_on=date(2026, 6, 30)), day) is expected


def test_a_removed_entry_stops_on_its_removal_day_even_before_it_expires() -> None:
    removed = entry(expires_on=date(2029, 1, 1), removed_on=date(2026, 12, 3))
    assert matching.active(removed, date(2026, 12, 2)) and not matching.active(removed, date(2026, 12, 3))


def test_only_an_identifier_bars_a_name_alone_is_a_review_and_another_uscc_is_no_match() -> None:
    org = Subject("bidder", "organization", uscc=USCC, name="失信建设有限公司")
    assert matching.decide(org, [entry()], RULES, "candidate", DAY).outcome == "barred"
    same_name_other_code = Subject("bidder", "organization", uscc=OTHER_USCC, name="失信建设有限公司")
    assert matching.decide(same_name_other_code, [entry()], RULES, "candidate", DAY).outcome == "clear"
    name_only_entry = entry(uscc=None)
    verdict = matching.decide(same_name_other_code, [name_only_entry], RULES, "candidate", DAY)
    assert verdict.outcome == "review" and verdict.hits[0].match == "name"
    dismissed = matching.decide(
        same_name_other_code, [name_only_entry], RULES, "candidate", DAY, lambda _e, _s: "dismissed"
    )
    assert dismissed.outcome == "clear" and dismissed.hits[0].effect == "none"
    confirmed = matching.decide(
        same_name_other_code, [name_only_entry], RULES, "candidate", DAY, lambda _e, _s: "confirmed"
    )
    assert confirmed.outcome == "barred"


def test_a_legal_representative_is_matched_by_the_hash_and_a_masked_id_only_makes_a_review() -> None:
    rep = Subject("legal_representative", "person", person_hash=hasher(ID), name="张三", of=USCC)
    by_hash = entry(subject_kind="person", uscc=None, person_hash=hasher(ID), name="张三")
    assert matching.decide(rep, [by_hash], RULES, "candidate", DAY).outcome == "barred"
    namesake = entry(subject_kind="person", uscc=None, person_hash=hasher("110105194912310021"), name="张三")
    assert matching.decide(rep, [namesake], RULES, "candidate", DAY).outcome == "clear"  # another person
    masked = entry(subject_kind="person", uscc=None, masked_id="1101**********002X", name="张三")
    assert matching.decide(rep, [masked], RULES, "candidate", DAY).outcome == "review"


def test_a_warning_only_rule_warns_and_a_rule_bars_only_in_its_contexts() -> None:
    org = Subject("bidder", "organization", uscc=USCC)
    warned = matching.decide(org, [entry(list_type="serious_illegal_enterprise")], RULES, "candidate", DAY)
    assert warned.outcome == "warning" and warned.hits[0].rule == WARN
    winning_only = {"dishonest_debtor": Rule("dishonest_debtor", 4, frozenset({"bar_winning"}), "x")}
    assert matching.decide(org, [entry()], winning_only, "bid", DAY).outcome == "warning"  # may bid, not win
    assert matching.decide(org, [entry()], winning_only, "candidate", DAY).outcome == "barred"
    assert matching.decide(org, [entry()], winning_only, "intermediary", DAY).outcome == "warning"


def test_a_barring_record_flags_a_candidate_for_the_committee_and_moves_no_one_up() -> None:
    def outcome_of(barred: set[str]) -> Callable[[str], str]:
        return lambda bid: "barred" if bid in barred else "clear"

    committee_list = ["b1", "b2", "b3"]  # b4 and b5 ranked below: never checked, never moved up
    two = matching.find(committee_list, outcome_of({"b1", "b3", "b4"}))
    assert (two.candidates, two.flagged, two.clean) == (("b1", "b2", "b3"), ("b1", "b3"), ("b2",))
    clean = matching.find(committee_list, outcome_of(set()))
    assert clean.flagged == () and clean.clean == ("b1", "b2", "b3")
    everyone = matching.find(committee_list, outcome_of(set(committee_list)))
    assert everyone.clean == () and everyone.flagged == ("b1", "b2", "b3")


def test_the_credit_score_explains_every_contribution_within_caps_and_windows() -> None:
    weights = {
        "listed_barring": score_rules.Weight("listed_barring", 40, 80, None),
        "commitment_breach": score_rules.Weight("commitment_breach", 20, 30, 365),
        "bidder_fault_decryption": score_rules.Weight("bidder_fault_decryption", 5, 20, 365),
    }
    facts = [
        score_rules.Fact("commitment_breach", date(2026, 3, 1)),
        score_rules.Fact("commitment_breach", date(2026, 6, 1)),
        score_rules.Fact("commitment_breach", date(2024, 1, 1)),  # outside the window
        score_rules.Fact("bidder_fault_decryption", date(2026, 11, 1)),
    ]
    value, contributions = score_rules.score(facts, weights, DAY)
    shown = {c.factor: (c.count, c.points) for c in contributions}
    assert shown == {"listed_barring": (0, 0), "commitment_breach": (2, -30), "bidder_fault_decryption": (1, -5)}
    assert value == 65
    worst, _ = score_rules.score([score_rules.Fact("listed_barring", DAY)] * 5, weights, DAY)
    assert worst == 20  # capped at 80
    assert score_rules.weight_errors([score_rules.Weight("made_up", -1, 500, 0)]) == [
        ("weights[0].factor", "one of " + ", ".join(score_rules.FACTORS)),
        ("weights[0].points", "0 to 100"),
        ("weights[0].cap", "0 to 100"),
        ("weights[0].window_days", "1 to 36500 days, or null"),
    ]
