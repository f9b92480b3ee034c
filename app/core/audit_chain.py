"""The audit trail's hashing, pure: an event's leaf in the transparency log (`leaf_data`), and
the hash chain of the history written before the log, with its verifier.

A leaf is the canonical encoding of an event's fields without any link to another event; the
Merkle tree (`app.core.merkle`) orders and binds them. Before the log, each event's hash was
SHA-256 over its fields including the previous event's hash: altering a row breaks its own
hash, deleting one leaves a gap in the sequence, reordering or splicing breaks a link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

CHAIN_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor",
    "org_uscc",
    "client_ip",
    "action",
    "object_type",
    "object_id",
    "payload_sha256",
    "prev_hash",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("audit timestamps must be timezone-aware")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if value is None or isinstance(value, (int, str)):
        return value
    return str(value)


LEAF_FIELDS = tuple(name for name in CHAIN_FIELDS if name != "prev_hash")


def leaf_data(fields: Mapping[str, Any]) -> bytes:
    """The bytes of an event's leaf: its fields (LEAF_FIELDS) in canonical JSON."""
    return json.dumps(
        [_canonical(fields[name]) for name in LEAF_FIELDS], separators=(",", ":"), ensure_ascii=False
    ).encode()


def payload_digest(payload: Any) -> str:
    """SHA-256 of a request or job payload in canonical JSON (sorted keys, no whitespace)."""
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def event_hash(fields: Mapping[str, Any]) -> str:
    """The hash of one event from its chain fields (see CHAIN_FIELDS)."""
    encoded = json.dumps([_canonical(fields[name]) for name in CHAIN_FIELDS], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    verified: int
    head_hash: str
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


class ChainVerifier:
    """Checks events fed in sequence order, one at a time, so any length verifies in bounded memory."""

    def __init__(self) -> None:
        self._expected_seq, self._prev_hash, self._verified = 1, GENESIS_HASH, 0
        self._broken: ChainBreak | None = None

    def feed(self, fields: Mapping[str, Any], stored_hash: str) -> bool:
        """Check the next event; False (and no more checking) once the chain is broken."""
        if self._broken is not None:
            return False
        seq = int(fields["seq"])
        if seq != self._expected_seq:
            reason = f"sequence gap: expected event {self._expected_seq}, found {seq} (events removed or reordered)"
            self._broken = ChainBreak(seq, reason)
        elif fields["prev_hash"] != self._prev_hash:
            self._broken = ChainBreak(seq, f"prev_hash does not match the hash of event {seq - 1} (chain spliced)")
        elif event_hash(fields) != stored_hash:
            self._broken = ChainBreak(seq, "contents do not match the stored hash (event altered)")
        else:
            self._expected_seq, self._prev_hash, self._verified = seq + 1, stored_hash, self._verified + 1
        return self._broken is None

    def report(self) -> ChainReport:
        return ChainReport(self._verified, self._prev_hash, self._broken)


def verify_chain(events: Iterable[tuple[Mapping[str, Any], str]]) -> ChainReport:
    """Walk (chain fields, stored hash) pairs in sequence order; stop at the first broken event."""
    verifier = ChainVerifier()
    for fields, stored_hash in events:
        if not verifier.feed(fields, stored_hash):
            break
    return verifier.report()
