"""Matching subjects against credit-list entries under the memoranda, pure: no web, no database.

* `active`: an entry counts at day t when listed_on ≤ t < min(expires_on, removed_on).
* `match`: an automatic match only on identifier equality (USCC, or the hash of a resident ID);
  the same name without an identifier on the entry (or with a masked one) is a *review* match;
  the same name with a different identifier is no match at all.
* An entry of the platform's own list warns only, unless it carries a competent authority's
  decision: then the decision's measures bar, from its day to its end.
* `decide`: what the matches mean for a subject in a context (bidding, winning, sitting on a
  committee, acting as an intermediary) under the memoranda's rules: `barred` when an identifier
  match falls under a rule with a barring measure for the context, `review` for a name match a
  supervisor has not dismissed, `warning` for an identifier match under a rule that does not bar
  in the context, `clear` otherwise. A confirmed review counts as an identifier match.
* `find`: the committee's candidates a barring record flags for its re-review (no one moves up).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

# The measures a memorandum's rule can take against a listed subject.
MEASURES = ("bar_bidding", "bar_winning", "bar_expert", "bar_agency", "warning")

# Which measures bar a subject in each context where the platform checks.
CONTEXTS: dict[str, frozenset[str]] = {
    "candidate": frozenset({"bar_winning", "bar_bidding"}),  # a candidate winner, at the signed report
    "bid": frozenset({"bar_bidding"}),  # a bid being submitted
    "expert": frozenset({"bar_expert"}),  # an expert in the draw
    "intermediary": frozenset({"bar_agency"}),  # an intermediary registering for a service request
    "agency": frozenset({"bar_agency"}),
}
OUTCOMES = ("clear", "warning", "review", "barred")  # ascending severity
# The trading centre's own list: a service body's record, which warns only; a bar needs a competent
# authority's decision on the entry (实施条例 arts. 67–68; 山东省社会信用条例 arts. 27–29).
OWN_LIST = "platform"


@dataclass(frozen=True, slots=True)
class Subject:
    """Who is checked: an organization by USCC, a person by the hash of a resident ID, either by
    name; `role` says why (bidder, consortium_member, legal_representative, expert, ...) and
    `of` whose (the bidder a consortium member or legal representative belongs to)."""

    role: str
    kind: str  # organization or person
    uscc: str | None = None
    person_hash: str | None = None
    name: str | None = None
    of: str | None = None

    @property
    def key(self) -> str:
        """What a review decision is remembered against."""
        if self.uscc:
            return f"org:{self.uscc}"
        if self.person_hash:
            return f"person:{self.person_hash}"
        return f"name:{self.name}"

    def as_dict(self) -> dict[str, Any]:
        shown = {"role": self.role, "kind": self.kind, "uscc": self.uscc, "name": self.name, "of": self.of}
        if self.person_hash:
            shown["person"] = self.person_hash[:12]  # enough to tell two people apart; never the ID
        return shown


class Entry(NamedTuple):
    """A list's entry as a check reads it (a tuple: built straight from the query's rows)."""

    id: int
    list_type: str
    subject_kind: str
    uscc: str | None
    person_hash: str | None
    masked_id: str | None
    name: str
    reason: str
    authority: str
    document: str
    listed_on: date
    expires_on: date | None
    removed_on: date | None
    # A competent authority's decision on a platform-list entry (credit.models.CreditEntry.decision)
    decision: Mapping[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "list_type": self.list_type,
            "subject_kind": self.subject_kind,
            "uscc": self.uscc,
            "masked_id": self.masked_id,
            "name": self.name,
            "reason": self.reason,
            "authority": self.authority,
            "document": self.document,
            "listed_on": self.listed_on.isoformat(),
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "removed_on": self.removed_on.isoformat() if self.removed_on else None,
            "decision": dict(self.decision) if self.decision else None,
        }


@dataclass(frozen=True, slots=True)
class Rule:
    """A memorandum's rule for one list type, in one version."""

    list_type: str
    version: int
    measures: frozenset[str]
    legal_basis: str
    duration_days: int | None = None

    def bars(self, context: str) -> bool:
        return bool(self.measures & CONTEXTS[context])


