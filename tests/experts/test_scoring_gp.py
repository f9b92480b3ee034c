"""Government procurement's scoring rules against values computed by hand (MOF order 87 art. 55;
财库〔2020〕46号 art. 9 with the rates of 财库〔2022〕19号): low-price-first only, the price weight's
floors by category, the small and micro enterprises' deduction for scoring only (and not without
the declaration), the plain mean, and every problem of a GP sheet named at once."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from experts.scoring import SheetError, compute, parse_sheet, parse_template

pytestmark = pytest.mark.pure

T0 = "2026-12-01T09:00:00+08:00"


def sheet(**changes: Any) -> dict[str, Any]:
    """A GP goods sheet: technical 40 + business 30 + price 30 (the goods floor exactly), two experts."""
    doc: dict[str, Any] = {
        "regime": "government_procurement",
        "category": "goods",
        "method": "comprehensive",
        "aggregation": "mean",
        "sme_deduction": "0.10",
        "price": {"formula": "low_price_first", "full": "30"},
        "items": [
            {"id": "tech", "kind": "subjective", "max": "40", "group": "technical"},
            {"id": "biz", "kind": "objective", "max": "30", "group": "business"},
        ],
        "bids": [
            {"id": "A", "price": "100.00", "received_at": T0, "sme": "large"},
            {"id": "B", "price": "105.00", "received_at": T0, "sme": "small"},
        ],
        "scores": {
            "e1": {"A": {"tech": "30", "biz": "20"}, "B": {"tech": "30", "biz": "20"}},
            "e2": {"A": {"tech": "30", "biz": "20"}, "B": {"tech": "30", "biz": "20"}},
        },
    }
    doc.update(changes)
    return doc


def problems_of(doc: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SheetError) as caught:
        parse_sheet(doc)
    return dict(caught.value.problems)


def run(doc: dict[str, Any]) -> dict[str, Any]:
    template, bids, scores, resolutions, limits = parse_sheet(doc)
    return compute(template, bids, scores, resolutions, limits).as_dict()


def test_a_small_enterprise_price_is_deducted_for_scoring_only_and_the_base_is_the_lowest_deducted() -> None:
    result = run(sheet())
    # B: 105.00 × (1 − 10 %) = 94.50, the base; A: 94.50 / 100.00 × 30 = 28.35.
    assert result["evaluated_prices"] == {"A": "100.00", "B": "94.50"}
    assert result["price_scores"] == {"A": "28.35", "B": "30.00"}
    assert result["totals"] == {"A": "78.35", "B": "80.00"}
    assert result["ranking"] == ["B", "A"] and result["sme_notes"] == {}


def test_a_size_claimed_without_the_declaration_is_scored_at_its_price_and_the_committee_told() -> None:
    doc = sheet()
    doc["bids"][1]["sme_declaration"] = False
    result = run(doc)
    assert result["evaluated_prices"] == {"A": "100.00", "B": "105.00"}
    assert result["price_scores"] == {"A": "30.00", "B": "28.57"}
    assert result["ranking"] == ["A", "B"]
    assert result["sme_notes"]["B"].startswith("no_declaration")


def test_a_consortium_or_subcontract_with_small_partners_over_the_share_takes_the_partner_rate() -> None:
    # 财库〔2020〕46号 art. 9 ¶2: A a consortium whose small partners hold 30 % of the contract
    # (the share exactly), C a subcontracting bidder with 29 %, B small itself (its own rate only).
    doc = sheet(sme_partner_deduction="0.05")
    doc["bids"][0]["sme_share"] = "0.30"
    doc["bids"][1]["sme_share"] = "0.50"
    doc["bids"].append({"id": "C", "price": "99.00", "received_at": T0, "sme": "medium", "sme_share": "0.29"})
    for expert in doc["scores"].values():
        expert["C"] = {"tech": "30", "biz": "20"}
    result = run(doc)
    # A: 100.00 × 95 % = 95.00; B: 105.00 × 90 % = 94.50 (not 90 % × 95 %); C: below the share, 99.00.
    assert result["evaluated_prices"] == {"A": "95.00", "B": "94.50", "C": "99.00"}
    assert result["ranking"] == ["B", "A", "C"]
    undeclared = sheet(sme_partner_deduction="0.05")
    undeclared["bids"][0].update(sme_share="0.40", sme_declaration=False)
    assert run(undeclared)["sme_notes"]["A"].startswith("no_declaration: a small and micro share of 40%")


def test_the_partner_rate_and_share_are_checked() -> None:
    found = problems_of(sheet(sme_partner_deduction="0.10", sme_partner_share="1.5"))
    assert "4%-6% for goods" in found["sme_partner_deduction"] and "sme_partner_share" in found
    works = problems_of(sheet(category="works", sme_deduction="0.04", sme_partner_deduction="0.04"))
    assert "2%-3% for works" in works["sme_partner_deduction"]
    tendering = problems_of({**sheet(sme_partner_deduction="0.05"), "regime": "tendering"})
    assert "government procurement" in tendering["sme_partner_deduction"]
    doc = sheet()
    doc["bids"][0]["sme_share"] = "-0.1"
    assert "bids[0].sme_share" in problems_of(doc)


def test_micro_is_deducted_and_medium_is_not() -> None:
    doc = sheet()
    doc["bids"][0]["sme"] = "micro"
    doc["bids"][1]["sme"] = "medium"
    assert run(doc)["evaluated_prices"] == {"A": "90.00", "B": "105.00"}


def test_the_price_weight_floor_names_itself() -> None:
    # goods: price 25 of 100 is below 30 %
    low = sheet(price={"formula": "low_price_first", "full": "25"})
    low["items"][0]["max"] = "45"
    assert "below the floor of 30% for goods" in problems_of(low)["price.full"]
    # services: 10 % is enough, 8 % is not
    services = sheet(category="services", price={"formula": "low_price_first", "full": "10"})
    services["items"][0]["max"] = "60"
    parse_sheet(services)
    services["price"]["full"] = "8"
    services["items"][0]["max"] = "62"
    assert "floor of 10% for services" in problems_of(services)["price.full"]
    # works procured by government follow the Tendering Law: no floor
    works = sheet(category="works", sme_deduction="0.03", price={"formula": "low_price_first", "full": "5"})
    works["items"][0]["max"] = "65"
    parse_sheet(works)


def test_every_gp_problem_is_named_at_once() -> None:
    doc = sheet(price={"formula": "deviation", "full": "20"}, sme_deduction="0.25", aggregation="median")
    doc.pop("category")
    found = problems_of(doc)
    assert set(found) >= {"price.formula", "category", "aggregation"}
    assert "low_price_first" in found["price.formula"]
    works = sheet(category="works", sme_deduction="0.06")
    assert "3%-5% for works" in problems_of(works)["sme_deduction"]
    goods = sheet(sme_deduction="0.25")
    assert "10%-20% for goods" in problems_of(goods)["sme_deduction"]
    bad_bid = sheet()
    bad_bid["bids"][0]["sme"] = "tiny"
    bad_bid["bids"][1]["sme_declaration"] = "yes"
    assert set(problems_of(bad_bid)) == {"bids[0].sme", "bids[1].sme_declaration"}


def test_the_deduction_belongs_to_government_procurement() -> None:
    doc = sheet(regime="tendering")
    assert "belongs to government procurement" in problems_of(doc)["sme_deduction"]
    doc.pop("sme_deduction")
    result = run(doc)  # a tendering sheet: no deduction, no evaluated prices for the comprehensive method
    assert result["price_scores"] == {"A": "30.00", "B": "28.57"} and result["evaluated_prices"] == {}


def test_gp_committees_take_the_plain_mean_where_tendering_trims() -> None:
    experts = {
        f"e{i}": {"A": {"tech": s, "biz": "20"}, "B": {"tech": "30", "biz": "20"}}
        for i, s in enumerate(["10", "30", "30", "30", "40"])
    }
    mean = run(sheet(scores=experts))
    assert mean["items"]["A"]["tech"] == "28.00"  # (10 + 30 + 30 + 30 + 40) / 5
    trimmed = run(sheet(scores=experts, aggregation="trimmed_mean"))
    assert trimmed["items"]["A"]["tech"] == "30.00"  # the 10 and the 40 dropped


def test_the_lowest_price_method_ranks_the_deducted_evaluated_price() -> None:
    doc = sheet(
        method="lowest_price",
        items=[
            {"id": "qualified", "kind": "pass_fail"},
            {"id": "warranty", "kind": "price_adjustment", "max": "10"},
        ],
        scores={
            e: {"A": {"qualified": True, "warranty": "0"}, "B": {"qualified": True, "warranty": "2"}}
            for e in ("e1", "e2", "e3")
        },
    )
    doc.pop("price")
    result = run(doc)
    assert result["evaluated_prices"] == {"A": "100.00", "B": "96.50"}  # 94.50 + 2.00
    assert result["ranking"] == ["B", "A"]


def test_the_template_keeps_its_regime_terms() -> None:
    doc = sheet()
    template = parse_template({k: doc[k] for k in doc if k not in ("bids", "scores")})
    assert (template.regime, template.category, template.aggregation, template.sme_deduction) == (
        "government_procurement",
        "goods",
        "mean",
        D("0.10"),
    )
    assert template.price_weight == D("0.3")


def test_ggzy_evaluation_compute_reproduces_a_gp_sheet_and_refuses_one_below_the_floor(tmp_path: Path) -> None:
    ggzy = str(Path(sys.executable).parent / "ggzy")
    good = tmp_path / "gp.json"
    good.write_text(json.dumps(sheet()))
    answer = subprocess.run([ggzy, "evaluation", "compute", str(good)], capture_output=True, text=True, check=False)
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["evaluated_prices"] == {"A": "100.00", "B": "94.50"}
    low = sheet(price={"formula": "low_price_first", "full": "20"})
    low["items"][0]["max"] = "50"
    bad = tmp_path / "low.json"
    bad.write_text(json.dumps(low))
    answer = subprocess.run([ggzy, "evaluation", "compute", str(bad)], capture_output=True, text=True, check=False)
    assert answer.returncode == 2
    assert "price.full: the price weight 20.00% is below the floor of 30% for goods" in answer.stderr


def test_the_size_and_the_declaration_come_from_the_sealed_declaration() -> None:
    from bidding.bids.sme import sme_of

    documents = [{"name": "中小企业声明函.pdf", "size": 10, "sha256": "00"}]
    declared = {"fields": {"sme": "small", "sme_declaration": "中小企业声明函.pdf"}}
    assert sme_of(declared, documents) == {"sme": "small", "sme_declared": True}
    missing = {"fields": {"sme": "micro", "sme_declaration": "声明函.pdf"}}
    assert sme_of(missing, documents) == {"sme": "micro", "sme_declared": False}  # names a document the bid lacks
    assert sme_of({"fields": {"sme": "huge"}}, documents) == {} and sme_of({}, None) == {}
    # a consortium's or a subcontracting bidder's small partners' share of the contract
    partners = {"fields": {"sme": "large", "sme_share": "0.35", "sme_declaration": "中小企业声明函.pdf"}}
    assert sme_of(partners, documents) == {"sme": "large", "sme_declared": True, "sme_share": "0.35"}
    for not_a_share in ("1.2", "-0.1", "三成", "NaN", None):
        assert "sme_share" not in sme_of({"fields": {"sme_share": not_a_share}}, documents)


def test_the_gp_figures_add_up() -> None:
    from datetime import UTC
    from datetime import date as day
    from datetime import datetime as at

    from bidding.award.gp_stats import AwardRow, RemedyRow, TenderRow, figures

    due = at(2026, 12, 10, tzinfo=UTC)
    stats = figures(
        day(2026, 12, 1),
        day(2026, 12, 31),
        [TenderRow("open", D("100.00")), TenderRow("open", D("50.00")), TenderRow("invited", D("10.00"))],
        [AwardRow(D("100.00"), D("80.00"), True), AwardRow(D("50.00"), D("45.00"), False)],
        [
            RemedyRow("objection", due, due),  # on the deadline: on time
            RemedyRow("objection", due, at(2026, 12, 11, tzinfo=UTC)),  # late
            RemedyRow("complaint", due, None),  # open
        ],
    )
    assert [(m.method, m.tenders, m.budget) for m in stats.by_method] == [
        ("invited", 1, D("10.00")),
        ("open", 2, D("150.00")),
    ]
    assert (stats.savings, stats.savings_rate, stats.sme_share) == (D("25.00"), D("0.1667"), D("0.6400"))
    assert (stats.questions.received, stats.questions.answered, stats.questions.on_time) == (2, 2, 1)
    assert (stats.complaints.open, stats.complaints.on_time) == (1, 0)
    empty = figures(day(2026, 12, 1), day(2026, 12, 31), [], [], [])
    assert empty.savings_rate is None and empty.sme_share is None and empty.by_method == []
