"""Credit lists (信用名单): importing a list's new version, its diff, its freshness.

An import is the whole current list of one type. The file is checked row by row and the good
rows are staged in `credit_import_rows` inside the import's transaction (in batches, so a file
of millions of rows never sits in memory); duplicates and the diff against the current entries
are computed in SQL; if any row is bad nothing is applied and every problem comes back with its
line, field and reason. A clean file becomes the list's next version in the same transaction:
entries no longer in the file and the old rows of changed entries are ended (`removed_in`), new
and changed ones added (`added_in`). The same file twice is an empty diff (and a fresh import).
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import CursorResult, Select, and_, delete, exists, func, insert, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.problems import Conflict, NotFound, Problem
from credit.entries import EntryRow, RowProblem, check_rows
from credit.models import CreditEntry, CreditImportRow, CreditListImport, CreditListType

STAGE_BATCH = 5000
YIELD_EVERY = 250  # rows checked between the write's turns
MAX_REPORTED_PROBLEMS = 10_000  # a file of a million bad rows answers with the first ten thousand
ENTRY_COLUMNS = (
    "entry_key",
    "digest",
    "subject_kind",
    "uscc",
    "person_hash",
    "masked_id",
    "name",
    "reason",
    "authority",
    "document",
    "listed_on",
    "expires_on",
    "removed_on",
)


class ListFileInvalid(Problem):
    status, slug, title = 422, "validation", "Invalid request"

    def __init__(self, problems: Sequence[RowProblem], total: int) -> None:
        super().__init__(f"{total} problem(s) in the file; nothing was imported")
        self.extra = {
            "invalid-params": [
                {"name": f"line {p.line}: {p.field}", "code": "invalid", "reason": p.reason} for p in problems
            ],
            "rows": [{"line": p.line, "field": p.field, "reason": p.reason} for p in problems],
            "problems_total": total,
        }


async def next_version(session: AsyncSession, list_type: str) -> int:
    """The list's next version number (the caller holds the list type's row lock)."""
    last = await session.scalar(
        select(func.max(CreditListImport.version)).where(CreditListImport.list_type == list_type)
    )
    return (last or 0) + 1


async def list_type_or_404(session: AsyncSession, code: str, *, for_update: bool = False) -> CreditListType:
    query = select(CreditListType).where(CreditListType.code == code)
    found = await session.scalar(query.with_for_update() if for_update else query)
    if found is None:
        known = ", ".join(await session.scalars(select(CreditListType.code).order_by(CreditListType.code)))
        raise NotFound(f"no credit list {code!r}; the lists are {known}")
    return found


async def stage_batch(session: AsyncSession, import_id: uuid.UUID, rows: list[EntryRow]) -> None:
    """Stage validated rows: COPY on PostgreSQL (inside the import's transaction), a multi-row
    INSERT elsewhere."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            CreditImportRow.__tablename__,
            records=[(import_id, *r) for r in rows],  # EntryRow is in the staged columns' order
            columns=["import_id", "line", *ENTRY_COLUMNS],
        )
        return
    await session.execute(
        insert(CreditImportRow),
        [{"import_id": import_id, "line": r.line, **{c: getattr(r, c) for c in ENTRY_COLUMNS}} for r in rows],
    )


