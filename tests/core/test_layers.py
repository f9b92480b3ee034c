"""The house rules that a reader cannot see in any one file: only a state module writes a status,
and every stateful object's lifecycle allows exactly the moves its diagram shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.core.lifecycle import Due, Lifecycle, TransitionRefused
from bidding.award import states as award
from bidding.bids import states as bids
from bidding.bonds import states as bonds
from bidding.filing import states as filings
from bidding.market import states as requests
from bidding.opening import states as openings
from bidding.tender import states as tenders
from credit import states as credit_states
from experts import states as experts

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "bidding", "credit", "experts")
THE_ONE_WRITER = ROOT / "app" / "core" / "lifecycle.py"
# `Problem.status` is an HTTP status code, not the state of an object.
NOT_A_LIFECYCLE = {ROOT / "app" / "core" / "problems.py"}

STATUS_WRITE = re.compile(
    r"""\.status\s*(?:,[^=\n]*)?=(?!=)"""  # obj.status = …, or obj.status, obj.x = …
    r"""|setattr\([^,]+,\s*['"]status['"]"""  # setattr(obj, "status", …)
    r"""|\.values\([^)]*\bstatus\s*="""  # update(...).values(status=…)
)


def status_writes(text: str) -> list[str]:
    return [match.group(0) for match in STATUS_WRITE.finditer(text)]


def test_the_detector_sees_every_way_of_writing_a_status() -> None:
    assert status_writes("tender.status = TenderStatus.opened")
    assert status_writes("filing.status, filing.updated_at = FilingStatus.accepted, now")
    assert status_writes('setattr(bid, "status", "withdrawn")')
    assert status_writes("update(Bid).where(Bid.id == x).values(status=BidStatus.replaced, ended_at=now)")
    assert not status_writes("if tender.status == TenderStatus.published:")
    assert not status_writes("query.where(Filing.status != FilingStatus.draft)")


def test_only_the_state_modules_write_a_status() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == THE_ONE_WRITER or path in NOT_A_LIFECYCLE:
                continue
            for write in status_writes(path.read_text()):
                offenders.append(f"{path.relative_to(ROOT)}: {write}")
    assert offenders == [], "write a status only through the object's states.move()"


LIFECYCLES: list[Lifecycle] = [  # type: ignore[type-arg]
    tenders.LIFECYCLE,
    filings.LIFECYCLE,
    bids.LIFECYCLE,
    openings.LIFECYCLE,
    requests.LIFECYCLE,
    experts.DRAW,
    experts.SEAT,
    experts.EVALUATION,
    experts.CONSULTATION,
    experts.EXPERT,
    credit_states.REVIEW,
    award.OBJECTION,
    award.AWARD,
    award.CANCELLATION,
    bonds.LIFECYCLE,
    bonds.INSTRUCTION_LIFECYCLE,
    bonds.GUARANTEE_LIFECYCLE,
    bonds.DELIVERY_LIFECYCLE,
]


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.what)
def test_every_move_the_table_allows_is_made_and_every_other_is_refused(lifecycle: Lifecycle) -> None:  # type: ignore[type-arg]
    for current in lifecycle.statuses:
        for target in lifecycle.statuses:
            thing = SimpleNamespace(status=current)
            if target in lifecycle.transitions[current]:
                lifecycle.move(thing, target)
                assert thing.status == target
            else:
                with pytest.raises(TransitionRefused, match=f"a {current} {lifecycle.what} cannot become {target}"):
                    lifecycle.move(thing, target)
                assert thing.status == current  # a refused move changes nothing


