"""The transparency log over the audit trail (RFC 9162 style): the sequencer that makes committed
events leaves of a Merkle tree, signed tree heads, and proofs.

Writers never coordinate (`app.core.audit.record`). One sequencer at a time (a transaction-scoped
advisory lock taken only by the sequencer) integrates events in commit order: on PostgreSQL only
events of transactions older than the oldest one of this database still in flight (`OLDEST_IN_FLIGHT`), ordered by
(transaction id, seq), so an event whose transaction commits late is integrated after the others,
never skipped and never twice. A batch — its leaves, the subtrees they complete and the new size —
commits as one transaction, so a sequencer killed mid-batch leaves nothing half-done.
"""

from __future__ import annotations

import base64
import itertools
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import func, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import checkpoint, merkle
from app.core.audit_chain import leaf_data
from app.core.clock import Clock
from app.core.models import AuditEvent, TlogLeaf, TlogNode, TlogState, TreeHead
from app.core.problems import InvalidRequest, NotFound
from app.core.validation import FieldError

logger = logging.getLogger("ggzy.transparency")

# pg_try_advisory_xact_lock key of the sequencer: "ggzy" + "tlog" as one 64-bit number.
SEQUENCER_LOCK_KEY = 0x67677A79746C6F67
BATCH = 2000
# The oldest transaction id still in flight in this database: events of older transactions are
# all committed or gone. Only this database's transactions write its audit events, so another
# database's long transaction on the same cluster (a report, a backup, a parallel test) must not
# hold the log back, as the cluster-wide pg_snapshot_xmin would. Read in two steps, in this order:
# the snapshot's next id first, then this database's transactions with an id (pg_stat_activity,
# 32-bit ids widened against that next id); a transaction that takes its id in between has one at
# least the next id, so it is never overtaken. The application's own sessions, which write the
# audit events, are always visible to it in pg_stat_activity.
NEXT_TXID = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
OLDEST_IN_FLIGHT = """
SELECT min(:next - ((:next - backend_xid::text::bigint) % 4294967296 + 4294967296) % 4294967296)
FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL
"""
SEQUENCER_EVERY_SECONDS = 1  # `ggzy scheduler` runs a sequencer pass this often


