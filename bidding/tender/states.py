"""The tender lifecycle as one explicit state machine; `move` is the only writer of its status.

published --opening time, ≥ 3 bids--> opening --all bids read out--> opened
published --opening time, < 3 bids--> failed (流标: re-tender, implementing regulations art. 44)
opened --the committee starts (评标)--> evaluation --every member signed the report--> evaluated
evaluation --竞争性磋商: fewer final suppliers than the law allows (财库〔2014〕214号 art. 27)--> failed
evaluated --the credit check leaves 1–3 clean bids (联合惩戒)--> candidates
evaluated | candidates --no clean bid (at the check or a supervisor's re-run)--> failed
candidates --published, within 3 days of the report (公示, art. 54)--> publicity
publicity --objection upheld: the same committee re-evaluates--> evaluated
candidates | publicity --government procurement: the agency opens a re-review for a case of MOF order 87
    art. 64 (the original committee corrects)--> evaluated
publicity --every candidate disqualified by an upheld objection or complaint--> failed
publicity --the period ended, no objection or complaint open: the first candidate--> awarded
candidates --government procurement (no publicity): the purchaser confirms a winner, or is deemed to
    confirm the first after 5 working days (政府采购法实施条例 art. 43; 87号令 art. 68)--> awarded
awarded --the contract recorded (Tendering Law art. 46)--> contracted
awarded --every candidate declined or failed to sign (art. 55)--> failed
any state before contracted but opening --the agency asks, a supervisor confirms--> cancelled
"""

from __future__ import annotations

import enum
from datetime import datetime

from app.core.lifecycle import Due, HasStatus, Lifecycle


class TenderStatus(enum.StrEnum):
    published = "published"
    opening = "opening"
    opened = "opened"
    evaluation = "evaluation"
    evaluated = "evaluated"
    candidates = "candidates"  # the candidate winners, credit-checked (联合惩戒)
    publicity = "publicity"  # the candidates published (中标候选人公示)
    awarded = "awarded"  # the award notice sent (中标通知书)
    contracted = "contracted"  # the contract signed (合同)
    failed = "failed"
    cancelled = "cancelled"


T = TenderStatus
TRANSITIONS: dict[TenderStatus, frozenset[TenderStatus]] = {
    T.published: frozenset({T.opening, T.failed, T.cancelled}),
    T.opening: frozenset({T.opened}),  # an opening under way is finished, never cancelled midway
    T.opened: frozenset({T.evaluation, T.cancelled}),
    T.evaluation: frozenset({T.evaluated, T.failed, T.cancelled}),  # failed: a consultation without enough
    T.evaluated: frozenset({T.candidates, T.failed, T.cancelled}),  # failed: no clean candidate
    # failed: a supervisor's re-run; evaluated: a government-procurement re-review (MOF order 87 art. 64)
    # awarded: government procurement, where the purchaser confirms the winner without a publicity
    T.candidates: frozenset({T.publicity, T.awarded, T.failed, T.cancelled, T.evaluated}),
    T.publicity: frozenset({T.awarded, T.evaluated, T.failed, T.cancelled}),
    T.awarded: frozenset({T.contracted, T.failed, T.cancelled}),
    T.contracted: frozenset(),
    T.failed: frozenset(),
    T.cancelled: frozenset(),
}
LIFECYCLE = Lifecycle("tender", TenderStatus, TRANSITIONS)

MIN_BIDS_TO_OPEN = 3

# Once published, a tender's every step is public (开标公开进行); later non-public states stay out.
PUBLIC_STATUSES = frozenset(TenderStatus)

# The committee's names are confidential until the candidates are published (Tendering Law
# art. 37, implementing regulations art. 54).
# The committee's names stay secret until the result is decided (Tendering Law art. 37 ¶5): they are
# published with the award notice, not with the candidates.
COMMITTEE_PUBLIC_STATUSES: frozenset[TenderStatus] = frozenset({T.awarded, T.contracted})

# Where the agency may ask for a cancellation (an opening under way finishes first).
CANCELLABLE = frozenset(s for s, targets in TRANSITIONS.items() if T.cancelled in targets)


def can_move(current: str, target: TenderStatus) -> bool:
    return LIFECYCLE.can_move(current, target)


def move(tender: HasStatus, target: TenderStatus) -> None:
    """The one writer of a tender's status."""
    LIFECYCLE.move(tender, target)


def next_event(status: str, opening_time: datetime) -> Due | None:
    """A published tender's opening session starts at its opening time (开标)."""
    if status == TenderStatus.published:
        return Due("opening-start", opening_time)
    return None
