"""Scoring of an evaluation (评标), pure: the template, price scores, aggregation, abnormal scores
(畸高畸低), the ranking and the candidate winners. The service and `ggzy evaluation compute` run
this same code, so an agency or a supervisor can recheck any result from its scoring sheet.

The rules, with their sources:

* Two methods: comprehensive (综合评估法: scored items grouped technical / business plus a price
  score the platform computes) and lowest evaluated price (经评审的最低投标价法: pass/fail items,
  then the lowest passing price wins). Pass/fail items may precede either; a bid passes an item
  when a strict majority of the experts pass it, and a bid failing any item is excluded.
* Price score (MOF order 87 art. 55), two formulas in data:
  `low_price_first`: benchmark = lowest valid price, score = benchmark / price × full;
  `deviation`: benchmark = mean of valid prices (dropping one highest and one lowest when there
  are ≥ 5) × (1 − k); deviation d = (price − benchmark) / benchmark × 100 (in %); score = full −
  above × d when d > 0, full − below × |d| when d < 0, never below 0. Rounding pinned in the
  template: `final` (d unrounded, the score half-up to 2 decimals) or `deviation_2dp` (d half-up
  to 2 decimals first).
* Aggregation per item: with ≥ 5 experts drop one highest and one lowest score and average the
  rest, otherwise the plain mean; half-up to 2 decimals. Objective items must be equal across
  experts; where they are not, the item is flagged.
* Abnormal scores: an expert's own total for a bid (the sum of the items they scored) that
  deviates from the mean of the other experts' totals by more than the threshold (strict >,
  default 30 %) is flagged and needs an explanation or a correction before the report is signed.
* Prices (实施条例 arts. 27, 51, 52): a bid above the tender's ceiling price (最高投标限价) is
  rejected (否决) with its reason. A bid below the template's below-cost line (`below_cost`: a
  share of the mean of the bids within the ceiling, or of the ceiling; default 85 % of the mean)
  is only suspected: the committee asks the bidder to explain in writing and decides; the bids it
  rejects are passed back in (`PriceLimits.below_cost_rejected`) and excluded with its reason.
* Lowest evaluated price: the evaluated price (评标价) is the declared price plus the template's
  `price_adjustment` items (yuan, quantified deviations, equal across the experts like objective
  items); bids rank by it, never by the raw declared price.
* Government procurement (`regime` government_procurement; MOF order 87 art. 55, 财库〔2020〕46号
  art. 9 with the rates of 财库〔2022〕19号): the price score is `low_price_first` only, and the
  price's weight (its full score over the whole) is at least 30 % for goods and 10 % for services
  (works follow the Tendering Law). Small and micro enterprises that declared themselves (中小企业
  声明函) have their prices deducted by the template's `sme_deduction` for scoring only: the price
  score's base is the lowest deducted valid price and the lowest-price method ranks the deducted
  evaluated price; a size claimed without the declaration is scored at its price and noted for
  the committee. Where the notice lets large and medium enterprises team up with or subcontract to
  small and micro ones (art. 9 ¶2), a consortium or a bidder whose agreement gives them at least
  the template's `sme_partner_share` (default 30 %) of the contract (the bid's `sme_share`) has its
  price deducted by `sme_partner_deduction` (4-6 %, works 2-3 %); a small or micro bidder takes
  its own rate instead, never both.
* 竞争性磋商 (`procedure` consultation, 财库〔2014〕214号 arts. 23, 24): government procurement's
  comprehensive method only, the price weight within 30-60 % for goods and 10-30 % for services,
  the prices being the suppliers' final quotes. GP committees customarily take the plain mean (`aggregation` mean).
* Ranking: by total, highest first (lowest price method: by evaluated price, lowest first); ties broken by
  the template's tie order (default: lower price); what is still tied is left for the committee,
  whose order (with its recorded reason) is passed back in as a resolution. The first N (≤ 3)
  are the candidate winners (implementing regulations art. 53).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
DEVIATION_PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)
METHODS = ("comprehensive", "lowest_price")
FORMULAS = ("low_price_first", "deviation")
ROUNDINGS = ("final", "deviation_2dp")
GROUPS = ("technical", "business")
KINDS = ("subjective", "objective", "pass_fail", "price_adjustment")
BASES = ("mean", "ceiling")
TIE_KEYS = ("price", "received_at", "technical")
MAX_CANDIDATES = 3
TENDERING, GOVERNMENT_PROCUREMENT = "tendering", "government_procurement"
REGIMES = (TENDERING, GOVERNMENT_PROCUREMENT)
CATEGORIES = ("goods", "services", "works")
AGGREGATIONS = ("trimmed_mean", "mean")
SME_SIZES = ("micro", "small", "medium", "large")
DEDUCTED_SIZES = ("micro", "small")
# The least weight of the price score under government procurement (MOF order 87 art. 55);
# works procured by government follow the Tendering Law and have none.
GP_PRICE_WEIGHT_FLOORS = {"goods": Decimal("0.30"), "services": Decimal("0.10")}
# The deduction a GP notice may set for small and micro enterprises' prices (财库〔2020〕46号 art. 9,
# raised by 财库〔2022〕19号): goods and services 10-20 %, works 3-5 %.
# The deduction for a consortium with, or a subcontract to, small and micro enterprises holding
# at least the notice's share of the contract (财库〔2020〕46号 art. 9 ¶2, raised by 财库〔2022〕19号).
SME_PARTNER_DEDUCTION_RANGES = {
    "goods": (Decimal("0.04"), Decimal("0.06")),
    "services": (Decimal("0.04"), Decimal("0.06")),
    "works": (Decimal("0.02"), Decimal("0.03")),
}
SME_PARTNER_SHARE = Decimal("0.30")
TENDER_PROCEDURE, CONSULTATION = "tender", "consultation"
PROCEDURES = (TENDER_PROCEDURE, CONSULTATION)
# A consultation's price weight (财库〔2014〕214号 art. 24); works follow the unified price score.
CONSULTATION_PRICE_WEIGHTS = {
    "goods": (Decimal("0.30"), Decimal("0.60")),
    "services": (Decimal("0.10"), Decimal("0.30")),
}
SME_DEDUCTION_RANGES = {
    "goods": (Decimal("0.10"), Decimal("0.20")),
    "services": (Decimal("0.10"), Decimal("0.20")),
    "works": (Decimal("0.03"), Decimal("0.05")),
}

Score = Decimal | bool
Scores = Mapping[str, Mapping[str, Mapping[str, Score]]]  # expert -> bid -> item -> score


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Item:
    id: str
    kind: str  # subjective, objective, pass_fail
    max: Decimal = Decimal(0)
    group: str | None = None  # technical or business; none for pass_fail


@dataclass(frozen=True)
class PriceFormula:
    formula: str = "low_price_first"
    full: Decimal = Decimal(30)
    k: Decimal = Decimal(0)
    above: Decimal = Decimal(1)
    below: Decimal = Decimal("0.5")
    rounding: str = "final"


@dataclass(frozen=True)
class BelowCostRule:
    """The line under which a price is suspected below cost: `share` of the mean of the bids
    within the ceiling (`basis` mean) or of the ceiling itself (`basis` ceiling; the mean when the
    tender has none). A decision of the tender's documents, kept in the template as data."""

    basis: str = "mean"
    share: Decimal = Decimal("0.85")


