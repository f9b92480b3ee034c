"""A tender's timeline (项目进度) as its agency and the officers read it (pure): the milestones
its audit trail records, in order, and the ones still scheduled.

Only milestones are shown — not each bid's submission or withdrawal, whose number must stay
secret until the opening (招标投标法 art. 22) — and each is named in both languages (`i18n`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

# audit action → message key (app.console.i18n)
MILESTONES: dict[str, str] = {
    "filing.create": "tl_filing_create",
    "filing.submit": "tl_filing_submit",
    "filing.return": "tl_filing_return",
    "tender.publish": "tl_tender_publish",
    "tender.document": "tl_tender_document",
    "draw.configure": "tl_draw_configure",
    "draw.drawn": "tl_draw_drawn",
    "draw.failed": "tl_draw_failed",
    "opening.start": "tl_opening_start",
    "opening.key_rebuilt": "tl_opening_key_rebuilt",
    "opening.record": "tl_opening_record",
    "evaluation.start": "tl_evaluation_start",
    "evaluation.report_signed": "tl_evaluation_report_signed",
    "evaluation.report_revised": "tl_evaluation_report_revised",
    "credit.candidate_check": "tl_credit_candidate_check",
    "award.publicity": "tl_award_publicity",
    "award.notice": "tl_award_notice",
    "award.declined": "tl_award_declined",
    "award.contract": "tl_award_contract",
    "tender.cancel_request": "tl_tender_cancel_request",
    "tender.failed": "tl_tender_failed",
}
SCHEDULED = {"opening_time": "tl_scheduled_opening"}


@dataclass(frozen=True, slots=True)
class Step:
    at: datetime
    key: str  # the message naming it
    done: bool


def timeline(
    recorded: Iterable[tuple[str, datetime]], scheduled: Iterable[tuple[str, datetime]], now: datetime
) -> list[Step]:
    """The milestones among `recorded` (action, when) in time order, then what is `scheduled`
    (name in SCHEDULED, when) and not yet past."""
    done = [Step(at, MILESTONES[action], True) for action, at in recorded if action in MILESTONES]
    ahead = [Step(at, SCHEDULED[name], False) for name, at in scheduled if name in SCHEDULED and at > now]
    return sorted(done, key=lambda step: step.at) + sorted(ahead, key=lambda step: step.at)
