"""Credit lists at scale, on a scratch PostgreSQL database: import a list file of 1,000,000
entries with `ggzy credit import` (the operator's command: streamed, every row checked, resident
IDs hashed, staged by COPY, the diff in SQL, one transaction), then check 1,000 candidate
winners against 10,000,000 active entries with the platform's check (`credit.checks.check`: the
entries that could match by code or name, the memoranda, the reviews, the lists' freshness, the
pure decision). Baselines measured in the same run:

* COPY of the same file into a bare table with the same columns (no checks, no indexes; the
  median of three, each into an empty table after a checkpoint);
* (for scale) the same rows as entries, unchecked, COPY'd into `credit_entries` with its indexes:
  the floor of any import that writes its entries where the checks find them;
* (for scale) the same rows COPY'd into an unindexed table shaped like `credit_entries`, then the
  checks' indexes built over it: the floor of a storage that loads a version before indexing it;
* (for scale) the import's row checks alone over the file, in this process, with no database:
  the ceiling of any import that checks every row in Python before it is written;
* one indexed `uscc = ANY($1)` query for the same 1,000 codes.

    .venv/bin/python -m bench.credit [--entries 1000000] [--active 10000000] [--candidates 1000] [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import FrozenClock
from app.core.db import make_engine, make_session_factory
from app.core.resident_id import check_digit, person_hash
from app.core.uscc import make_uscc
from bench.scratch import scratch_database
from credit import checks
from credit.entries import COLUMNS, check_rows, csv_rows
from credit.matching import Subject

GGZY = str(Path(sys.executable).parent / "ggzy")


def organization_code(n: int) -> str:
    return make_uscc("91", "420100", f"C{n:07d}")


def write_list(path: Path, entries: int) -> None:
    """A list file as an authority publishes one: 9 in 10 organizations, 1 in 10 persons by ID."""
    rnd = random.Random(20261129)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for n in range(entries):
            listed = date(2020 + n % 6, 1 + n % 12, 1 + n % 28)
            if n % 10:
                subject = ("organization", organization_code(n), "", f"失信企业{n}")
            else:
                first17 = f"420106{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
                subject = ("person", "", first17 + check_digit(first17), f"失信人员{n}")
            expires = date(listed.year + 3, listed.month, listed.day).isoformat() if rnd.random() < 0.5 else ""
            writer.writerow(
                [
                    *subject,
                    "拒不缴纳税款",
                    "国家税务总局",
                    f"税稽〔{listed.year}〕{n}号",
                    listed.isoformat(),
                    expires,
                    "",
                ]
            )


def peak_rss_mib_of(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS of the child in MiB, its output)."""
    started = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, done.stdout.strip()


SEED_SQL = """
INSERT INTO credit_entries (list_type, entry_key, digest, subject_kind, uscc, person_hash, masked_id, name, reason,
                            authority, document, listed_on, expires_on, removed_on, added_in, removed_in)
SELECT 'dishonest_debtor', 'org:S' || lpad(i::text, 17, '0') || '|', md5(i::text), 'organization',
       'S' || lpad(i::text, 17, '0'), NULL, NULL, '被执行企业' || i, '拒不履行', '人民法院', '(2025)执' || i || '号',
       DATE '2024-01-01' + (i % 700), NULL, NULL, 1, NULL
FROM generate_series(1, $1) AS i
"""
# The file's rows as entries, unchecked (a stand-in digest and hash computed by PostgreSQL), for
# the floors: they are written to a file once and COPY'd from it.
ENTRY_COLUMNS = [
    "list_type", "entry_key", "digest", "subject_kind", "uscc", "person_hash", "masked_id", "name", "reason",
    "authority", "document", "listed_on", "expires_on", "removed_on", "added_in", "removed_in",
]  # fmt: skip
AS_ENTRIES_SQL = """
SELECT 'major_tax_violation', concat(subject_kind, ':', uscc, person_id, '|', document),
       md5(concat_ws('|', name, reason, authority, listed_on, expires_on, removed_on)), subject_kind, nullif(uscc, ''),
       CASE WHEN person_id <> '' THEN encode(sha256(convert_to(person_id, 'UTF8')), 'hex') END, NULL, name, reason,
       authority, document, listed_on::date, nullif(expires_on, '')::date, nullif(removed_on, '')::date, 1, NULL
FROM bare_copy
"""
INDEXES = {
    "ix_credit_entries_uscc": "(uscc) WHERE removed_in IS NULL",
    "ix_credit_entries_person": "(person_hash) WHERE removed_in IS NULL",
    "ix_credit_entries_named": "(subject_kind, name) WHERE removed_in IS NULL AND uscc IS NULL",
    "ix_credit_entries_list": "(list_type, entry_key) WHERE removed_in IS NULL",
}  # as the migrations make them: dropped while the bench seeds, then rebuilt


