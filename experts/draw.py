"""The verifiable random draw of experts (随机抽取) with recusal (回避), pure: no web, no database.

Implementing regulations art. 46: experts are drawn at random from the pool by specialty, nobody
designates one. The draw is verifiable the way RFC 3797 makes a nominating-committee draw
verifiable, in three steps:

1. The service gathers every pool expert whose specialty falls under a quota, and `exclusions`
   names the machine reasons any of them may not sit (employed by a party, recently served the
   tenderee, suspended, dismissed, over the age cap, unavailable, barred by credit).
2. `snapshot` writes the eligible ids, the exclusions with their reasons, the quotas and the
   algorithm version as canonical JSON; the platform publishes SHA-256 of that snapshot and of a
   fresh `secrets` seed (the *commitment*) at least the commit lead (10 minutes) before the draw.
3. After the commitment a supervisor enters a value of their own (the *beacon*, with the signed
   tree head of the audit log in force at that moment). The final seed is SHA-256 over the
   committed seed, the supervisor's value and the head (`final_seed`): the platform fixed its
   seed before it could know the value, and the supervisor chose the value without knowing the
   seed (only its hash is public), so neither can steer the committee alone.
4. `draw` orders the eligible experts by HMAC-SHA256(final seed, expert id) ascending and takes,
   quota by quota in specialty order, the first members and then the reserves of that specialty.

Once the result may be published, the seed, the snapshot and the beacon are revealed and anyone
replays the draw with `ggzy draw verify` (`verify` below), which checks both halves of the
commitment first. Supplementary draws (补抽), asked for by a supervisor when reserves run out,
go the same way: committed, a supervisor's entry, drawn the commit lead after the commitment.
Draws of the first version (ggzy-draw/1: the committed seed alone) still replay.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import msgspec

ALGORITHM_V1 = "ggzy-draw/1: order by HMAC-SHA256(seed, expert id) ascending, quotas in specialty order"
ALGORITHM = (
    "ggzy-draw/2: final seed = SHA-256(tag, committed seed, supervisor's entry, tree head);"
    " order by HMAC-SHA256(final seed, expert id) ascending, quotas in specialty order"
)
MIN_COMMITTEE = 5
_SHA256_BLOCK = 64  # bytes: HMAC-SHA256 pads its key to this

# The machine reasons an expert in the pool may not sit on a tender's committee.
EXCLUSION_REASONS = (
    "employed_by_tenderee",
    "employed_by_agency",
    "employed_by_bidder",
    "employed_by_supervisor",  # 实施条例 art. 46 ¶4: staff of the supervising department
    "served_tenderee_recently",
    "suspended",
    "dismissed",
    "over_age",
    "not_qualified",  # 招标投标法 art. 37: under 8 years in the field, or no senior title or equivalent
    "unavailable",
    "credit_barred",
    "already_drawn",  # a supplementary draw: already on this tender's committee, or replaced from it
)


class DrawError(ValueError):
    """Rules that cannot be drawn, or a snapshot or seed that does not match its commitment."""


def under(specialty: str, quota: str) -> bool:
    """Whether `specialty` falls under `quota` in the hierarchical classification (dotted codes:
    construction.civil.bridges falls under construction.civil and under construction)."""
    return specialty == quota or specialty.startswith(quota + ".")


@dataclass(frozen=True)
class Quota:
    specialty: str
    members: int
    reserves: int


@dataclass(frozen=True)
class Rules:
    """A tender's draw: the quotas (their members add up to the committee), the optional region
    rule (`local`: only experts of the tender's region; `other`: only experts of other regions)."""

    quotas: tuple[Quota, ...]
    region_rule: str | None = None
    region: str | None = None

    @property
    def committee_size(self) -> int:
        return sum(q.members for q in self.quotas)


def rule_errors(rules: Rules, least: int = MIN_COMMITTEE, representatives: int = 0) -> list[tuple[str, str]]:
    """(field, reason) for every way the rules break the law or cannot be drawn; `least` is the
    smallest committee the procedure allows (a consultation's panel: 3); `representatives` the
    seats left to the purchaser's representatives, at most a third (experts at least two thirds:
    Tendering Law art. 37, 财政部令第87号 art. 47)."""
    errors: list[tuple[str, str]] = []
    size = rules.committee_size + representatives
    if size < least or size % 2 == 0:
        errors.append(("quotas", f"the committee must be an odd number of at least {least} (got {size})"))
    if representatives < 0 or 3 * representatives > size:
        errors.append(
            ("representatives", f"the experts are at least two thirds: at most {size // 3} representatives of {size}")
        )
    seen: set[str] = set()
    for i, quota in enumerate(rules.quotas):
        if quota.specialty in seen:
            errors.append((f"quotas[{i}].specialty", f"{quota.specialty} has two quotas"))
        seen.add(quota.specialty)
        if quota.members < 1:
            errors.append((f"quotas[{i}].members", "a quota draws at least one member"))
        if quota.reserves < 0:
            errors.append((f"quotas[{i}].reserves", "reserves cannot be negative"))
    for a in seen:
        for b in seen:
            if a != b and under(a, b):
                errors.append(("quotas", f"{a} lies under {b}: one expert could fill both quotas"))
    if rules.region_rule not in (None, "local", "other"):
        errors.append(("region_rule", "the region rule is local or other"))
    if rules.region_rule is not None and not rules.region:
        errors.append(("region", "a region rule needs the tender's region"))
    return errors


class PoolExpert(NamedTuple):
    """What the draw knows of one pool expert (a tuple: a draw reads tens of thousands)."""

    id: str
    specialties: tuple[str, ...]
    employer_uscc: str | None
    region: str
    birth_date: date
    status: str  # active, suspended, dismissed
    suspended_until: date | None = None
    unavailable_on_evaluation: bool = False
    served_tenderee_recently: bool = False
    credit_barred: bool = False
    already_drawn: bool = False
    field_since: date | None = None  # None: the pool file did not say (an expert imported before it did)
    title_level: str | None = None


@dataclass(frozen=True)
class Parties:
    """Who the committee must be independent of, and the facts of the day."""

    tenderee_uscc: str
    agency_uscc: str
    bidder_usccs: frozenset[str]
    draw_date: date
    age_cap: int
    # The supervising departments (decided: every registered supervision organization supervises
    # the centre's projects; their staff sit on none of them, 实施条例 art. 46 ¶4).
    supervising_usccs: frozenset[str] = frozenset()


def age_on(birth: date, day: date) -> int:
    """Completed years: an expert born 1956-12-03 is 70 on 2026-12-03 and still 70 on 2027-12-02."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


MIN_YEARS_IN_FIELD = 8  # 招标投标法 art. 37 ¶3
QUALIFYING_TITLES = frozenset({"senior", "equivalent"})


def qualified(expert: PoolExpert, day: date) -> bool:
    """Eight full years in the field by `day`, and a senior title or its equivalent (Law art. 37)."""
    return (
        expert.field_since is not None
        and expert.title_level in QUALIFYING_TITLES
        and age_on(expert.field_since, day) >= MIN_YEARS_IN_FIELD
    )


def exclusions(expert: PoolExpert, parties: Parties) -> list[str]:
    """Every machine reason `expert` may not sit, in the order of EXCLUSION_REASONS; [] = eligible."""
    reasons: list[str] = []
    if expert.employer_uscc and expert.employer_uscc == parties.tenderee_uscc:
        reasons.append("employed_by_tenderee")
    if expert.employer_uscc and expert.employer_uscc == parties.agency_uscc:
        reasons.append("employed_by_agency")
    if expert.employer_uscc and expert.employer_uscc in parties.bidder_usccs:
        reasons.append("employed_by_bidder")
    if expert.employer_uscc and expert.employer_uscc in parties.supervising_usccs:
        reasons.append("employed_by_supervisor")
    if expert.served_tenderee_recently:
        reasons.append("served_tenderee_recently")
    if expert.status == "suspended" and (expert.suspended_until is None or parties.draw_date < expert.suspended_until):
        reasons.append("suspended")
    if expert.status == "dismissed":
        reasons.append("dismissed")
    if age_on(expert.birth_date, parties.draw_date) > parties.age_cap:
        reasons.append("over_age")
    if not qualified(expert, parties.draw_date):
        reasons.append("not_qualified")
    if expert.unavailable_on_evaluation:
        reasons.append("unavailable")
    if expert.credit_barred:
        reasons.append("credit_barred")
    if expert.already_drawn:
        reasons.append("already_drawn")
    return reasons


def in_region(expert: PoolExpert, rules: Rules) -> bool:
    if rules.region_rule == "local":
        return expert.region == rules.region
    if rules.region_rule == "other":
        return expert.region != rules.region
    return True


def snapshot(
    tender_id: str, rules: Rules, pool: Iterable[PoolExpert], parties: Parties, algorithm: str = ALGORITHM
) -> dict[str, Any]:
    """The pool as the draw sees it: experts outside the region rule are not in it; `eligible`
    maps each eligible expert's id to their specialties, `excluded` each excluded one's to the
    reasons (canonical JSON sorts both by id)."""
    eligible: dict[str, list[str]] = {}
    excluded: dict[str, list[str]] = {}
    for expert in pool:
        if not in_region(expert, rules):
            continue
        reasons = exclusions(expert, parties)
        if reasons:
            excluded[expert.id] = reasons
        else:
            eligible[expert.id] = sorted(expert.specialties)
    return {
        "algorithm": algorithm,
        "tender": tender_id,
        "draw_date": parties.draw_date.isoformat(),
        "region_rule": rules.region_rule,
        "region": rules.region,
        "quotas": [
            {"specialty": q.specialty, "members": q.members, "reserves": q.reserves}
            for q in sorted(rules.quotas, key=lambda q: q.specialty)
        ],
        "eligible": eligible,
        "excluded": excluded,
    }


def canonical(document: Mapping[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (the same bytes as Python's
    `json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`, written by
    msgspec five times faster): the bytes the commitment hashes."""
    return msgspec.json.encode(document, order="sorted")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def commitment(seed: bytes, snapshot_bytes: bytes) -> str:
    """What is published before the draw: SHA-256 of the seed, then SHA-256 of the snapshot (128 hex)."""
    return sha256_hex(seed) + sha256_hex(snapshot_bytes)


@dataclass(frozen=True)
class Beacon:
    """What nobody knew when the seed was committed: a supervisor's entry made after the
    commitment, and the audit log's signed tree head in force when it was entered (size 0 and an
    empty root while the log has no head)."""

    entry: str
    head_size: int
    head_root: str


def final_seed(seed: bytes, beacon: Beacon) -> bytes:
    """The seed the seats are drawn with: the committed seed bound to the beacon."""
    parts = [b"ggzy-draw/2", seed, beacon.entry.encode(), str(beacon.head_size).encode(), beacon.head_root.encode()]
    return hashlib.sha256(b"\x00".join(parts)).digest()


@dataclass(frozen=True)
class Seat:
    expert_id: str
    specialty: str
    reserve: bool
    order: int  # 1-based place in the draw order of the seat's specialty


@dataclass(frozen=True)
class Outcome:
    members: tuple[Seat, ...] = ()
    reserves: tuple[Seat, ...] = ()
    shortages: dict[str, dict[str, int]] = field(default_factory=dict)  # specialty -> needed, eligible

    @property
    def complete(self) -> bool:
        return not self.shortages


def draw_order(seed: bytes, ids: Iterable[str]) -> list[str]:
    """The ids by HMAC-SHA256(seed, id) ascending. HMAC is computed as RFC 2104 defines it, from
    the key's inner and outer hash states prepared once (the same bytes as `hmac.digest`, which
    redoes the key for every id: this is 2.5 times faster over thousands of experts)."""
    key = hashlib.sha256(seed).digest() if len(seed) > _SHA256_BLOCK else seed
    key = key.ljust(_SHA256_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def mac(expert_id: str) -> bytes:
        inner_hash = inner.copy()
        inner_hash.update(expert_id.encode())
        outer_hash = outer.copy()
        outer_hash.update(inner_hash.digest())
        return outer_hash.digest()

    return sorted(ids, key=mac)


def draw(snapshot_doc: Mapping[str, Any], seed: bytes) -> Outcome:
    """Replay-able: the same snapshot and seed always give the same seats. Quota by quota (in
    specialty order), the first experts in the seed's order who fall under the quota and are not
    yet seated take its members' places, the next its reserves'. A quota that cannot be filled
    makes the whole draw fail, naming every shortage."""
    specialties: Mapping[str, list[str]] = snapshot_doc["eligible"]
    quotas = [q["specialty"] for q in snapshot_doc["quotas"]]
    quotas_of_code: dict[str, list[str]] = {}
    under_quota: dict[str, set[str]] = {q: set() for q in quotas}
    for expert_id, codes in specialties.items():
        for code in codes:
            if code not in quotas_of_code:
                quotas_of_code[code] = [q for q in quotas if under(code, q)]
            for quota in quotas_of_code[code]:
                under_quota[quota].add(expert_id)
    order = draw_order(seed, specialties)
    taken: set[str] = set()
    members: list[Seat] = []
    reserves: list[Seat] = []
    shortages: dict[str, dict[str, int]] = {}
    for quota in snapshot_doc["quotas"]:
        code, wanted = quota["specialty"], quota["members"] + quota["reserves"]
        candidates = under_quota[code] - taken
        if len(candidates) < wanted:
            shortages[code] = {"needed": wanted, "eligible": len(candidates)}
            continue
        chosen = [expert_id for expert_id in order if expert_id in candidates][:wanted]
        for place, expert_id in enumerate(chosen, start=1):
            taken.add(expert_id)
            seat = Seat(expert_id, code, place > quota["members"], place)
            (reserves if seat.reserve else members).append(seat)
    if shortages:
        return Outcome(shortages=shortages)
    return Outcome(tuple(members), tuple(reserves))


def verify(snapshot_bytes: bytes, seed_hex: str, published: str, beacon: Beacon | None = None) -> Outcome:
    """Check both halves of the published commitment, then replay the draw (a version-2
    snapshot with the final seed from `beacon`, which it requires). Raises DrawError naming the
    half that does not match (the seed, or the snapshot), or the missing beacon."""
    published = published.strip().lower()
    if len(published) != 128 or any(c not in "0123456789abcdef" for c in published):
        raise DrawError("the commitment is 128 hex digits: SHA-256 of the seed, then of the snapshot")
    try:
        seed = bytes.fromhex(seed_hex.strip())
    except ValueError as exc:
        raise DrawError("the seed is not hex") from exc
    failing: list[str] = []
    if sha256_hex(seed) != published[:64]:
        failing.append("seed: its SHA-256 is not the first half of the commitment")
    if sha256_hex(snapshot_bytes) != published[64:]:
        failing.append("snapshot: its SHA-256 is not the second half of the commitment")
    if failing:
        raise DrawError("; ".join(failing))
    document = json.loads(snapshot_bytes)
    if document.get("algorithm") == ALGORITHM_V1:
        return draw(document, seed)
    if beacon is None:
        raise DrawError("a ggzy-draw/2 draw is replayed with its beacon: the supervisor's entry and the tree head")
    return draw(document, final_seed(seed, beacon))


def outcome_as_dict(outcome: Outcome) -> dict[str, Any]:
    def seats(items: Sequence[Seat]) -> list[dict[str, Any]]:
        return [{"expert": s.expert_id, "specialty": s.specialty, "order": s.order} for s in items]

    return {"members": seats(outcome.members), "reserves": seats(outcome.reserves), "shortages": outcome.shortages}
