"""The hash chain itself (pure): any alteration, removal or reordering is found at its event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.audit_chain import GENESIS_HASH, event_hash, verify_chain

pytestmark = pytest.mark.pure  # pure rules: no database, no web; `scripts/test -m pure`


def _chain(length: int) -> list[tuple[dict[str, Any], str]]:
    links, prev = [], GENESIS_HASH
    for seq in range(1, length + 1):
        fields = {
            "seq": seq,
            "occurred_at": datetime(2026, 11, 30, tzinfo=UTC) + timedelta(seconds=seq),
            "actor_id": None,
            "actor": f"user{seq}",
            "org_uscc": None,
            "client_ip": "127.0.0.1",
            "action": "org.create",
            "object_type": "org",
            "object_id": str(seq),
            "payload_sha256": "ab" * 32,
            "prev_hash": prev,
        }
        prev = event_hash(fields)
        links.append((fields, prev))
    return links


def test_an_intact_chain_verifies_every_event() -> None:
    report = verify_chain(_chain(5))
    assert report.ok and report.verified == 5 and report.head_hash == _chain(5)[-1][1]


@given(st.integers(min_value=1, max_value=8), st.sampled_from(["actor", "action", "object_id", "client_ip"]))
def test_an_altered_event_is_reported_at_its_position(position: int, field: str) -> None:
    links = _chain(8)
    links[position - 1][0][field] = "tampered"
    report = verify_chain(links)
    assert report.broken is not None and report.broken.seq == position and "altered" in report.broken.reason
    assert report.verified == position - 1


def test_a_removed_event_leaves_a_gap() -> None:
    links = _chain(5)
    del links[2]
    report = verify_chain(links)
    assert report.broken is not None and report.broken.seq == 4 and "gap" in report.broken.reason


def test_a_rehashed_forgery_breaks_the_next_link() -> None:
    links = _chain(5)
    forged = dict(links[1][0], actor="mallory")
    links[1] = (forged, event_hash(forged))  # the forger recomputes the row's own hash
    report = verify_chain(links)
    assert report.broken is not None and report.broken.seq == 3 and "prev_hash" in report.broken.reason