async def timed_copy(connection: asyncpg.Connection, table: str, source: Path, **options: object) -> float:
    started = time.perf_counter()
    await connection.copy_to_table(table, source=str(source), format="csv", **options)
    return time.perf_counter() - started


async def floors(connection: asyncpg.Connection, entries_file: Path) -> tuple[float, float, float]:
    """(seconds to COPY the rows into the indexed credit_entries; to COPY them into an unindexed
    table of its shape; to build the key and the checks' indexes over that table), each in a
    transaction rolled back afterwards."""
    trial = connection.transaction()
    await trial.start()
    indexed = await timed_copy(connection, "credit_entries", entries_file, columns=ENTRY_COLUMNS)
    await trial.rollback()
    await connection.execute("CHECKPOINT")
    trial = connection.transaction()
    await trial.start()
    await connection.execute("CREATE TABLE version_load (LIKE credit_entries INCLUDING DEFAULTS)")
    unindexed = await timed_copy(connection, "version_load", entries_file, columns=ENTRY_COLUMNS)
    started = time.perf_counter()
    await connection.execute("ALTER TABLE version_load ADD PRIMARY KEY (id)")
    for index, definition in INDEXES.items():
        await connection.execute(f"CREATE INDEX {index}_load ON version_load {definition}")
    built = time.perf_counter() - started
    await trial.rollback()
    await connection.execute("CHECKPOINT")
    return indexed, unindexed, built