@dataclass(frozen=True)
class PriceLimits:
    """What bounds the prices of one evaluation: the tender's ceiling price, and the bids the
    committee rejected as below cost after their written clarification (bid -> its reason)."""

    ceiling: Decimal | None = None
    below_cost_rejected: Mapping[str, str] = field(default_factory=dict)
    # bids refused at the qualification review before scoring, with the reason (GP: a credit list)
    refused: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Template:
    method: str
    items: tuple[Item, ...]
    price: PriceFormula | None = None
    anomaly_threshold: Decimal = Decimal("0.30")
    candidates: int = 3
    tie_order: tuple[str, ...] = ("price",)
    below_cost: BelowCostRule | None = BelowCostRule()
    regime: str = TENDERING
    category: str | None = None  # goods, services or works; required under government procurement
    aggregation: str = "trimmed_mean"
    sme_deduction: Decimal | None = None  # the share deducted from small and micro enterprises' prices
    # the share deducted from a consortium's or a subcontracting bidder's price whose small and micro
    # partners hold at least `sme_partner_share` of the contract
    sme_partner_deduction: Decimal | None = None
    sme_partner_share: Decimal = SME_PARTNER_SHARE
    procedure: str = TENDER_PROCEDURE  # tender, or consultation (竞争性磋商)

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        """The items that add to a total (technical, business)."""
        return tuple(i for i in self.items if i.kind in ("subjective", "objective"))

    @property
    def adjustment_items(self) -> tuple[Item, ...]:
        """The quantified deviations (yuan) that make the evaluated price."""
        return tuple(i for i in self.items if i.kind == "price_adjustment")

    @property
    def price_weight(self) -> Decimal:
        """The price score's share of the whole score (comprehensive method), e.g. 0.30."""
        whole = sum((i.max for i in self.scored_items), Decimal(0)) + (self.price.full if self.price else 0)
        return self.price.full / whole if self.price is not None and whole > 0 else Decimal(0)


@dataclass(frozen=True)
class BidFacts:
    id: str
    price: Decimal
    received_at: datetime
    sme: str | None = None  # the size the bidder declared: micro, small, medium or large
    sme_declared: bool = True  # whether the bid carries the SME declaration (中小企业声明函)
    # the small and micro enterprises' share of the contract in the consortium agreement or the
    # subcontracting intent the bid encloses (0 to 1); None: no such agreement
    sme_share: Decimal | None = None


