"""The verifiable draw, pure: every exclusion reason, the age cap's edge, quotas and reserves by
specialty, the shortage, and the replay that a changed byte or a wrong seed fails."""

from __future__ import annotations

import hmac
import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experts import draw
from experts.draw import Parties, PoolExpert, Quota, Rules

pytestmark = pytest.mark.pure

TENDEREE, AGENCY, BIDDER = "91420100MAD4A0UG01", "91420100MABMXTJ312", "91420100MA8X50C72K"
SUPERVISION = "11420100MB1234567X"  # a supervising department (its staff sit on none of its projects)
DAY = date(2026, 12, 3)
PARTIES = Parties(TENDEREE, AGENCY, frozenset({BIDDER}), DAY, 70, frozenset({SUPERVISION}))


def expert(n: int, specialty: str = "construction.civil", **facts: object) -> PoolExpert:
    base: dict[str, object] = {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "specialties": (specialty,),
        "employer_uscc": "91420100MABG0J7AXA",
        "region": "310000",
        "birth_date": date(1970, 1, 1),
        "status": "active",
        "field_since": date(1995, 7, 1),
        "title_level": "senior",
    }
    base.update(facts)
    return PoolExpert(**base)  # type: ignore[arg-type]


EXCLUSION_CASES: list[tuple[dict[str, object], str]] = [
    ({"employer_uscc": TENDEREE}, "employed_by_tenderee"),
    ({"employer_uscc": AGENCY}, "employed_by_agency"),
    ({"employer_uscc": BIDDER}, "employed_by_bidder"),
    ({"employer_uscc": SUPERVISION}, "employed_by_supervisor"),
    ({"served_tenderee_recently": True}, "served_tenderee_recently"),
    ({"status": "suspended", "suspended_until": date(2026, 12, 4)}, "suspended"),
    ({"status": "dismissed"}, "dismissed"),
    ({"birth_date": date(1955, 12, 3)}, "over_age"),  # 71 on the draw date
    ({"field_since": date(2018, 12, 4)}, "not_qualified"),  # 8 years tomorrow (Law art. 37)
    ({"title_level": "intermediate"}, "not_qualified"),
    ({"field_since": None}, "not_qualified"),  # an expert imported before the pool file said
    ({"unavailable_on_evaluation": True}, "unavailable"),
    ({"credit_barred": True}, "credit_barred"),
    ({"already_drawn": True}, "already_drawn"),
]


@pytest.mark.parametrize(("facts", "reason"), EXCLUSION_CASES)
def test_each_exclusion_reason(facts: dict[str, object], reason: str) -> None:
    assert draw.exclusions(expert(1, **facts), PARTIES) == [reason]


def test_every_reason_the_draw_knows_is_tested_above() -> None:
    assert sorted({reason for _facts, reason in EXCLUSION_CASES}) == sorted(draw.EXCLUSION_REASONS)


def test_the_age_cap_and_a_suspension_end_on_their_day() -> None:
    assert draw.exclusions(expert(1, field_since=date(2018, 12, 3)), PARTIES) == []  # eight years today
    assert draw.exclusions(expert(1, title_level="equivalent"), PARTIES) == []
    assert draw.exclusions(expert(1, birth_date=date(1956, 12, 3)), PARTIES) == []  # exactly 70 today
    assert draw.exclusions(expert(1, birth_date=date(1956, 12, 2)), PARTIES) == []  # 70 and a day
    assert draw.exclusions(expert(1, birth_date=date(1955, 12, 4)), PARTIES) == []  # 70, 71 tomorrow
    assert draw.exclusions(expert(1, status="suspended", suspended_until=DAY), PARTIES) == []  # served its time
    two = draw.exclusions(expert(1, employer_uscc=BIDDER, status="dismissed"), PARTIES)
    assert two == ["employed_by_bidder", "dismissed"]  # every reason is recorded


RULES = Rules((Quota("construction.civil", 3, 1), Quota("economics.cost", 2, 1)))


def pool() -> list[PoolExpert]:
    civil = [expert(n, "construction.civil.bridges" if n % 2 else "construction.civil") for n in range(1, 9)]
    cost = [expert(n, "economics.cost") for n in range(20, 25)]
    return [*civil, *cost, expert(30, employer_uscc=BIDDER), expert(31, "law")]


def test_a_draw_fills_every_quota_with_members_then_reserves_from_the_seed_order() -> None:
    snapshot = draw.snapshot("t-1", RULES, pool(), PARTIES)
    assert {i[-2:]: reasons for i, reasons in snapshot["excluded"].items()} == {"30": ["employed_by_bidder"]}
    seed = bytes(range(32))
    outcome = draw.draw(snapshot, seed)
    assert outcome.complete and len(outcome.members) == 5 and len(outcome.reserves) == 2
    order = draw.draw_order(seed, snapshot["eligible"])
    civil = [i for i in order if int(i[-2:]) < 20]
    assert [s.expert_id for s in outcome.members if s.specialty == "construction.civil"] == civil[:3]  # bridges count
    assert [s.expert_id for s in outcome.reserves if s.specialty == "construction.civil"] == civil[3:4]
    assert {s.specialty for s in outcome.reserves} == {"construction.civil", "economics.cost"}
    assert draw.draw(snapshot, seed) == outcome  # the same seed and snapshot, the same seats
    assert draw.draw(snapshot, bytes(32)) != outcome