def _on_postgresql(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def _state(session: AsyncSession) -> TlogState:
    state = await session.get(TlogState, 1)
    if state is None:
        state = TlogState(id=1, size=0, last_txid=-1, last_seq=-1)
        session.add(state)
    return state


async def nodes_for(session: AsyncSession, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of these subtrees (level 0: leaves), in at most two queries."""
    keys = set(keys)
    found: dict[tuple[int, int], bytes] = {}
    leaves = sorted(index for level, index in keys if level == 0)
    if leaves:
        rows = await session.execute(select(TlogLeaf.leaf_index, TlogLeaf.hash).where(TlogLeaf.leaf_index.in_(leaves)))
        found |= {(0, index): bytes(h) for index, h in rows}
    inner = sorted(key for key in keys if key[0] > 0)
    if inner:
        subtrees = await session.execute(
            select(TlogNode.level, TlogNode.index, TlogNode.hash).where(
                tuple_(TlogNode.level, TlogNode.index).in_(inner)
            )
        )
        found |= {(level, index): bytes(h) for level, index, h in subtrees}
    return found


def _lookup(found: dict[tuple[int, int], bytes]) -> merkle.Nodes:
    def nodes(level: int, index: int) -> bytes:
        return found[(level, index)]

    return nodes


async def integrate(session: AsyncSession, *, batch: int = BATCH) -> int:
    """Integrate one batch of committed events; commits; the number integrated (0: nothing to do,
    or another sequencer holds the lock)."""
    postgresql = _on_postgresql(session)
    if postgresql:
        if not await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SEQUENCER_LOCK_KEY}):
            await session.rollback()
            return 0
        next_txid = await session.scalar(text(NEXT_TXID))
        oldest = await session.scalar(text(OLDEST_IN_FLIGHT), {"next": next_txid})
        horizon = next_txid if oldest is None else oldest
    state = await _state(session)
    query = select(AuditEvent).where(tuple_(AuditEvent.txid, AuditEvent.seq) > tuple_(state.last_txid, state.last_seq))
    if postgresql:
        query = query.where(AuditEvent.txid < horizon)  # older than every transaction in flight
    events = list(await session.scalars(query.order_by(AuditEvent.txid, AuditEvent.seq).limit(batch)))
    if not events:
        await session.commit()
        return 0
    start = state.size
    level0 = {start + i: merkle.leaf_hash(leaf_data(e.chain_fields())) for i, e in enumerate(events)}
    frontier = await nodes_for(session, merkle.frontier_keys(start))
    made = merkle.parents(level0, start, start + len(events), _lookup(frontier))
    await session.execute(
        insert(TlogLeaf), [{"leaf_index": i, "seq": e.seq, "hash": level0[i]} for i, e in enumerate(events, start)]
    )
    if made:
        await session.execute(
            insert(TlogNode), [{"level": level, "index": index, "hash": h} for (level, index), h in made.items()]
        )
    state.size, state.last_txid, state.last_seq = start + len(events), events[-1].txid, events[-1].seq
    await session.commit()
    return len(events)


async def integrated_size(session: AsyncSession) -> int:
    state = await session.get(TlogState, 1)
    return state.size if state else 0


async def root_at(session: AsyncSession, size: int) -> bytes:
    return merkle.root(size, _lookup(await nodes_for(session, merkle.needed_for_root(size))))


async def sign_head(
    session: AsyncSession, clock: Clock, key: ed25519.Ed25519PrivateKey, origin: str, *, min_interval: float = 0
) -> TreeHead | None:
    """Sign a head of the tree as integrated now, unless one of that size exists or the last was
    signed less than `min_interval` seconds ago; commits."""
    size = await integrated_size(session)
    latest = await latest_head(session)
    now_ms = int(clock.now().timestamp() * 1000)
    if latest is not None and (latest.tree_size >= size or now_ms - latest.timestamp < min_interval * 1000):
        return None
    root = await root_at(session, size)
    note, signature = checkpoint.sign(checkpoint.Checkpoint(origin, size, root), key)
    head = TreeHead(
        tree_size=size,
        root_hash=root.hex(),
        timestamp=now_ms,
        key_id=checkpoint.key_id(origin, key.public_key()).hex(),
        signature=base64.b64encode(signature).decode(),
        checkpoint=note,
    )
    session.add(head)
    await session.commit()
    return head


async def latest_head(session: AsyncSession) -> TreeHead | None:
    return await session.scalar(select(TreeHead).order_by(TreeHead.tree_size.desc()).limit(1))


async def head_of_size(session: AsyncSession, size: int) -> TreeHead:
    head = await session.get(TreeHead, size) if 0 <= size < 2**62 else None
    if head is None:
        raise NotFound(f"no signed tree head of size {size}")
    return head


def head_view(head: TreeHead) -> dict[str, Any]:
    return {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "timestamp": head.timestamp,
        "signature": head.signature,
        "key_id": head.key_id,
        "checkpoint": head.checkpoint,
    }


async def _leaf_of_event(session: AsyncSession, seq: int) -> TlogLeaf:
    leaf = await session.scalar(select(TlogLeaf).where(TlogLeaf.seq == seq))
    if leaf is None:
        raise NotFound(f"audit event {seq} is not in the log yet (the sequencer integrates it shortly)")
    return leaf


async def inclusion(session: AsyncSession, *, leaf: int | None, event: int | None, size: int) -> dict[str, Any]:
    """The audit path of a leaf (or of an audit event's leaf) in the tree of `size`."""
    if (leaf is None) == (event is None):
        raise InvalidRequest([FieldError("leaf", "one_of", "give leaf (a leaf index) or event (an audit event's seq)")])
    index = (await _leaf_of_event(session, event)).leaf_index if event is not None else leaf
    assert index is not None
    current = await integrated_size(session)
    errors = []
    if not 0 <= index < size:
        errors.append(FieldError("leaf", "out_of_range", f"leaf {index} is not in a tree of {size}"))
    if not 0 < size <= current:
        errors.append(FieldError("size", "out_of_range", f"the tree has {current} leaves"))
    if errors:
        raise InvalidRequest(errors)
    found = await nodes_for(session, merkle.needed_for_inclusion(index, size))
    path = merkle.inclusion_proof(index, size, _lookup(found))
    return {
        "leaf_index": index,
        "tree_size": size,
        "leaf_hash": found[(0, index)].hex(),
        "audit_path": [h.hex() for h in path],
    }


async def consistency(session: AsyncSession, first: int, second: int) -> dict[str, Any]:
    current = await integrated_size(session)
    if not 0 <= first <= second <= current:
        raise InvalidRequest([FieldError("from", "out_of_range", f"need 0 ≤ from ≤ to ≤ {current} (the tree's size)")])
    found = await nodes_for(session, merkle.needed_for_consistency(first, second))
    proof = merkle.consistency_proof(first, second, _lookup(found))
    return {"first": first, "second": second, "proof": [h.hex() for h in proof]}


async def run_sequencer(
    session_factory: Any, clock: Clock, key: ed25519.Ed25519PrivateKey, origin: str, interval: float
) -> int:
    """One sequencer pass: integrate until caught up (bounded), then sign a head if due."""
    total, started = 0, time.monotonic()
    while time.monotonic() - started < 5:
        async with session_factory() as session:
            done = await integrate(session)
        total += done
        if done < BATCH:
            break
    async with session_factory() as session:
        await sign_head(session, clock, key, origin, min_interval=interval)
    return total


@dataclass
class LogReport:
    """What `ggzy audit verify` found: the leaves and heads checked, and the first problem."""

    leaves: int = 0
    heads: int = 0
    pending: int = 0
    problem: str | None = None
    bad_leaf: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Frontier:
    """The right edge of a tree grown leaf by leaf: its root at any size in O(log n) memory."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []

    def push(self, leaf: bytes) -> None:
        self._stack.append((1, leaf))
        while len(self._stack) > 1 and self._stack[-1][0] == self._stack[-2][0]:
            (size, right), (_, left) = self._stack.pop(), self._stack.pop()
            self._stack.append((2 * size, merkle.node_hash(left, right)))

    def root(self) -> bytes:
        if not self._stack:
            return merkle.EMPTY_ROOT
        result = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            result = merkle.node_hash(left, result)
        return result


def _head_problem(head: TreeHead, origin: str, public: ed25519.Ed25519PublicKey) -> str | None:
    try:
        signed = checkpoint.verify(head.checkpoint, origin, public)
    except checkpoint.CheckpointError as exc:
        return f"head {head.tree_size}: {exc}"
    if signed.size != head.tree_size or signed.root.hex() != head.root_hash:
        return f"head {head.tree_size}: its fields do not match its signed checkpoint"
    return None


async def verify_log(
    session: AsyncSession,
    public: ed25519.Ed25519PublicKey,
    origin: str,
    *,
    saved_head: checkpoint.Checkpoint | None = None,
    on_leaf: Callable[[], None] = lambda: None,
) -> LogReport:
    """Recompute the tree from the events, leaf by leaf, and check every stored head (its
    signature and its root), the consistency between consecutive heads, and a head saved earlier."""
    report = LogReport()
    heads = list(await session.scalars(select(TreeHead).order_by(TreeHead.tree_size)))
    for head in heads:
        if (problem := _head_problem(head, origin, public)) is not None:
            report.problem = problem
            return report
    checks = {h.tree_size: ("head", bytes.fromhex(h.root_hash)) for h in heads}
    if saved_head is not None:
        checks.setdefault(saved_head.size, ("saved head", saved_head.root))
        if checks[saved_head.size][1] != saved_head.root:
            report.problem = f"the saved head of size {saved_head.size} differs from the platform's stored head"
            return report
    frontier, expected, checked_up_to = _Frontier(), 0, 0
    rows = await session.stream(
        select(TlogLeaf.leaf_index, TlogLeaf.hash, AuditEvent)
        .join(AuditEvent, AuditEvent.seq == TlogLeaf.seq, isouter=True)
        .order_by(TlogLeaf.leaf_index)
        .execution_options(yield_per=5000)
    )
    async for index, stored, event in rows:
        on_leaf()
        if index != expected:
            report.problem, report.bad_leaf = f"leaf {expected} is missing (removed)", expected
            break
        if event is None:
            report.problem, report.bad_leaf = f"leaf {index}: its audit event is missing (removed)", index
            break
        recomputed = merkle.leaf_hash(leaf_data(event.chain_fields()))
        if recomputed != bytes(stored):
            report.problem = (
                f"leaf {index} (audit event {event.seq}): the event does not match its leaf (altered or reordered)"
            )
            report.bad_leaf = index
            break
        frontier.push(recomputed)
        expected += 1
        report.leaves = expected
        if expected in checks:
            what, root = checks[expected]
            if frontier.root() != root:
                report.problem = (
                    f"the {what} of size {expected} does not match the events: a leaf in "
                    f"[{checked_up_to}, {expected}) was rewritten"
                )
                report.bad_leaf = checked_up_to
                break
            checked_up_to = expected
    await rows.close()
    if report.problem is None:
        beyond = [size for size in checks if size > expected]
        if beyond:
            report.problem = f"a head of size {min(beyond)} but only {expected} leaves: leaves were removed"
            report.bad_leaf = expected
    if report.problem is None:
        for first, second in itertools.pairwise(heads):
            proof = await consistency(session, first.tree_size, second.tree_size)
            if not merkle.verify_consistency(
                first.tree_size,
                second.tree_size,
                bytes.fromhex(first.root_hash),
                bytes.fromhex(second.root_hash),
                [bytes.fromhex(h) for h in proof["proof"]],
            ):
                report.problem = f"heads {first.tree_size} and {second.tree_size} are not consistent"
                break
    report.heads = len(heads)
    report.pending = (await session.scalar(select(func.count()).select_from(AuditEvent)) or 0) - expected
    return report


@dataclass(frozen=True)
class EventInLog:
    """Where one audit event stands in the log, checked now: `verified` (its fields as stored hash
    to a leaf whose inclusion proof leads to the signed head's root), `pending` (not yet under a
    signed head: the sequencer or the next head will take it), or `altered` (it no longer hashes
    to what the signed head committed to)."""

    event: AuditEvent
    leaf_index: int | None
    state: str


@dataclass(frozen=True)
class TrailCheck:
    head: TreeHead | None
    head_problem: str | None  # None: the head's signature verifies with the platform's key
    events: list[EventInLog]


async def check_trail(
    session: AsyncSession, events: list[AuditEvent], public: ed25519.Ed25519PublicKey, origin: str
) -> TrailCheck:
    """The verification state of an object's audit trail against the latest signed head."""
    head = await latest_head(session)
    leaves = {
        leaf.seq: leaf
        for leaf in (await session.scalars(select(TlogLeaf).where(TlogLeaf.seq.in_([e.seq for e in events])))).all()
    }
    checked = []
    for event in events:
        leaf = leaves.get(event.seq)
        if head is None or leaf is None or leaf.leaf_index >= head.tree_size:
            checked.append(EventInLog(event, leaf.leaf_index if leaf else None, "pending"))
            continue
        index, size = leaf.leaf_index, head.tree_size
        found = await nodes_for(session, merkle.needed_for_inclusion(index, size))
        path = merkle.inclusion_proof(index, size, _lookup(found))
        recomputed = merkle.leaf_hash(leaf_data(event.chain_fields()))
        included = merkle.verify_inclusion(index, size, recomputed, path, bytes.fromhex(head.root_hash))
        checked.append(EventInLog(event, index, "verified" if included else "altered"))
    problem = _head_problem(head, origin, public) if head is not None else None
    return TrailCheck(head, problem, checked)