@dataclass(frozen=True)
class Anomaly:
    expert: str
    bid: str
    deviation: Decimal | None  # signed fraction; None when the others' mean is 0

    def as_dict(self) -> dict[str, Any]:
        shown = "inf" if self.deviation is None else str(self.deviation.quantize(DEVIATION_PLACES, ROUND_HALF_UP))
        return {"expert": self.expert, "bid": self.bid, "deviation": shown}


@dataclass(frozen=True)
class Result:
    items: dict[str, dict[str, Decimal]]
    price_scores: dict[str, Decimal]
    totals: dict[str, Decimal]
    ranking: list[str]
    candidates: list[str]
    excluded: dict[str, str]
    anomalies: list[Anomaly]
    ties: list[list[str]]
    inconsistent: list[dict[str, str]] = field(default_factory=list)
    evaluated_prices: dict[str, Decimal] = field(default_factory=dict)
    sme_notes: dict[str, str] = field(default_factory=dict)  # bids not deducted, and why

    def blocking_ties(self, candidates: int) -> list[list[str]]:
        """Unresolved ties that decide who is a candidate or in which rank."""
        return [group for group in self.ties if min(self.ranking.index(b) for b in group) < candidates]

    def as_dict(self) -> dict[str, Any]:
        def text(values: Mapping[str, Decimal]) -> dict[str, str]:
            return {k: str(v) for k, v in values.items()}

        return {
            "items": {bid: text(per_item) for bid, per_item in self.items.items()},
            "price_scores": text(self.price_scores),
            "totals": text(self.totals),
            "ranking": list(self.ranking),
            "candidates": list(self.candidates),
            "excluded": dict(self.excluded),
            "anomalies": [a.as_dict() for a in self.anomalies],
            "ties": [list(group) for group in self.ties],
            "inconsistent": list(self.inconsistent),
            "evaluated_prices": text(self.evaluated_prices),
            "sme_notes": dict(self.sme_notes),
        }


class SheetError(ValueError):
    """Every problem of a template or a scoring sheet, as (where, reason)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}: {reason}" for where, reason in problems))
        self.problems = problems


# --- price scores ---------------------------------------------------------------------------


def price_scores(prices: Mapping[str, Decimal], formula: PriceFormula) -> dict[str, Decimal]:
    """The price score of every valid bid."""
    if not prices:
        return {}
    if formula.formula == "low_price_first":
        lowest = min(prices.values())
        return {bid: half_up(lowest / price * formula.full) for bid, price in prices.items()}
    values = sorted(prices.values())
    if len(values) >= 5:
        values = values[1:-1]
    benchmark = sum(values, Decimal(0)) / len(values) * (1 - formula.k)
    scores: dict[str, Decimal] = {}
    for bid, price in prices.items():
        deviation = (price - benchmark) / benchmark * HUNDRED
        if formula.rounding == "deviation_2dp":
            deviation = half_up(deviation)
        penalty = formula.above * deviation if deviation > 0 else formula.below * -deviation
        scores[bid] = half_up(max(Decimal(0), formula.full - penalty))
    return scores


def price_exclusions(bids: Sequence[BidFacts], limits: PriceLimits) -> dict[str, str]:
    """The bids rejected on price (实施条例 art. 51 (五)): above the ceiling, or below cost as the
    committee decided after the bidder's written clarification (art. 52)."""
    excluded: dict[str, str] = {}
    for bid in bids:
        if bid.id in limits.refused:
            excluded[bid.id] = f"qualification: {limits.refused[bid.id]}"
        elif limits.ceiling is not None and bid.price > limits.ceiling:
            excluded[bid.id] = f"above_ceiling: the price {bid.price} exceeds the ceiling price {limits.ceiling}"
        elif bid.id in limits.below_cost_rejected:
            excluded[bid.id] = f"below_cost: {limits.below_cost_rejected[bid.id]}"
    return excluded


def below_cost_suspects(template: Template, bids: Sequence[BidFacts], ceiling: Decimal | None) -> dict[str, str]:
    """The bids within the ceiling whose price is under the template's below-cost line, each with
    the line it crossed: the committee asks them to explain (实施条例 art. 52) and decides."""
    rule = template.below_cost
    within = [b for b in bids if ceiling is None or b.price <= ceiling]
    if rule is None or not within:
        return {}
    if rule.basis == "ceiling" and ceiling is not None:
        basis, named = ceiling, "the ceiling price"
    else:
        basis, named = sum((b.price for b in within), Decimal(0)) / len(within), "the mean of the bids"
    line = half_up(basis * rule.share)
    return {
        b.id: f"the price {b.price} is below {rule.share:%} of {named} ({half_up(basis)}), i.e. below {line}"
        for b in within
        if b.price < line
    }


# --- aggregation ----------------------------------------------------------------------------