def test_the_tables_match_the_diagrams() -> None:
    T, F, B, Op, R = (
        tenders.TenderStatus,
        filings.FilingStatus,
        bids.BidStatus,
        openings.OpeningStatus,
        requests.RequestStatus,
    )
    assert tenders.LIFECYCLE.terminal() == {T.contracted, T.failed, T.cancelled}
    assert tenders.can_move(T.candidates, T.publicity) and tenders.can_move(T.publicity, T.awarded)
    assert tenders.can_move(T.publicity, T.evaluated)  # an upheld objection: the same committee re-evaluates
    assert tenders.can_move(T.awarded, T.contracted) and tenders.can_move(T.awarded, T.failed)  # all declined
    # without publicity only under government procurement (the service asks the regime: no GP, no move)
    assert tenders.can_move(T.candidates, T.awarded)
    assert not tenders.can_move(T.opening, T.cancelled)  # an opening under way finishes
    assert tenders.CANCELLABLE == set(tenders.TenderStatus) - {T.opening, T.contracted, T.failed, T.cancelled}
    assert award.AWARD.terminal() == {
        award.AwardStatus.contracted,
        award.AwardStatus.declined,
        award.AwardStatus.voided,
    }
    assert tenders.can_move(T.evaluated, T.candidates) and tenders.can_move(T.evaluated, T.failed)  # none clean
    assert tenders.can_move(T.candidates, T.failed) and not tenders.can_move(T.failed, T.candidates)
    assert credit_states.REVIEW.terminal() == {
        credit_states.ReviewStatus.confirmed,
        credit_states.ReviewStatus.dismissed,
    }
    assert tenders.can_move(T.published, T.opening) and not tenders.can_move(T.opening, T.failed)
    assert tenders.can_move(T.opened, T.evaluation) and not tenders.can_move(T.opened, T.evaluated)  # never unscored
    E, C = experts.EvaluationStatus, experts.ConsultationStatus
    assert experts.EVALUATION.can_move(E.consulting, E.scoring) and not experts.EVALUATION.can_move(
        E.consulting, E.signed
    )
    assert experts.CONSULTATION.terminal() == {C.closed, C.failed}
    assert not experts.CONSULTATION.can_move(C.consulting, C.closed)  # never without the final quotes
    Seat = experts.SeatStatus
    assert experts.SEAT.terminal() == {Seat.replaced}
    assert not experts.SEAT.can_move(Seat.reserve, Seat.seated)  # a reserve is called in, then declares
    assert not experts.SEAT.can_move(Seat.replaced, Seat.drawn)  # a replaced member never comes back
    assert experts.DRAW.terminal() == {experts.DrawStatus.drawn}  # a committee is never drawn twice
    assert filings.LIFECYCLE.terminal() == {F.accepted}
    assert filings.can_move(F.returned, F.submitted) and not filings.can_move(F.draft, F.accepted)
    assert bids.LIFECYCLE.terminal() == {B.replaced, B.withdrawn}
    Bd = bonds.BondStatus
    assert bonds.LIFECYCLE.terminal() == {Bd.refunded, Bd.released, Bd.forfeited, Bd.closed}
    assert not bonds.LIFECYCLE.can_move(Bd.refunding, Bd.forfeited)  # a refund under way is never kept
    assert not bonds.LIFECYCLE.can_move(Bd.awaiting, Bd.forfeited)  # nothing posted, nothing to keep
    assert openings.LIFECYCLE.terminal() == {Op.read_out, Op.failed}
    assert not openings.LIFECYCLE.can_move(Op.awaiting_shares, Op.read_out)  # never without decrypting
    assert requests.LIFECYCLE.terminal() == {R.awarded, R.failed}
    assert not requests.LIFECYCLE.can_move(R.failed, R.bidding)  # a failed request is posted again, not revived


def test_a_lifecycle_must_name_every_status() -> None:
    with pytest.raises(ValueError, match="no transitions given"):
        Lifecycle("thing", tenders.TenderStatus, {tenders.TenderStatus.published: frozenset()})


NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_each_object_answers_its_next_due_event_and_when() -> None:
    later = NOW + timedelta(hours=1)
    due = tenders.next_event("published", later)
    assert due is not None and (due.event, due.at) == ("opening-start", later) and not due.is_due(NOW)
    assert tenders.next_event("opening", later) is None

    assert filings.round_next_event(False, False, NOW) == Due("filing-overdue", NOW)
    assert filings.round_next_event(True, False, NOW) is None  # decided
    assert filings.round_next_event(False, True, NOW) is None  # already marked

    stalled = openings.next_event("decrypting", NOW - timedelta(seconds=1), NOW - timedelta(minutes=5))
    assert stalled is not None and stalled.event == "opening-resume" and stalled.is_due(NOW)
    never_began = openings.next_event("decrypting", None, NOW)
    assert never_began is not None and never_began.is_due(NOW)
    assert openings.next_event("awaiting_shares", None, None) is None

    closes = requests.next_event("registering", False, NOW, None)
    assert closes is not None and closes.event == "auction-open" and closes.is_due(NOW)
    assert requests.next_event("registering", True, NOW, None) is None  # a direct choice: the owner acts
    ends = requests.next_event("bidding", False, NOW - timedelta(hours=1), later)
    assert ends is not None and (ends.event, ends.at) == ("auction-close", later)
    assert requests.next_event("awarded", False, NOW, NOW) is None

    lead = timedelta(minutes=10)
    commit = experts.draw_next_event("scheduled", later, None, lead)
    assert commit is not None and (commit.event, commit.at) == ("expert-draw-commit", later - lead)
    draw = experts.draw_next_event("scheduled", later, later - lead, lead)
    assert draw is not None and (draw.event, draw.at) == ("expert-draw", later)
    late = experts.draw_next_event("scheduled", later, later, lead)  # committed late: the lead runs from it
    assert late is not None and late.at == later + lead
    assert experts.draw_next_event("drawn", later, later - lead, lead) is None