def active(entry: Entry, day: date) -> bool:
    """listed_on ≤ day < min(expires_on, removed_on): an entry expiring or removed on a day no
    longer counts on that day."""
    if day < entry.listed_on:
        return False
    return all(end is None or day < end for end in (entry.expires_on, entry.removed_on))


def match(subject: Subject, entry: Entry) -> str | None:
    """'identifier', 'name' or None."""
    if entry.subject_kind != subject.kind:
        return None
    if entry.subject_kind == "organization":
        if entry.uscc:
            return "identifier" if entry.uscc == subject.uscc else None
    elif entry.person_hash:
        if subject.person_hash:
            return "identifier" if entry.person_hash == subject.person_hash else None
        return "name" if subject.name and entry.name == subject.name else None
    return "name" if subject.name and entry.name == subject.name else None


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    match: str  # identifier or name
    rule: Rule | None
    review: str | None  # a name match's review: open, confirmed or dismissed
    effect: str  # barred, warning, review or none (a dismissed review, a list without a rule)

    def as_dict(self) -> dict[str, Any]:
        return {
            "list_type": self.entry.list_type,
            "entry": self.entry.as_dict(),
            "match": self.match,
            "rule": {"version": self.rule.version, "measures": sorted(self.rule.measures)} if self.rule else None,
            "legal_basis": self.entry.decision["legal_basis"]
            if self.entry.decision
            else self.rule.legal_basis
            if self.rule
            else None,
            "review": self.review,
            "effect": self.effect,
        }


class Verdict(NamedTuple):
    """A subject's outcome and the hits behind it (a tuple: a check makes one per subject, and
    most are clear)."""

    subject: Subject
    outcome: str
    hits: tuple[Hit, ...] = ()


def decide(
    subject: Subject,
    entries: Iterable[Entry],
    rules: Mapping[str, Rule],
    context: str,
    day: date,
    reviews: Callable[[Entry, Subject], str | None] = lambda _e, _s: None,
) -> Verdict:
    """The subject's outcome and every hit behind it; `reviews` tells a name match's review status."""
    hits: list[Hit] = []
    for entry in entries:
        if not active(entry, day):
            continue
        how = match(subject, entry)
        if how is None:
            continue
        rule = rules.get(entry.list_type)
        review = reviews(entry, subject) if how == "name" else None
        if how == "name" and review != "confirmed":
            effect = "none" if review == "dismissed" else "review"
        elif entry.decision is not None:
            effect = "barred" if decision_bars(entry.decision, context, day) else "warning"
        elif entry.list_type == OWN_LIST:
            effect = "warning"  # the platform's own record bars nothing without an authority's decision
        elif rule is None:
            effect = "none"
        else:
            effect = "barred" if rule.bars(context) else "warning"
        hits.append(Hit(entry, how, rule, review, effect))
    effects = {h.effect for h in hits}
    outcome = next((o for o in reversed(OUTCOMES) if o in effects), "clear")
    return Verdict(subject, outcome, tuple(hits))


def decision_bars(decision: Mapping[str, Any], context: str, day: date) -> bool:
    """Whether an authority's decision on an entry bars the subject in `context` on `day`: from
    the day it was decided to its `until` (the last day it applies; null: as long as listed)."""
    if day < date.fromisoformat(decision["decided_on"]):
        return False
    until = decision.get("until")
    if until is not None and day > date.fromisoformat(until):
        return False
    return bool(frozenset(decision["measures"]) & CONTEXTS[context])


def worst(outcomes: Iterable[str]) -> str:
    return max(outcomes, key=OUTCOMES.index, default="clear")


@dataclass(frozen=True)
class Findings:
    """The committee's candidates as the credit check found them: the check reports, the original
    committee decides (实施条例 art. 56), and nobody ranked below its list moves up."""

    candidates: tuple[str, ...]  # the committee's candidates, in its rank order
    flagged: tuple[str, ...]  # those a barring finding concerns: the committee re-reviews them

    @property
    def clean(self) -> tuple[str, ...]:
        return tuple(b for b in self.candidates if b not in self.flagged)


def find(candidates: Sequence[str], outcome_of: Callable[[str], str]) -> Findings:
    """Check the committee's candidates (and only them): a barring finding flags a candidate for
    the committee's re-review; it disqualifies no one by itself."""
    return Findings(tuple(candidates), tuple(b for b in candidates if outcome_of(b) == "barred"))