def aggregate(values: Sequence[Decimal], how: str = "trimmed_mean") -> Decimal:
    """`trimmed_mean`: with ≥ 5 scores drop one highest and one lowest and average the rest; else
    (and always for `mean`) the plain mean."""
    ordered = sorted(values)
    if how == "trimmed_mean" and len(ordered) >= 5:
        ordered = ordered[1:-1]
    return half_up(sum(ordered, Decimal(0)) / len(ordered))


def _decimal(score: Score) -> Decimal:
    return score if isinstance(score, Decimal) else Decimal(0)


def passed(template: Template, experts: Sequence[str], scores: Scores, bid: str) -> list[str]:
    """The pass/fail items `bid` fails (a strict majority of experts must pass each)."""
    failed = []
    for item in template.items:
        if item.kind == "pass_fail":
            yes = sum(1 for e in experts if scores[e][bid][item.id] is True)
            if yes * 2 <= len(experts):
                failed.append(item.id)
    return failed


def anomalies(template: Template, experts: Sequence[str], scores: Scores, bids: Sequence[str]) -> list[Anomaly]:
    """Every (expert, bid) whose own total deviates from the others' mean by more than the threshold."""
    if len(experts) < 2:
        return []
    flagged: list[Anomaly] = []
    for bid in bids:
        own_totals = {
            e: sum((_decimal(scores[e][bid][i.id]) for i in template.scored_items), Decimal(0)) for e in experts
        }
        for expert in experts:
            others = [own_totals[e] for e in experts if e != expert]
            mean = sum(others, Decimal(0)) / len(others)
            own = own_totals[expert]
            if mean == 0:
                if own != 0:
                    flagged.append(Anomaly(expert, bid, None))
                continue
            deviation = (own - mean) / mean
            if abs(deviation) > template.anomaly_threshold:
                flagged.append(Anomaly(expert, bid, deviation))
    return flagged


# --- government procurement: SME deduction ------------------------------------------------------


def deducted_prices(template: Template, bids: Sequence[BidFacts]) -> tuple[dict[str, Decimal], dict[str, str]]:
    """(price for scoring, notes): a declared small or micro enterprise's price less the template's
    deduction (half-up to the fen); a size claimed without the declaration keeps its price, noted."""
    prices: dict[str, Decimal] = {}
    notes: dict[str, str] = {}
    gp = template.regime == GOVERNMENT_PROCUREMENT
    rate = template.sme_deduction if gp else None
    partner_rate = template.sme_partner_deduction if gp else None
    for bid in bids:
        prices[bid.id] = bid.price
        if rate is not None and bid.sme in DEDUCTED_SIZES:
            claimed, deduction = f"{bid.sme} claimed", rate
        elif partner_rate is not None and bid.sme_share is not None and bid.sme_share >= template.sme_partner_share:
            claimed, deduction = f"a small and micro share of {bid.sme_share:.0%} claimed", partner_rate
        else:
            continue
        if not bid.sme_declared:
            notes[bid.id] = f"no_declaration: {claimed} without the SME declaration, scored at its price"
            continue
        prices[bid.id] = half_up(bid.price * (1 - deduction))
    return prices, notes


# --- ranking --------------------------------------------------------------------------------


def _tie_key(key: str, bid: BidFacts, technical: Decimal) -> Any:
    if key == "price":
        return bid.price
    if key == "received_at":
        return bid.received_at
    return -technical


def rank(
    template: Template,
    bids: Mapping[str, BidFacts],
    totals: Mapping[str, Decimal],
    technical: Mapping[str, Decimal],
    resolutions: Sequence[Sequence[str]] = (),
) -> tuple[list[str], list[list[str]]]:
    """(ranking, unresolved ties) over the bids in `totals` (the valid ones); for the lowest
    evaluated price method `totals` holds the evaluated prices."""
    tie_keys = [k for k in template.tie_order if not (template.method == "lowest_price" and k == "price")]

    def key(bid_id: str) -> tuple[Any, ...]:
        primary: Any = totals[bid_id] if template.method == "lowest_price" else -totals[bid_id]
        return (primary, *(_tie_key(k, bids[bid_id], technical.get(bid_id, Decimal(0))) for k in tie_keys))

    ordered = sorted(totals, key=lambda b: (key(b), b))
    groups: list[list[str]] = []
    for bid_id in ordered:
        if groups and key(groups[-1][0]) == key(bid_id):
            groups[-1].append(bid_id)
        else:
            groups.append([bid_id])
    ranking: list[str] = []
    ties: list[list[str]] = []
    for group in groups:
        if len(group) > 1:
            resolution = next((list(r) for r in resolutions if sorted(r) == sorted(group)), None)
            if resolution is None:
                ties.append(group)
            else:
                group = resolution
        ranking.extend(group)
    return ranking, ties


# --- the whole computation ------------------------------------------------------------------


