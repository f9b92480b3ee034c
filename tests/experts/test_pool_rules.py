"""The pool file's checks and the assessment rules, pure."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from experts.assessment import AssessmentRule, decide
from experts.pool import COLUMNS, parse_csv

pytestmark = pytest.mark.pure

SPECIALTIES = {"construction", "construction.civil", "economics.cost"}
TODAY = date(2026, 11, 29)
HEADER = ",".join(COLUMNS)
GOOD = (
    "li.ming,李明,construction.civil;economics.cost,高级工程师,91420100MAD4A0UG01,310000,1970-05-01,active,,"
    "2026-12-01/2026-12-05,1993-07-01,senior"
)


def test_a_good_file() -> None:
    rows, problems = parse_csv(f"\ufeff{HEADER}\n{GOOD}\n", SPECIALTIES, TODAY)
    assert problems == []
    assert rows[0].specialties == ("construction.civil", "economics.cost")
    assert rows[0].unavailable == ((date(2026, 12, 1), date(2026, 12, 5)),)


def test_every_bad_row_is_reported_with_line_field_and_reason() -> None:
    text = "\n".join(
        [
            HEADER,
            GOOD,
            "li.ming,李明,construction.civil,高工,91420100MAD4A0UG01,310000,1970-05-01,active,,,1993-07-01,senior",
            "wang,,mining,高工,91420100MA8X50C72X,310000,2030-01-01,retired,,2026-12-05/2026-12-01,2027-01-01,中级",
            "zhao.lei,赵雷,construction,教授,91420100MAD4A0UG01,310000,1960-01-01,suspended,,,1985-09-01,senior",
            "short,row",
        ]
    )
    _rows, problems = parse_csv(text, SPECIALTIES, TODAY)
    found = [(p.line, p.field) for p in problems]
    assert found == [
        (3, "username"),
        (4, "name"),
        (4, "specialties"),
        (4, "employer_uscc"),
        (4, "birth_date"),
        (4, "status"),
        (4, "unavailable"),
        (4, "field_since"),
        (4, "title_level"),
        (5, "suspended_until"),
        (6, "row"),
    ]
    assert problems[2].reason == "mining is not in the specialty classification"


def test_a_wrong_header_is_one_problem() -> None:
    assert [(p.line, p.field) for p in parse_csv("name,username\n", SPECIALTIES, TODAY)[1]] == [(1, "header")]


RULES = [
    AssessmentRule("declines", "suspend", "decline_without_cause", 2, 365, suspend_days=182),
    AssessmentRule("low", "dismiss", average_below=Decimal(60)),
]


def test_two_declines_without_cause_in_a_year_suspend_for_six_months() -> None:
    one = [("decline_without_cause", TODAY)]
    assert decide(RULES, one, [], TODAY) is None
    two = [*one, ("decline_without_cause", TODAY - timedelta(days=300))]
    measure = decide(RULES, two, [], TODAY)
    assert measure is not None and (measure.action, measure.until) == ("suspend", TODAY + timedelta(days=182))
    old = [*one, ("decline_without_cause", TODAY - timedelta(days=365))]
    assert decide(RULES, old, [], TODAY) is None  # a year and more ago no longer counts


def test_an_average_below_60_dismisses_and_outranks_a_suspension() -> None:
    assert decide(RULES, [], [Decimal(60)], TODAY) is None
    two = [("decline_without_cause", TODAY)] * 2
    measure = decide(RULES, two, [Decimal(59), Decimal(60)], TODAY)
    assert measure is not None and measure.action == "dismiss" and measure.until is None


def test_the_api_names_the_same_actions_and_incidents_as_the_rules() -> None:
    import typing

    from experts.assessment import ACTIONS, INCIDENTS
    from experts.schemas import RuleIn

    hints = typing.get_type_hints(RuleIn)
    assert typing.get_args(hints["action"]) == ACTIONS
    assert typing.get_args(typing.get_args(hints["incident"])[0]) == INCIDENTS


def test_abnormal_scores_only_recommend_a_review_and_a_suspension_outranks_it() -> None:
    recommend = AssessmentRule("three_abnormal_scores", "recommend", "abnormal_score", 3, 365)
    rules = [*RULES, recommend]
    three = [("abnormal_score", TODAY - timedelta(days=n)) for n in (1, 50, 100)]
    measure = decide(rules, three, [], TODAY)
    assert measure is not None and (measure.action, measure.until) == ("recommend", None)
    also_declined = [*three, ("decline_without_cause", TODAY), ("decline_without_cause", TODAY)]
    stronger = decide(rules, also_declined, [], TODAY)
    assert stronger is not None and stronger.action == "suspend"


def test_a_rule_cannot_make_abnormal_scores_suspend() -> None:
    from app.core.validation import collect_errors
    from experts.schemas import RulesIn

    bad = {"rules": [{"code": "x", "action": "suspend", "incident": "abnormal_score", "count": 3, "suspend_days": 90}]}
    assert [(e.field, e.code) for e in collect_errors(RulesIn, bad)] == [("rules[0].action", "recommend_only")]