async def import_list(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    list_type: str,
    rows: Iterable[tuple[int, dict[str, Any]] | RowProblem],
    hash_person: Callable[[str], str],
    *,
    source: str,
    file_sha256: str,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Apply a whole list file as the list's next version, or nothing (ListFileInvalid). `today`
    (the platform's date) is when the entries the version drops stop being listed."""
    kind = await list_type_or_404(session, list_type, for_update=True)  # one import of a list at a time
    if not kind.importable:
        raise Conflict(f"{kind.name_zh} is the platform's own list: its entries are recorded breaches, not imports")
    import_id = uuid.uuid4()
    postgresql = (await session.connection()).dialect.name == "postgresql"
    if postgresql:  # the diff's hashes of a million keys in memory
        await session.execute(text("SET LOCAL work_mem = '256MB'"))
    problems: list[RowProblem] = []
    total_problems = 0
    batch: list[EntryRow] = []
    staged = 0
    # One batch is written while the next is checked: the database ingests as Python parses. The
    # write moves on only when this loop lets the event loop run (to send the rows, then to hear
    # the server's answer), so the loop yields every few hundred rows while a write is under way.
    writing: asyncio.Future[None] | None = None
    for n, item in enumerate(check_rows(rows, hash_person)):
        if not n % YIELD_EVERY and writing is not None and not writing.done():
            await asyncio.sleep(0)
        if isinstance(item, RowProblem):
            total_problems += 1
            if len(problems) < MAX_REPORTED_PROBLEMS:
                problems.append(item)
            continue
        if total_problems:
            continue  # the file is refused: nothing more to stage, only problems to find
        batch.append(item)
        if len(batch) == STAGE_BATCH:
            if writing is not None:
                await writing
            writing = asyncio.ensure_future(stage_batch(session, import_id, batch))
            staged += len(batch)
            batch = []
            if progress:
                progress(staged)
    if writing is not None:
        await writing
    if batch and not total_problems:
        await stage_batch(session, import_id, batch)
        staged += len(batch)
    if postgresql:  # statistics of what was staged: the diff's plan joins by hash
        await session.execute(text("ANALYZE credit_import_rows"))
    if not total_problems:
        for dup in await _duplicates(session, import_id):
            total_problems += 1
            if len(problems) < MAX_REPORTED_PROBLEMS:
                problems.append(dup)
    if total_problems:
        await session.rollback()
        raise ListFileInvalid(sorted(problems, key=lambda p: p.line), total_problems)
    result = await _apply(session, clock, actor, kind, import_id, source, file_sha256, today)
    await session.commit()
    return result


async def _duplicates(session: AsyncSession, import_id: uuid.UUID) -> list[RowProblem]:
    staged = CreditImportRow
    first = (
        select(staged.entry_key, func.min(staged.line).label("first"))
        .where(staged.import_id == import_id)
        .group_by(staged.entry_key)
        .having(func.count() > 1)
        .subquery()
    )
    rows = await session.execute(
        select(staged.line, first.c.first)
        .join(first, first.c.entry_key == staged.entry_key)
        .where(staged.import_id == import_id, staged.line != first.c.first)
        .order_by(staged.line)
    )
    return [
        RowProblem(found.line, "document", f"the same subject and document as line {found.first}") for found in rows
    ]


async def _apply(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    kind: CreditListType,
    import_id: uuid.UUID,
    source: str,
    file_sha256: str,
    today: date,
) -> dict[str, Any]:
    entry, staged = CreditEntry, CreditImportRow
    current = and_(entry.list_type == kind.code, entry.removed_in.is_(None))
    same_key = and_(staged.import_id == import_id, staged.entry_key == entry.entry_key)
    version = await next_version(session, kind.code)
    changed = await session.scalar(
        select(func.count()).select_from(entry).join(staged, same_key).where(current, entry.digest != staged.digest)
    )
    ended: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(entry)
        .where(current, ~exists().where(same_key, staged.digest == entry.digest))
        .values(removed_in=version, ended_on=today)
        .execution_options(synchronize_session=False)
    )
    still = select(entry.id).where(current, entry.entry_key == staged.entry_key).exists()
    added: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        insert(entry).from_select(
            ["list_type", *ENTRY_COLUMNS, "added_in"],
            select(
                literal(kind.code, entry.list_type.type),
                *(getattr(staged, c) for c in ENTRY_COLUMNS),
                literal(version, entry.added_in.type),
            ).where(staged.import_id == import_id, ~still),
        )
    )
    await session.execute(delete(staged).where(staged.import_id == import_id))
    changed = int(changed or 0)
    diff = {"added": added.rowcount - changed, "removed": ended.rowcount - changed, "changed": changed}
    entries = await session.scalar(select(func.count()).select_from(entry).where(current))
    now = clock.now()
    session.add(
        CreditListImport(
            list_type=kind.code,
            version=version,
            source=source[:300],
            file_sha256=file_sha256,
            imported_at=now,
            imported_by=actor.username,
            entries=int(entries or 0),
            **diff,
        )
    )
    await audit.record(
        session,
        clock,
        actor,
        "credit.list_import",
        "credit_list",
        kind.code,
        {"version": version, "source": source[:300], "sha256": file_sha256, "entries": entries, **diff},
    )
    return {"list_type": kind.code, "version": version, "entries": entries, **diff, "imported_at": now.isoformat()}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def freshness_query() -> Select[*tuple[Any, ...]]:
    """Per list type its settings and last import (outer-joined: a list never imported has none)."""
    last = (
        select(CreditListImport.list_type, func.max(CreditListImport.version).label("version"))
        .group_by(CreditListImport.list_type)
        .subquery()
    )
    kind, done = CreditListType, CreditListImport
    return (
        select(
            kind.code,
            kind.name_zh,
            kind.name_en,
            kind.authority,
            kind.importable,
            kind.max_age_days,
            done.version,
            done.imported_at,
            done.source,
            done.entries,
        )
        .outerjoin(last, last.c.list_type == kind.code)
        .outerjoin(done, and_(done.list_type == kind.code, done.version == last.c.version))
        .order_by(kind.code)
    )


