"""The scoring rules against values computed by hand: price formulas and their rounding,
aggregation, abnormal scores, ties, the lowest evaluated price method, and the sheet's checks."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest

from experts.scoring import (
    BelowCostRule,
    BidFacts,
    Item,
    PriceFormula,
    PriceLimits,
    SheetError,
    Template,
    aggregate,
    below_cost_suspects,
    compute,
    parse_sheet,
    price_scores,
    score_errors,
)

pytestmark = pytest.mark.pure

T0 = datetime(2026, 12, 1, 9, 0)


def test_low_price_first_scores_the_lowest_valid_price_full_marks() -> None:
    scores = price_scores({"A": D("100"), "B": D("80"), "C": D("120")}, PriceFormula("low_price_first", D(30)))
    assert scores == {"A": D("24.00"), "B": D("30.00"), "C": D("20.00")}


def test_deviation_drops_the_extremes_from_five_prices_and_applies_k() -> None:
    # mean(95, 100, 105) = 100, × (1 − 0.05) = 95
    prices = {"a": D(90), "b": D(95), "c": D(100), "d": D(105), "e": D(130)}
    scores = price_scores(prices, PriceFormula("deviation", D(30), D("0.05"), D(1), D("0.5")))
    # a: d = −5.2631…% → 30 − 0.5 × 5.2631… = 27.368…; c: 30 − 5.263… = 24.736…; d: 30 − 10.526… ;
    # e: 36.84 % above → floor 0.
    assert scores == {"a": D("27.37"), "b": D("30.00"), "c": D("24.74"), "d": D("19.47"), "e": D("0.00")}


def test_deviation_with_fewer_than_five_prices_keeps_them_all() -> None:
    scores = price_scores(
        {"x": D(100), "y": D(110), "z": D(120)}, PriceFormula("deviation", D(30), D(0), D(1), D("0.5"))
    )
    assert scores == {"x": D("25.45"), "y": D("30.00"), "z": D("20.91")}  # benchmark 110, ±9.0909 %


def test_the_rounding_pinned_in_the_template_decides_the_cent() -> None:
    prices = {"a": D(90), "b": D(95), "c": D(100), "d": D(105), "e": D(130)}
    unrounded = price_scores(prices, PriceFormula("deviation", D(30), D("0.05"), D(3), D("0.5"), "final"))
    two_places = price_scores(prices, PriceFormula("deviation", D(30), D("0.05"), D(3), D("0.5"), "deviation_2dp"))
    assert unrounded["c"] == D("14.21")  # 30 − 3 × 5.263157…
    assert two_places["c"] == D("14.22")  # 30 − 3 × 5.26


def test_aggregation_drops_one_highest_and_one_lowest_from_five_and_rounds_half_up() -> None:
    assert aggregate([D(10), D(12), D(14), D(15), D(20)]) == D("13.67")  # (12 + 14 + 15) / 3
    assert aggregate([D(10), D(11), D(11)]) == D("10.67")  # fewer than 5: the plain mean
    assert aggregate([D("10.00"), D("10.01")]) == D("10.01")  # 10.005 half-up, not to even


TEMPLATE = Template(
    "comprehensive",
    (Item("t1", "subjective", D(40), "technical"), Item("b1", "objective", D(10), "business"), Item("q", "pass_fail")),
    PriceFormula("low_price_first", D(30)),
)
BIDS = [
    BidFacts("A", D("100.00"), T0),
    BidFacts("B", D("90.00"), T0),
    BidFacts("C", D("120.00"), T0),
    BidFacts("D", D("95.00"), T0),
]


def sheet(t1: dict[str, int], b1: dict[str, int], q: dict[str, bool]) -> dict[str, dict[str, D | bool]]:
    return {bid: {"t1": D(t1[bid]), "b1": D(b1[bid]), "q": q[bid]} for bid in t1}


SCORES = {
    "e1": sheet(
        {"A": 30, "B": 28, "C": 36, "D": 20},
        {"A": 8, "B": 6, "C": 9, "D": 5},
        {"A": True, "B": True, "C": True, "D": False},
    ),
    "e2": sheet(
        {"A": 32, "B": 28, "C": 38, "D": 20},
        {"A": 8, "B": 6, "C": 9, "D": 5},
        {"A": True, "B": True, "C": True, "D": False},
    ),
    "e3": sheet(
        {"A": 34, "B": 29, "C": 37, "D": 20},
        {"A": 8, "B": 6, "C": 9, "D": 5},
        {"A": True, "B": True, "C": False, "D": True},
    ),
}


def test_a_comprehensive_evaluation_by_hand() -> None:
    result = compute(TEMPLATE, BIDS, SCORES)
    assert result.excluded == {"D": "failed: q"}  # 1 of 3 passed it; C passed 2 of 3
    assert result.items["B"] == {"t1": D("28.33"), "b1": D("6.00")}
    assert result.price_scores == {"A": D("27.00"), "B": D("30.00"), "C": D("22.50")}  # benchmark 90 (D is out)
    assert result.totals == {"A": D("67.00"), "B": D("64.33"), "C": D("68.50")}
    assert result.ranking == ["C", "A", "B"] and result.candidates == ["C", "A", "B"]
    assert result.anomalies == [] and result.ties == [] and result.inconsistent == []


def test_an_abnormal_total_is_flagged_above_the_threshold_only() -> None:
    template = Template("comprehensive", (Item("t", "subjective", D(100), "technical"),), PriceFormula())
    bids = [BidFacts("A", D(100), T0)]

    def five(last: int) -> dict[str, dict[str, dict[str, D | bool]]]:
        return {f"e{i}": {"A": {"t": D(v)}} for i, v in enumerate([50, 50, 50, 50, last])}

    flagged = compute(template, bids, five(70)).anomalies  # 70 against a mean of 50: +40 %
    assert [a.as_dict() for a in flagged] == [{"expert": "e4", "bid": "A", "deviation": "0.4000"}]
    assert compute(template, bids, five(65)).anomalies == []  # exactly +30 % is not above 30 %
    assert [a.expert for a in compute(template, bids, five(34)).anomalies] == ["e4"]  # −32 %


def test_inconsistent_objective_items_are_flagged() -> None:
    scores = {e: {b: dict(v) for b, v in s.items()} for e, s in SCORES.items()}
    scores["e2"]["A"]["b1"] = D(7)
    assert compute(TEMPLATE, BIDS, scores).inconsistent == [{"bid": "A", "item": "b1"}]


def test_ties_break_on_the_lower_price_then_wait_for_the_committee() -> None:
    template = Template(
        "comprehensive", (Item("t", "subjective", D(70), "technical"),), PriceFormula("low_price_first", D(30))
    )
    # X and Y score the same total; Y is cheaper. Z and W are identical in total and price.
    bids = [BidFacts("X", D(100), T0), BidFacts("Y", D(100), T0), BidFacts("Z", D(200), T0), BidFacts("W", D(200), T0)]
    scores = {"e1": {"X": {"t": D(60)}, "Y": {"t": D(60)}, "Z": {"t": D(70)}, "W": {"t": D(70)}}}
    # totals: X, Y = 60 + 30 = 90; Z, W = 70 + 15 = 85
    result = compute(template, bids, scores)
    assert result.ranking[2:] == ["W", "Z"] and result.ties == [["X", "Y"], ["W", "Z"]]
    assert result.blocking_ties(3) == [["X", "Y"], ["W", "Z"]]
    resolved = compute(template, bids, scores, [["Y", "X"]])
    assert resolved.ranking[:2] == ["Y", "X"] and resolved.ties == [["W", "Z"]]
    # a different price breaks the tie by itself
    cheaper = [BidFacts("X", D(100), T0), BidFacts("Y", D(99), T0)]
    scores2 = {"e1": {"X": {"t": D("60.30")}, "Y": {"t": D(60)}}}  # 60.30 + 29.70, 60 + 30.00 = 90.00 each
    assert compute(template, cheaper, scores2).ranking == ["Y", "X"]


def test_the_tie_order_is_configurable() -> None:
    template = Template(
        "comprehensive",
        (Item("t", "subjective", D(70), "technical"),),
        PriceFormula("low_price_first", D(30)),
        tie_order=("received_at",),
    )
    bids = [
        BidFacts("late", D(100), datetime(2026, 12, 1, 9, 5)),
        BidFacts("early", D(100), datetime(2026, 12, 1, 9, 1)),
    ]
    scores = {"e1": {"late": {"t": D(60)}, "early": {"t": D(60)}}}
    assert compute(template, bids, scores).ranking == ["early", "late"]


def test_the_lowest_evaluated_price_method() -> None:
    template = Template("lowest_price", (Item("qualified", "pass_fail"), Item("responsive", "pass_fail")))
    bids = [BidFacts("A", D("500.00"), T0), BidFacts("B", D("450.00"), T0), BidFacts("C", D("480.00"), T0)]
    scores = {
        "e1": {
            "A": {"qualified": True, "responsive": True},
            "B": {"qualified": True, "responsive": False},
            "C": {"qualified": True, "responsive": True},
        },
        "e2": {
            "A": {"qualified": True, "responsive": True},
            "B": {"qualified": True, "responsive": False},
            "C": {"qualified": False, "responsive": True},
        },
        "e3": {
            "A": {"qualified": True, "responsive": True},
            "B": {"qualified": True, "responsive": True},
            "C": {"qualified": True, "responsive": True},
        },
    }
    result = compute(template, bids, scores)
    assert result.excluded == {"B": "failed: responsive"}  # the cheapest fails 2 of 3
    assert result.ranking == ["C", "A"] and result.candidates == ["C", "A"]  # fewer than 3 pass
    assert result.totals == {} and result.price_scores == {}


def test_a_score_out_of_range_is_refused_naming_the_item() -> None:
    errors = score_errors(TEMPLATE, ["A"], {"A": {"t1": "40.01", "b1": "-1", "q": "yes"}}, complete=False)
    assert errors == [
        ("A.t1", "item t1 is scored within [0, 40] (got 40.01)"),
        ("A.b1", "item b1 is scored within [0, 10] (got -1)"),
        ("A.q", "a pass/fail item is true or false"),
    ]
    assert ("A.q", "not scored") in score_errors(TEMPLATE, ["A"], {"A": {"t1": "1", "b1": "1"}}, complete=True)
    assert score_errors(TEMPLATE, ["A"], {"Z": {}}, complete=False) == [("Z", "no such bid under evaluation")]


def test_a_bad_sheet_lists_every_problem() -> None:
    with pytest.raises(SheetError) as caught:
        parse_sheet(
            {
                "method": "comprehensive",
                "price": {"formula": "cheapest", "full": "30"},
                "candidates": 4,
                "items": [{"id": "t", "max": "10", "group": "technical", "kind": "subjective"}],
                "bids": [{"id": "A", "price": "-5", "received_at": "2026-12-01T09:00:00"}],
                "scores": {"e1": {"A": {"t": "11"}}},
            }
        )
    where = [w for w, _ in caught.value.problems]
    assert where == ["price.formula", "candidates", "bids[0].price", "scores.e1.A.t"]


# --- prices: the ceiling, below cost, the evaluated price (实施条例 arts. 51, 52) ------------------

LOWEST = Template("lowest_price", (Item("q", "pass_fail"), Item("dev", "price_adjustment", D(1000))))


def test_a_bid_above_the_ceiling_is_rejected_with_its_reason_before_any_item() -> None:
    bids = [BidFacts("A", D("101"), T0), BidFacts("B", D("90"), T0)]
    scores = {"e1": {"A": {"q": False, "dev": D(0)}, "B": {"q": True, "dev": D(0)}}}
    result = compute(LOWEST, bids, scores, limits=PriceLimits(ceiling=D(100)))
    assert result.excluded == {"A": "above_ceiling: the price 101 exceeds the ceiling price 100"}
    assert result.ranking == ["B"]


def test_below_cost_is_suspected_under_a_share_of_the_mean_or_of_the_ceiling() -> None:
    prices = {"A": "100", "B": "100", "C": "70", "X": "200"}
    bids = [BidFacts(bid, D(price), T0) for bid, price in prices.items()]
    # the mean of the bids within the ceiling 150 is 90; 85 % of it is 76.50 (X is over the ceiling)
    assert below_cost_suspects(LOWEST, bids, D(150)) == {
        "C": "the price 70 is below 85% of the mean of the bids (90.00), i.e. below 76.50"
    }
    half_ceiling = Template("lowest_price", LOWEST.items, below_cost=BelowCostRule("ceiling", D("0.45")))
    assert below_cost_suspects(half_ceiling, bids, D(150)) == {}  # 45 % of 150 = 67.50
    assert list(below_cost_suspects(half_ceiling, bids, D(160))) == ["C"]  # 45 % of 160 = 72.00
    assert below_cost_suspects(Template("lowest_price", LOWEST.items, below_cost=None), bids, None) == {}


def test_the_committees_below_cost_rejection_excludes_and_evaluated_prices_rank() -> None:
    bids = [BidFacts("A", D("100"), T0), BidFacts("B", D("105"), T0), BidFacts("C", D("60"), T0)]
    sheet = {"A": {"q": True, "dev": D(10)}, "B": {"q": True, "dev": D(0)}, "C": {"q": True, "dev": D(0)}}
    limits = PriceLimits(below_cost_rejected={"C": "成本说明不成立"})
    result = compute(LOWEST, bids, {"e1": sheet, "e2": sheet}, limits=limits)
    assert result.excluded == {"C": "below_cost: 成本说明不成立"}
    assert result.evaluated_prices == {"A": D("110.00"), "B": D("105")}
    assert result.ranking == ["B", "A"]  # by evaluated price, not the declared 100


def test_price_rules_in_a_template_and_a_sheet_are_checked_and_replayed() -> None:
    with pytest.raises(SheetError) as caught:
        parse_sheet(
            {
                "method": "comprehensive",
                "price": {"formula": "low_price_first"},
                "below_cost": {"basis": "median", "share": "1.5"},
                "items": [{"id": "d", "kind": "price_adjustment", "max": "10"}],
                "bids": [{"id": "A", "price": "5", "received_at": "2026-12-01T09:00:00"}],
                "scores": {"e1": {"A": {"d": "1"}}},
                "below_cost_rejected": {"Z": "x"},
            }
        )
    where = [w for w, _ in caught.value.problems]
    assert where == ["items[0].kind", "below_cost.basis", "below_cost.share", "below_cost_rejected"]
    sheet = {
        "method": "lowest_price",
        "items": [{"id": "q", "kind": "pass_fail"}],
        "bids": [
            {"id": "A", "price": "90", "received_at": "2026-12-01T09:00:00"},
            {"id": "B", "price": "120", "received_at": "2026-12-01T09:00:00"},
        ],
        "scores": {"e1": {"A": {"q": True}, "B": {"q": True}}},
        "ceiling": "100",
    }
    template, bids, scores, resolutions, limits = parse_sheet(sheet)
    assert compute(template, bids, scores, resolutions, limits).ranking == ["A"]