def test_too_small_a_pool_names_the_shortage_per_specialty() -> None:
    rules = Rules((Quota("construction.civil", 3, 1), Quota("economics.cost", 4, 2)))
    outcome = draw.draw(draw.snapshot("t-1", rules, pool(), PARTIES), b"seed")
    assert not outcome.complete and outcome.shortages == {"economics.cost": {"needed": 6, "eligible": 5}}


def test_the_rules_of_the_committee() -> None:
    assert draw.rule_errors(RULES) == []
    assert draw.rule_errors(Rules((Quota("construction", 4, 0),)))[0][1].startswith(
        "the committee must be an odd number"
    )
    assert draw.rule_errors(Rules((Quota("construction", 6, 0),)))
    overlap = draw.rule_errors(Rules((Quota("construction", 3, 0), Quota("construction.civil", 2, 0))))
    assert overlap == [("quotas", "construction.civil lies under construction: one expert could fill both quotas")]


def test_the_region_rule_keeps_only_local_or_only_other_experts() -> None:
    experts = [expert(1, region="310000"), expert(2, region="320000")]
    local = draw.snapshot("t", Rules(RULES.quotas, "local", "310000"), experts, PARTIES)
    other = draw.snapshot("t", Rules(RULES.quotas, "other", "310000"), experts, PARTIES)
    assert [i[-1] for i in local["eligible"]] == ["1"] and [i[-1] for i in other["eligible"]] == ["2"]


BEACON = draw.Beacon("监督随机值 271828", 41, "ab" * 32)


def test_verify_replays_the_draw_and_names_the_commitment_that_fails() -> None:
    snapshot_bytes = draw.canonical(draw.snapshot("t-1", RULES, pool(), PARTIES))
    seed = bytes(range(32))
    published = draw.commitment(seed, snapshot_bytes)
    replayed = draw.draw(json.loads(snapshot_bytes), draw.final_seed(seed, BEACON))
    assert draw.verify(snapshot_bytes, seed.hex(), published, BEACON) == replayed
    tampered = snapshot_bytes.replace(b'"reserves":1', b'"reserves":2', 1)
    with pytest.raises(draw.DrawError, match=r"^snapshot: "):
        draw.verify(tampered, seed.hex(), published, BEACON)
    with pytest.raises(draw.DrawError, match=r"^seed: "):
        draw.verify(snapshot_bytes, bytes(32).hex(), published, BEACON)
    with pytest.raises(draw.DrawError, match=r"beacon"):
        draw.verify(snapshot_bytes, seed.hex(), published)  # a version-2 draw needs its beacon
    v1 = draw.canonical(draw.snapshot("t-1", RULES, pool(), PARTIES, algorithm=draw.ALGORITHM_V1))
    v1_published = draw.commitment(seed, v1)
    assert draw.verify(v1, seed.hex(), v1_published) == draw.draw(json.loads(v1), seed)  # old draws still replay


@settings(max_examples=200, deadline=None)
@given(entry=st.text(min_size=6, max_size=40), size=st.integers(0, 10**9), other=st.text(min_size=6, max_size=40))
def test_the_final_seed_moves_with_every_part_of_the_beacon(entry: str, size: int, other: str) -> None:
    """The committed seed alone does not decide the draw: another entry or another head gives
    another final seed, so the platform cannot pick a committee when it commits."""
    seed = bytes(range(32))
    beacon = draw.Beacon(entry, size, "ab" * 32)
    final = draw.final_seed(seed, beacon)
    assert final != seed and len(final) == 32
    if other != entry:
        assert draw.final_seed(seed, draw.Beacon(other, size, "ab" * 32)) != final
    assert draw.final_seed(seed, draw.Beacon(entry, size + 1, "ab" * 32)) != final
    assert draw.final_seed(seed, draw.Beacon(entry, size, "cd" * 32)) != final


def test_the_canonical_bytes_are_those_of_sorted_compact_json() -> None:
    """Anyone can recompute the snapshot's hash with Python's json module: the canonical bytes are
    exactly `json.dumps(sort_keys, compact separators, UTF-8)`, control characters and all."""
    document = {
        "名": '中文\u2028\x01"\\/',
        "b": [1, None, True, {"z": "y", "a": []}],
        "a": {"2": ["x"], "10": []},
    }
    expected = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert draw.canonical(document) == expected


@pytest.mark.parametrize("seed", [b"", b"k" * 32, bytes(range(64)), b"long" * 40])
def test_the_draw_order_is_hmac_sha256_as_the_standard_library_computes_it(seed: bytes) -> None:
    ids = [f"00000000-0000-0000-0000-{n:012d}" for n in range(200)]
    expected = sorted(ids, key=lambda expert_id: hmac.digest(seed, expert_id.encode(), "sha256"))
    assert draw.draw_order(seed, ids) == expected