FRESHNESS_COLUMNS = 10  # of `freshness_query`, which callers may extend with more


def freshness_of(row: Sequence[Any], now: datetime) -> dict[str, Any]:
    """One list's freshness from a row of `freshness_query`: its last import (version, time,
    source), entries and age, and whether it is stale (never imported, or older than its
    `max_age_days`). The platform's own list is never stale: it is written as breaches happen."""
    code, name_zh, name_en, authority, importable, max_age_days, version, imported_at, source, entries = row[
        :FRESHNESS_COLUMNS
    ]
    age = (now - imported_at).total_seconds() / 86400 if imported_at else None
    return {
        "list_type": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "authority": authority,
        "importable": importable,
        "version": version or 0,
        "last_import": imported_at.isoformat() if imported_at else None,
        "source": source,
        "entries": entries or 0,
        "age_days": round(age, 1) if age is not None else None,
        "max_age_days": max_age_days,
        "stale": importable and (age is None or age > max_age_days),
    }


async def freshness(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """Every list's freshness (`freshness_of`), in one query."""
    return [freshness_of(row, now) for row in await session.execute(freshness_query())]


async def versions(session: AsyncSession, list_type: str) -> list[dict[str, Any]]:
    await list_type_or_404(session, list_type)
    rows = await session.scalars(
        select(CreditListImport)
        .where(CreditListImport.list_type == list_type)
        .order_by(CreditListImport.version.desc())
    )
    return [
        {
            "version": i.version,
            "source": i.source,
            "sha256": i.file_sha256,
            "imported_at": i.imported_at.isoformat(),
            "imported_by": i.imported_by,
            "entries": i.entries,
            "added": i.added,
            "removed": i.removed,
            "changed": i.changed,
        }
        for i in rows
    ]


async def version_diff(session: AsyncSession, list_type: str, version: int, limit: int = 1000) -> dict[str, Any]:
    """What one version changed, entry by entry (at most `limit` of each kind; the counts are whole)."""
    if not 1 <= version < 2**31:
        raise NotFound(f"{list_type} has no version {version}")
    found = await session.scalar(
        select(CreditListImport).where(CreditListImport.list_type == list_type, CreditListImport.version == version)
    )
    if found is None:
        raise NotFound(f"{list_type} has no version {version}")
    entry = CreditEntry
    new = {
        e.entry_key: e
        for e in await session.scalars(
            select(entry)
            .where(entry.list_type == list_type, entry.added_in == version)
            .order_by(entry.id)
            .limit(limit * 2)
        )
    }
    old = {
        e.entry_key: e
        for e in await session.scalars(
            select(entry)
            .where(entry.list_type == list_type, entry.removed_in == version)
            .order_by(entry.id)
            .limit(limit * 2)
        )
    }
    return {
        "list_type": list_type,
        "version": version,
        "counts": {"added": found.added, "removed": found.removed, "changed": found.changed},
        "added": [shown(e) for k, e in new.items() if k not in old][:limit],
        "removed": [shown(e) for k, e in old.items() if k not in new][:limit],
        "changed": [{"before": shown(old[k]), "after": shown(e)} for k, e in new.items() if k in old][:limit],
    }


def shown(entry: CreditEntry) -> dict[str, Any]:
    """An entry as the API shows it: never a resident ID (there is none), the hash only abridged."""
    return {
        "id": entry.id,
        "list_type": entry.list_type,
        "subject_kind": entry.subject_kind,
        "uscc": entry.uscc,
        "person": entry.person_hash[:12] if entry.person_hash else None,
        "masked_id": entry.masked_id,
        "name": entry.name,
        "reason": entry.reason,
        "authority": entry.authority,
        "document": entry.document,
        "listed_on": entry.listed_on.isoformat(),
        "expires_on": entry.expires_on.isoformat() if entry.expires_on else None,
        "removed_on": entry.removed_on.isoformat() if entry.removed_on else None,
        "decision": entry.decision,
    }


async def set_max_age(
    session: AsyncSession, clock: Clock, actor: Actor, list_type: str, max_age_days: int
) -> list[dict[str, Any]]:
    kind = await list_type_or_404(session, list_type, for_update=True)
    before = kind.max_age_days
    kind.max_age_days = max_age_days
    await audit.record(
        session,
        clock,
        actor,
        "credit.list_settings",
        "credit_list",
        list_type,
        {"max_age_days": [before, max_age_days]},
    )
    await session.commit()
    return await freshness(session, clock.now())