def compute(
    template: Template,
    bids: Sequence[BidFacts],
    scores: Scores,
    resolutions: Sequence[Sequence[str]] = (),
    limits: PriceLimits = PriceLimits(),
) -> Result:
    """The result of a complete scoring sheet (`sheet_errors` is empty for it)."""
    experts = sorted(scores)
    by_id = {b.id: b for b in bids}
    scored_price, sme_notes = deducted_prices(template, bids)
    excluded = price_exclusions(bids, limits)
    for bid in bids:
        failed = passed(template, experts, scores, bid.id)
        if failed and bid.id not in excluded:
            excluded[bid.id] = "failed: " + ", ".join(failed)
    valid = [b.id for b in bids if b.id not in excluded]
    items: dict[str, dict[str, Decimal]] = {}
    inconsistent: list[dict[str, str]] = []
    for bid in bids:
        items[bid.id] = {}
        for item in (*template.scored_items, *template.adjustment_items):
            values = [_decimal(scores[e][bid.id][item.id]) for e in experts]
            items[bid.id][item.id] = aggregate(values, template.aggregation)
            if item.kind in ("objective", "price_adjustment") and len(set(values)) > 1:
                inconsistent.append({"bid": bid.id, "item": item.id})
    prices = {b: scored_price[b] for b in valid}
    price = price_scores(prices, template.price) if template.method == "comprehensive" and template.price else {}
    totals: dict[str, Decimal] = {}
    technical: dict[str, Decimal] = {}
    if template.method == "comprehensive":
        for b in valid:
            totals[b] = half_up(sum(items[b].values(), Decimal(0)) + price.get(b, Decimal(0)))
            technical[b] = sum(
                (v for i, v in items[b].items() if (it := template.item(i)) and it.group == "technical"), Decimal(0)
            )
        ranking, ties = rank(template, by_id, totals, technical, resolutions)
    else:
        adjustments = {i.id for i in template.adjustment_items}
        evaluated = {
            b: scored_price[b] + sum((v for i, v in items[b].items() if i in adjustments), Decimal(0)) for b in valid
        }
        ranking, ties = rank(template, by_id, evaluated, technical, resolutions)
    if template.method == "comprehensive" and template.regime == GOVERNMENT_PROCUREMENT:
        evaluated = prices  # the prices the price score was computed on
    return Result(
        items=items,
        price_scores=price,
        totals=totals,
        ranking=ranking,
        candidates=ranking[: template.candidates],
        excluded=excluded,
        anomalies=anomalies(template, experts, scores, valid),
        ties=ties,
        inconsistent=inconsistent,
        evaluated_prices=evaluated
        if template.method == "lowest_price" or template.regime == GOVERNMENT_PROCUREMENT
        else {},
        sme_notes=sme_notes,
    )


# --- reading templates and sheets (the API and `ggzy evaluation compute` share these) --------


# A number as people type it on any keyboard here, in ASCII: Decimal() would also take full-width
# or other scripts' digits (「３０」) and exponents, which a score sheet must not keep as typed.
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


def _dec(raw: Any, where: str, problems: list[tuple[str, str]], *, minimum: Decimal | None = Decimal(0)) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        problems.append((where, 'a decimal number as a string, e.g. "12.5"'))
        return Decimal(0)
    if isinstance(raw, str) and not PLAIN_DECIMAL.fullmatch(raw):
        problems.append((where, f'{raw!r} is not a decimal number in ASCII digits, e.g. "12.5"'))
        return Decimal(0)
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        problems.append((where, f"{raw!r} is not a decimal number"))
        return Decimal(0)
    if not value.is_finite() or (minimum is not None and value < minimum):
        problems.append((where, f"{raw} is out of range"))
        return Decimal(0)
    return value