async def main(entries: int, active: int, candidates: int, runs: int) -> None:
    async with scratch_database() as url:
        raw_url = url.replace("postgresql+asyncpg", "postgresql")
        with tempfile.TemporaryDirectory() as scratch:
            listing = Path(scratch) / "major_tax_violation.csv"
            started = time.perf_counter()
            write_list(listing, entries)
            print(
                f"list file of {entries} entries written in {time.perf_counter() - started:.1f} s "
                f"({listing.stat().st_size / 1024**2:.0f} MiB)"
            )

            os.sync()  # the file's pages on disk before the baseline: its writeback would slow the COPY
            connection = await asyncpg.connect(raw_url)
            columns = ", ".join(f"{c} text" for c in COLUMNS)
            await connection.execute(f"CREATE TABLE bare_copy ({columns})")
            copies = []
            for _ in range(3):
                await connection.execute("TRUNCATE bare_copy")
                await connection.execute("CHECKPOINT")
                copies.append(await timed_copy(connection, "bare_copy", listing, header=True))
            copy_seconds = statistics.median(copies)
            entries_file = Path(scratch) / "as_entries.csv"
            await connection.copy_from_query(AS_ENTRIES_SQL, output=str(entries_file), format="csv")
            await connection.execute("DROP TABLE bare_copy")
            await connection.execute("CHECKPOINT")
            indexed_seconds, unindexed_seconds, built_seconds = await floors(connection, entries_file)

            started = time.perf_counter()
            key = bytes(32)
            with listing.open(encoding="utf-8") as lines:
                checked_rows = sum(1 for _ in check_rows(csv_rows(lines), lambda number: person_hash(key, number)))
            checks_only_seconds = time.perf_counter() - started
            assert checked_rows == entries

            env = {"GGZY_DATABASE_URL": url, "GGZY_DATA_DIR": scratch, "GGZY_SECRET_KEY": "b" * 64}
            command = [GGZY, "credit", "import", "major_tax_violation", str(listing)]
            import_seconds, rss_mib, said = peak_rss_mib_of(command, env)
            again_seconds, _again_rss, again_said = peak_rss_mib_of(command, env)

            started = time.perf_counter()
            await connection.execute("SET maintenance_work_mem = '1GB'")
            for index in INDEXES:
                await connection.execute(f"DROP INDEX {index}")
            await connection.execute(SEED_SQL, active - entries)
            for index, definition in INDEXES.items():
                await connection.execute(f"CREATE INDEX {index} ON credit_entries {definition}")
            await connection.execute("VACUUM ANALYZE credit_entries")
            await connection.execute("CHECKPOINT")
            total = await connection.fetchval("SELECT count(*) FROM credit_entries WHERE removed_in IS NULL")
            print(f"{total} active entries in place after {time.perf_counter() - started:.0f} s of seeding")

            rnd = random.Random(7)
            listed_ids = rnd.sample(range(1, active - entries), candidates // 10)
            codes = [f"S{i:017d}" for i in listed_ids] + [
                make_uscc("91", "420100", f"D{n:07d}") for n in range(candidates - len(listed_ids))
            ]
            names = [f"被执行企业{i}" for i in listed_ids] + [
                f"清白企业{n}" for n in range(candidates - len(listed_ids))
            ]
            subjects = [
                (Subject("bidder", "organization", uscc=c, name=nm), "candidate")
                for c, nm in zip(codes, names, strict=True)
            ]
            bare_sql = "SELECT id, list_type, uscc FROM credit_entries WHERE removed_in IS NULL AND uscc = ANY($1)"

            engine = make_engine(url)
            sessions = make_session_factory(engine)
            clock = FrozenClock(datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
            bare_times, check_times, barred = [], [], 0
            for _ in range(runs):
                started = time.perf_counter()
                rows = await connection.fetch(bare_sql, codes)
                bare_times.append(time.perf_counter() - started)
                session: AsyncSession
                async with sessions() as session:
                    await session.connection()  # like the baseline's: a request's session is open
                    started = time.perf_counter()
                    checked = await checks.check(session, clock, subjects, date(2026, 12, 3))
                    check_times.append(time.perf_counter() - started)
                barred = sum(v.outcome == "barred" for v, _ in checked.verdicts)
            await engine.dispose()
            await connection.close()

    copy_rate = entries / copy_seconds
    import_rate = entries / import_seconds
    bare_ms, check_ms = statistics.median(bare_times) * 1000, statistics.median(check_times) * 1000
    print(f"import: {said}")
    print(f"again:  {again_said}")
    print(
        f"baseline  COPY of the file into a bare table      {copy_rate:10.0f} rows/s  "
        f"(median of {', '.join(f'{c:.2f}' for c in copies)} s)"
    )
    indexed_rate = entries / indexed_seconds
    print(
        f"floor     the rows COPY'd into indexed entries    {indexed_rate:10.0f} rows/s  "
        f"({indexed_rate / copy_rate:.0%} of COPY; no checks, no diff)"
    )
    load_rate = entries / (unindexed_seconds + built_seconds)
    print(
        f"floor     into an unindexed table, then indexed   {load_rate:10.0f} rows/s  "
        f"({load_rate / copy_rate:.0%} of COPY; {unindexed_seconds:.1f} s COPY + {built_seconds:.1f} s of index builds)"
    )
    checks_rate = entries / checks_only_seconds
    print(
        f"ceiling   the row checks alone, no database       {checks_rate:10.0f} rows/s  "
        f"({checks_rate / copy_rate:.0%} of COPY; parsing and checking every row in Python)"
    )
    print(
        f"import    ggzy credit import (checked, versioned) {import_rate:10.0f} rows/s  "
        f"({import_rate / copy_rate:.0%} of COPY; peak RSS {rss_mib:.0f} MiB)"
    )
    print(f"re-import the same file (an empty diff)           {entries / again_seconds:10.0f} rows/s")
    print(f"median of {runs} runs over {total} active entries, {len(codes)} candidates ({len(rows)} listed)")
    print(f"baseline  one indexed uscc = ANY query            {bare_ms:10.1f} ms")
    ratio = check_ms / bare_ms
    print(f"check     credit.checks.check (codes and names)   {check_ms:10.1f} ms  ({ratio:.1f}× the query)")
    print(f"          {barred} of the candidates barred")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--active", type=int, default=10_000_000)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(main(args.entries, args.active, args.candidates, args.runs))
