"""API contract of the intermediary supermarket (msgspec Structs)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from app.core.actor import Actor
from app.core.validation import USCC, Check, Instant, RequestBody, Yuan, YuanOrZero
from bidding.market import stats
from bidding.market.auction.engine import Mode
from bidding.market.models import ServiceRequest
from bidding.market.requests import Method, RequestTerms


def _percent(value: Decimal) -> tuple[str, str] | None:
    return None if value.is_finite() and 0 < value <= 50 else ("percent.range", "a percentage above 0 and at most 50")


class QualificationIn(RequestBody):
    certificate_type: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    grade: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    number: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    expires_on: date


class ServiceRequestIn(RequestBody):
    project_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    category: Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
    ceiling: Yuan
    registration_closes: Instant
    bidding_starts: Instant
    bidding_ends: Instant
    floor: YuanOrZero | None = None
    max_end: Instant | None = None
    min_participants: Annotated[int, msgspec.Meta(ge=1, le=100)] = 3
    method: Method = Method.auction
    required_grade: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    mode: Mode = Mode.continuous
    decrement_amount: Yuan | None = None
    decrement_percent: Annotated[Decimal, Check(_percent)] | None = None
    rounds: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    turn_seconds: Annotated[int, msgspec.Meta(ge=10, le=3600)] = 120
    pause_seconds: Annotated[int, msgspec.Meta(ge=0, le=3600)] = 60
    min_credit_score: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None
    # the local rule that lets a credit score gate this service (required with min_credit_score)
    min_credit_score_rule: Annotated[str, msgspec.Meta(max_length=300)] | None = None

    def terms(self) -> RequestTerms:
        return RequestTerms(
            self.project_name,
            self.category,
            self.ceiling,
            self.floor,
            self.registration_closes,
            self.bidding_starts,
            self.bidding_ends,
            self.max_end,
            self.min_participants,
            self.mode,
            self.decrement_amount,
            self.decrement_percent,
            self.method,
            self.required_grade,
            self.rounds,
            self.turn_seconds,
            self.pause_seconds,
            self.min_credit_score,
            self.min_credit_score_rule,
        )


class ServiceRequestOut(msgspec.Struct):
    id: uuid.UUID
    owner_uscc: str
    project_name: str
    category: str
    required_grade: str | None
    min_credit_score: int | None
    min_credit_score_rule: str | None
    ceiling: Decimal
    floor: Decimal | None
    registration_closes: datetime
    bidding_starts: datetime
    bidding_ends: datetime
    min_participants: int
    auction: dict[str, Any]
    selection_method: str
    draw_commitment: str | None
    justification: str | None
    reposted_from: uuid.UUID | None
    status: str

    @classmethod
    def of(cls, r: ServiceRequest, actor: Actor | None = None) -> ServiceRequestOut:
        """`actor` None: the owner posting it. The direct-selection justification is for the
        supervisors and the owner only."""
        shows_justification = actor is None or actor.sees_all_orgs or actor.org_uscc == r.owner_uscc
        return cls(
            r.id,
            r.owner_uscc,
            r.project_name,
            r.category,
            r.required_grade,
            r.min_credit_score,
            r.min_credit_score_rule,
            r.ceiling,
            r.floor,
            r.registration_closes,
            r.bidding_starts,
            r.bidding_ends,
            r.min_participants,
            r.auction,
            r.selection_method,
            r.draw_commitment,
            r.justification if shows_justification else None,
            r.reposted_from,
            r.status,
        )


class RegistrationIn(RequestBody):
    initial_offer: Yuan | None = None  # rounds auctions: sealed until the auction starts


class BidIn(RequestBody):
    price: Yuan


class BidAnswerOut(msgspec.Struct):
    accepted: bool
    price: Decimal
    rank: int | None
    server_time: datetime
    ends_at: datetime
    seconds_left: float
    extended: bool


class Standing(msgspec.Struct):
    rank: int
    bidder: str  # a letter until the close (the USCC for officers, and for everyone after)
    price: Decimal


class AuctionView(msgspec.Struct):
    request_id: uuid.UUID
    status: str
    server_time: datetime
    ends_at: datetime
    seconds_left: float
    you: str | None
    standings: list[Standing]
    current_turn: str | None
    # The highest price the viewing bidder may bid next (None for a watcher or once closed).
    highest_acceptable: Decimal | None
    winner: str | None
    award_price: Decimal | None
    savings: Decimal | None


class QuoteIn(RequestBody):
    price: Yuan


class DirectSelectionIn(RequestBody):
    org_uscc: USCC
    price: Yuan
    justification: Annotated[str, msgspec.Meta(min_length=20, max_length=2000, description="why this intermediary")]


class RepostIn(RequestBody):
    registration_closes: Instant
    bidding_starts: Instant
    bidding_ends: Instant


class ResultOut(msgspec.Struct):
    request_id: uuid.UUID
    method: str
    status: str
    winner: str | None
    award_price: Decimal | None
    savings: Decimal | None
    savings_rate: Decimal | None  # savings / ceiling
    draw: dict[str, Any] | None  # commitment, revealed seed and candidates: redo it yourself
    # A rounds auction's sealed initial offers, opened: bidder, price, salt and the commitment
    # recorded at registration (bidding.market.sealed_offers.commitment checks each).
    initial_offers: list[dict[str, str]] | None = None


Score = Annotated[int, msgspec.Meta(ge=0, le=100)]


class AssessmentIn(RequestBody):
    outcome: Annotated[str, msgspec.Meta(pattern="^(delivered|abandoned)$")]
    quality: Score | None = None
    timeliness: Score | None = None
    comment: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class OfferedServicesIn(RequestBody):
    categories: list[Annotated[str, msgspec.Meta(min_length=1, max_length=16)]]


class MarketStatsOut(msgspec.Struct):
    start: date
    end: date
    intermediaries_registered: int
    overall: stats.Figures
    by_category: dict[str, stats.Figures]