def parse_template(doc: Any, problems: list[tuple[str, str]] | None = None) -> Template:
    """A template from its JSON form (the `ggzy evaluation compute` input without bids and scores)."""
    own = problems is None
    problems = [] if problems is None else problems
    if not isinstance(doc, dict):
        raise SheetError([("$", "a JSON object")])
    method = doc.get("method")
    if method not in METHODS:
        problems.append(("method", f"one of {', '.join(METHODS)}"))
    price: PriceFormula | None = None
    raw_price = doc.get("price")
    if method == "comprehensive":
        if not isinstance(raw_price, dict):
            problems.append(("price", "the comprehensive method needs a price formula"))
        else:
            formula = raw_price.get("formula", "low_price_first")
            if formula not in FORMULAS:
                problems.append(("price.formula", f"one of {', '.join(FORMULAS)}"))
            rounding = raw_price.get("rounding", "final")
            if rounding not in ROUNDINGS:
                problems.append(("price.rounding", f"one of {', '.join(ROUNDINGS)}"))
            k = _dec(raw_price.get("k", "0"), "price.k", problems)
            if k >= 1:
                problems.append(("price.k", "k is a fraction below 1"))
            price = PriceFormula(
                formula,
                _dec(raw_price.get("full", "30"), "price.full", problems),
                k,
                _dec(raw_price.get("above", "1"), "price.above", problems),
                _dec(raw_price.get("below", "0.5"), "price.below", problems),
                rounding,
            )
    threshold = _dec(doc.get("anomaly_threshold", "0.30"), "anomaly_threshold", problems)
    candidates = doc.get("candidates", 3)
    if isinstance(candidates, bool) or not isinstance(candidates, int) or not 1 <= candidates <= MAX_CANDIDATES:
        problems.append(("candidates", f"a whole number from 1 to {MAX_CANDIDATES}"))
        candidates = 3
    tie_order = doc.get("tie_order", ["price"])
    if (
        not isinstance(tie_order, list)
        or any(k not in TIE_KEYS for k in tie_order)
        or len(set(tie_order)) != len(tie_order)
    ):
        problems.append(("tie_order", f"a list of distinct keys among {', '.join(TIE_KEYS)}"))
        tie_order = ["price"]
    items: list[Item] = []
    raw_items = doc.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        problems.append(("items", "a non-empty list of items"))
        raw_items = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_items):
        where = f"items[{n}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
            problems.append((where, "an object with a non-empty string id"))
            continue
        if raw["id"] in seen:
            problems.append((f"{where}.id", f"{raw['id']} appears twice"))
        seen.add(raw["id"])
        kind = raw.get("kind")
        if kind not in KINDS:
            problems.append((f"{where}.kind", f"one of {', '.join(KINDS)}"))
            continue
        if kind == "pass_fail":
            items.append(Item(raw["id"], kind))
            continue
        maximum = _dec(raw.get("max"), f"{where}.max", problems)
        if maximum <= 0:
            problems.append((f"{where}.max", "the maximum is above 0"))
        if kind == "price_adjustment":
            if method != "lowest_price":
                problems.append((f"{where}.kind", "price adjustments belong to the lowest evaluated price method"))
            items.append(Item(raw["id"], kind, maximum))
            continue
        if method == "lowest_price":
            problems.append(
                (f"{where}.kind", "the lowest evaluated price method has pass/fail and price adjustment items only")
            )
        group = raw.get("group")
        if group not in GROUPS:
            problems.append((f"{where}.group", f"one of {', '.join(GROUPS)}"))
        items.append(Item(raw["id"], kind, maximum, group))
    below_cost = _below_cost_rule(doc.get("below_cost", {}), problems)
    template = Template(
        method or "comprehensive", tuple(items), price, threshold, candidates, tuple(tie_order), below_cost
    )
    template = _regime_terms(doc, template, problems)
    if own and problems:
        raise SheetError(problems)
    return template


def _regime_terms(doc: dict[str, Any], template: Template, problems: list[tuple[str, str]]) -> Template:
    """`regime`, `category`, `aggregation` and `sme_deduction`, checked against the regime's rules."""
    regime = doc.get("regime", TENDERING)
    if regime not in REGIMES:
        problems.append(("regime", f"one of {', '.join(REGIMES)}"))
        regime = TENDERING
    category = doc.get("category")
    if category is not None and category not in CATEGORIES:
        problems.append(("category", f"one of {', '.join(CATEGORIES)}"))
        category = None
    aggregation = doc.get("aggregation", "trimmed_mean")
    if aggregation not in AGGREGATIONS:
        problems.append(("aggregation", f"one of {', '.join(AGGREGATIONS)}"))
        aggregation = "trimmed_mean"
    raw_rate = doc.get("sme_deduction")
    rate = None if raw_rate is None else _dec(raw_rate, "sme_deduction", problems)
    raw_partner = doc.get("sme_partner_deduction")
    partner_rate = None if raw_partner is None else _dec(raw_partner, "sme_partner_deduction", problems)
    partner_share = _dec(doc.get("sme_partner_share", str(SME_PARTNER_SHARE)), "sme_partner_share", problems)
    if not Decimal(0) < partner_share <= 1:
        problems.append(("sme_partner_share", "a share of the contract above 0 and at most 1"))
        partner_share = SME_PARTNER_SHARE
    if regime == GOVERNMENT_PROCUREMENT:
        if doc.get("category") is None:
            problems.append(("category", "government procurement names the category: goods, services or works"))
        if template.method == "comprehensive" and template.price is not None:
            if template.price.formula != "low_price_first":
                problems.append(
                    ("price.formula", "government procurement scores price by low_price_first only (87号令 art. 55)")
                )
            floor = GP_PRICE_WEIGHT_FLOORS.get(category or "")
            weight = template.price_weight
            if floor is not None and weight < floor:
                problems.append(
                    (
                        "price.full",
                        f"the price weight {weight:.2%} is below the floor of {floor:.0%} for {category} "
                        "(87号令 art. 55)",
                    )
                )
        for name, value, ranges in (
            ("sme_deduction", rate, SME_DEDUCTION_RANGES),
            ("sme_partner_deduction", partner_rate, SME_PARTNER_DEDUCTION_RANGES),
        ):
            if value is not None and category in ranges:
                low, high = ranges[category]
                if not low <= value <= high:
                    problems.append((name, f"{low:.0%}-{high:.0%} for {category} (财库〔2020〕46号, 财库〔2022〕19号)"))
    else:
        for name, value in (("sme_deduction", rate), ("sme_partner_deduction", partner_rate)):
            if value is not None:
                problems.append((name, "the SME price deduction belongs to government procurement (财库〔2020〕46号)"))
    procedure = _procedure(doc, template, regime, category, problems)
    return replace(
        template,
        regime=regime,
        category=category,
        aggregation=aggregation,
        sme_deduction=rate,
        sme_partner_deduction=partner_rate,
        sme_partner_share=partner_share,
        procedure=procedure,
    )


def _procedure(
    doc: dict[str, Any], template: Template, regime: str, category: str | None, problems: list[tuple[str, str]]
) -> str:
    """`procedure`: a consultation is GP's, scores comprehensively, its price weight in its range."""
    procedure = str(doc.get("procedure", TENDER_PROCEDURE))
    if procedure not in PROCEDURES:
        problems.append(("procedure", f"one of {', '.join(PROCEDURES)}"))
        return TENDER_PROCEDURE
    if procedure != CONSULTATION:
        return procedure
    if regime != GOVERNMENT_PROCUREMENT:
        problems.append(("procedure", "competitive consultation is a government procurement method"))
    if template.method != "comprehensive":
        problems.append(("method", "a consultation scores by the comprehensive method (财库〔2014〕214号 art. 23)"))
    elif category in CONSULTATION_PRICE_WEIGHTS:
        low, high = CONSULTATION_PRICE_WEIGHTS[category]
        weight = template.price_weight
        if not low <= weight <= high:
            problems.append(
                (
                    "price.full",
                    f"the price weight {weight:.2%} is outside {low:.0%}-{high:.0%} for {category} in a "
                    "consultation (财库〔2014〕214号 art. 24)",
                )
            )
    return procedure


def _below_cost_rule(raw: Any, problems: list[tuple[str, str]]) -> BelowCostRule | None:
    """`{"basis": "mean" | "ceiling", "share": "0.85"}`; `null` for none (the default is 85 % of the mean)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(("below_cost", 'an object {"basis": "mean" | "ceiling", "share": "0.85"}, or null'))
        return BelowCostRule()
    basis = raw.get("basis", "mean")
    if basis not in BASES:
        problems.append(("below_cost.basis", f"one of {', '.join(BASES)}"))
    share = _dec(raw.get("share", "0.85"), "below_cost.share", problems)
    if not Decimal(0) < share < 1:
        problems.append(("below_cost.share", "a fraction between 0 and 1"))
    return BelowCostRule(basis if basis in BASES else "mean", share)


def template_as_dict(template: Template) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "method": template.method,
        "anomaly_threshold": str(template.anomaly_threshold),
        "candidates": template.candidates,
        "tie_order": list(template.tie_order),
        "items": [
            {"id": i.id, "kind": i.kind}
            if i.kind == "pass_fail"
            else {"id": i.id, "kind": i.kind, "max": str(i.max)}
            if i.kind == "price_adjustment"
            else {"id": i.id, "kind": i.kind, "max": str(i.max), "group": i.group}
            for i in template.items
        ],
        "below_cost": None
        if template.below_cost is None
        else {"basis": template.below_cost.basis, "share": str(template.below_cost.share)},
        "regime": template.regime,
        "aggregation": template.aggregation,
    }
    if template.category is not None:
        doc["category"] = template.category
    if template.sme_deduction is not None:
        doc["sme_deduction"] = str(template.sme_deduction)
    if template.procedure != TENDER_PROCEDURE:
        doc["procedure"] = template.procedure
    if template.sme_partner_deduction is not None:
        doc["sme_partner_deduction"] = str(template.sme_partner_deduction)
        doc["sme_partner_share"] = str(template.sme_partner_share)
    if template.price is not None:
        p = template.price
        doc["price"] = {
            "formula": p.formula,
            "full": str(p.full),
            "k": str(p.k),
            "above": str(p.above),
            "below": str(p.below),
            "rounding": p.rounding,
        }
    return doc


def score_errors(template: Template, bid_ids: Sequence[str], sheet: Any, *, complete: bool) -> list[tuple[str, str]]:
    """Problems of one expert's sheet {bid: {item: score}}: unknown bids or items, a score outside
    [0, max] (naming the item), a pass/fail item not true/false; with `complete`, anything missing."""
    problems: list[tuple[str, str]] = []
    if not isinstance(sheet, dict):
        return [("$", "an object of bids, each an object of item scores")]
    for bid, per_item in sheet.items():
        if bid not in bid_ids:
            problems.append((bid, "no such bid under evaluation"))
            continue
        if not isinstance(per_item, dict):
            problems.append((bid, "an object of item scores"))
            continue
        for item_id, raw in per_item.items():
            where = f"{bid}.{item_id}"
            item = template.item(item_id)
            if item is None:
                problems.append((where, "no such item in the template"))
            elif item.kind == "pass_fail":
                if not isinstance(raw, bool):
                    problems.append((where, "a pass/fail item is true or false"))
            else:
                value = _dec(raw, where, problems, minimum=None)
                if value.is_finite() and not Decimal(0) <= value <= item.max:
                    problems.append((where, f"item {item_id} is scored within [0, {item.max}] (got {raw})"))
    if complete:
        for bid in bid_ids:
            for item in template.items:
                if not isinstance(sheet.get(bid), dict) or item.id not in sheet[bid]:
                    problems.append((f"{bid}.{item.id}", "not scored"))
    return problems


def parse_scores(sheet: Mapping[str, Any]) -> dict[str, Score]:
    """A checked per-bid item map with its decimal strings as Decimals."""
    return {item: raw if isinstance(raw, bool) else Decimal(str(raw)) for item, raw in sheet.items()}


def parse_limits(doc: Mapping[str, Any], problems: list[tuple[str, str]]) -> PriceLimits:
    """`"ceiling": "8500000.00"` and `"below_cost_rejected": {bid: reason}` of a sheet."""
    ceiling = None if doc.get("ceiling") is None else _dec(doc["ceiling"], "ceiling", problems)
    rejected = doc.get("below_cost_rejected", {})
    if not isinstance(rejected, dict) or not all(isinstance(v, str) for v in rejected.values()):
        problems.append(("below_cost_rejected", "an object of bid ids and the committee's reasons"))
        rejected = {}
    return PriceLimits(ceiling, rejected)


def parse_sheet(
    doc: Any,
) -> tuple[Template, list[BidFacts], dict[str, dict[str, dict[str, Score]]], list[list[str]], PriceLimits]:
    """The `ggzy evaluation compute` input, every problem listed at once (SheetError)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(doc, dict):
        raise SheetError([("$", "a JSON object")])
    template = parse_template(doc, problems)
    bids: list[BidFacts] = []
    raw_bids = doc.get("bids")
    if not isinstance(raw_bids, list) or not raw_bids:
        problems.append(("bids", "a non-empty list of bids"))
        raw_bids = []
    for n, raw in enumerate(raw_bids):
        where = f"bids[{n}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            problems.append((where, "an object with a string id"))
            continue
        price = _dec(raw.get("price"), f"{where}.price", problems, minimum=None)
        if price <= 0:
            problems.append((f"{where}.price", "a price above 0"))
            price = Decimal(1)
        try:
            received = datetime.fromisoformat(str(raw.get("received_at")))
        except ValueError:
            problems.append((f"{where}.received_at", "an ISO 8601 time"))
            received = datetime.min
        sme = raw.get("sme")
        if sme is not None and sme not in SME_SIZES:
            problems.append((f"{where}.sme", f"one of {', '.join(SME_SIZES)}"))
            sme = None
        declared = raw.get("sme_declaration", True)
        if not isinstance(declared, bool):
            problems.append((f"{where}.sme_declaration", "true or false: whether the bid carries the SME declaration"))
            declared = False
        share = None
        if raw.get("sme_share") is not None:
            share = _dec(raw["sme_share"], f"{where}.sme_share", problems)
            if not Decimal(0) <= share <= 1:
                problems.append((f"{where}.sme_share", "the small and micro enterprises' share, 0 to 1"))
                share = None
        bids.append(BidFacts(raw["id"], price, received, sme, declared, share))
    bid_ids = [b.id for b in bids]
    if len(set(bid_ids)) != len(bid_ids):
        problems.append(("bids", "a bid id appears twice"))
    raw_scores = doc.get("scores")
    scores: dict[str, dict[str, dict[str, Score]]] = {}
    if not isinstance(raw_scores, dict) or not raw_scores:
        problems.append(("scores", "an object of experts' sheets"))
        raw_scores = {}
    for expert, sheet in raw_scores.items():
        errors = score_errors(template, bid_ids, sheet, complete=True)
        problems.extend((f"scores.{expert}.{where}", reason) for where, reason in errors)
        if not errors:
            scores[expert] = {bid: parse_scores(per_item) for bid, per_item in sheet.items()}
    resolutions = doc.get("tie_resolutions", [])
    if not isinstance(resolutions, list) or any(
        not isinstance(r, list) or any(b not in bid_ids for b in r) for r in resolutions
    ):
        problems.append(("tie_resolutions", "a list of lists of bid ids"))
        resolutions = []
    limits = parse_limits(doc, problems)
    if any(bid not in bid_ids for bid in limits.below_cost_rejected):
        problems.append(("below_cost_rejected", "bids of this sheet only"))
    if problems:
        raise SheetError(problems)
    return template, bids, scores, resolutions, limits
