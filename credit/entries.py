"""Credit-list import files, pure: every row checked, every problem reported with its line,
field and reason, before anything is written; each good row becomes an `EntryRow` with its
stable key (which entry of the list it is) and the digest of its facts (whether it changed).

CSV (a header row first, UTF-8, BOM allowed) or JSON (an array of objects with the same keys),
columns: subject_kind (organization or person), uscc, person_id, name, reason, authority,
document, listed_on, expires_on, removed_on (dates YYYY-MM-DD, empty for none).

An organization is named by its USCC (check character verified) or, without one, by name only.
A person is named by an 18-digit resident ID (GB 11643 check digit verified), which becomes the
platform's keyed hash here and is never kept; a masked ID (`1101**********002X`) is kept as
given; without either, by name only. A name-only or masked entry can only make review hits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from hashlib import sha256
from operator import itemgetter
from typing import Any, NamedTuple

from app.core.resident_id import is_masked, resident_id_error
from app.core.tabular import csv_records
from app.core.uscc import check_uscc

COLUMNS = (
    "subject_kind",
    "uscc",
    "person_id",
    "name",
    "reason",
    "authority",
    "document",
    "listed_on",
    "expires_on",
    "removed_on",
)
SUBJECT_KINDS = ("organization", "person")
MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    field: str
    reason: str


class EntryRow(NamedTuple):
    """A good row, its fields in the order they are staged (a tuple: imports hold millions)."""

    line: int
    entry_key: str  # which entry of its list this is: the subject's identifier (or name) and document
    digest: str  # of every fact below but the subject: a re-import with another digest changed it
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


def _date(raw: str, line: int, field: str, problems: list[RowProblem], *, required: bool = False) -> date | None:
    if not raw:
        if required:
            problems.append(RowProblem(line, field, "required (YYYY-MM-DD)"))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(RowProblem(line, field, f"not a date YYYY-MM-DD: {raw[:40]!r}"))
        return None


def check_row(raw: dict[str, Any], line: int, hash_person: Callable[[str], str]) -> EntryRow | list[RowProblem]:
    """One row as an entry, or every problem it has. A row of the usual shape (an organization by
    a valid USCC or a person by a valid resident ID, every date in order) is taken in a few steps;
    any other row goes through every rule one by one, which gives the same entry for a usual row."""
    return _usual_row(raw, line, hash_person) or _checked_row(raw, line, hash_person)


_GIVEN = itemgetter(*COLUMNS)
_from_iso = date.fromisoformat


def _usual_row(raw: dict[str, Any], line: int, hash_person: Callable[[str], str]) -> EntryRow | None:
    """The entry of a row of the usual shape, or None for `_checked_row` to judge (a list file
    holds millions of rows: this is the import's inner loop)."""
    try:
        given = _GIVEN(raw)
        if max(map(len, given)) > MAX_TEXT:
            return None
        values = tuple(map(str.strip, given))
        kind, uscc, person_id, name = values[:4]
        listed_text, expires_text, removed_text = values[7:]
    except (KeyError, TypeError):  # a column missing, a value not text
        return None
    if not name:
        return None
    if kind == "organization":
        uscc = uscc.upper()
        if person_id or not uscc or check_uscc(uscc) is not None:
            return None
        subject, code, person_hash = "org:" + uscc, uscc, None
    elif kind == "person":
        if uscc or not person_id or resident_id_error(person_id) is not None:
            return None
        person_hash = hash_person(person_id)
        subject, code = "person:" + person_hash, None
    else:
        return None
    try:
        listed = _from_iso(listed_text)
        expires = _from_iso(expires_text) if expires_text else None
        removed = _from_iso(removed_text) if removed_text else None
    except ValueError:
        return None
    if (expires is not None and expires <= listed) or (removed is not None and removed < listed):
        return None
    return _entry_row(line, subject, values, code, person_hash, None, (listed, expires, removed))


def _checked_row(raw: dict[str, Any], line: int, hash_person: Callable[[str], str]) -> EntryRow | list[RowProblem]:
    """One row through every rule: its entry, or every problem it has."""
    problems: list[RowProblem] = []
    values = []
    for column in COLUMNS:
        value = raw.get(column) or ""
        if not isinstance(value, str):
            problems.append(RowProblem(line, column, "a text value"))
            value = ""
        elif len(value) > MAX_TEXT:
            problems.append(RowProblem(line, column, f"at most {MAX_TEXT} characters"))
        values.append(value.strip())
    kind, uscc, person_id, name = values[:4]
    listed_text, expires_text, removed_text = values[7:]
    if kind not in SUBJECT_KINDS:
        problems.append(RowProblem(line, "subject_kind", "organization or person"))
    if not name:
        problems.append(RowProblem(line, "name", "required"))
    uscc = uscc.upper()
    person_hash = masked = None
    if kind == "organization":
        if person_id:
            problems.append(RowProblem(line, "person_id", "an organization has a USCC, not a resident ID"))
        if uscc:
            error = check_uscc(uscc)
            if error:
                problems.append(RowProblem(line, "uscc", error.message))
        subject = f"org:{uscc}" if uscc else f"org-name:{name}"
    else:
        if uscc:
            problems.append(RowProblem(line, "uscc", "a person has a resident ID, not a USCC"))
        if is_masked(person_id):
            masked = person_id.upper()
            subject = f"masked:{masked}:{name}"
        elif person_id:
            wrong = resident_id_error(person_id)
            if wrong:
                problems.append(RowProblem(line, "person_id", wrong))
            else:
                person_hash = hash_person(person_id)
            subject = f"person:{person_hash}"
        else:
            subject = f"person-name:{name}"
    listed = _date(listed_text, line, "listed_on", problems, required=True)
    expires = _date(expires_text, line, "expires_on", problems)
    removed = _date(removed_text, line, "removed_on", problems)
    if listed and expires and expires <= listed:
        problems.append(RowProblem(line, "expires_on", "after listed_on"))
    if listed and removed and removed < listed:
        problems.append(RowProblem(line, "removed_on", "on or after listed_on"))
    if problems or listed is None:
        return problems
    code = (uscc or None) if kind == "organization" else None
    return _entry_row(line, subject, values, code, person_hash, masked, (listed, expires, removed))


def _entry_row(
    line: int,
    subject: str,
    values: Sequence[str],
    code: str | None,
    person_hash: str | None,
    masked: str | None,
    dates: tuple[date, date | None, date | None],
) -> EntryRow:
    """The entry of a row that passed every rule: its key (the subject and the document) and the
    digest of its facts."""
    kind, _uscc, _person_id, name, reason, authority, document, listed_text, expires_text, removed_text = values
    facts = f"{name}\x1f{reason}\x1f{authority}\x1f{listed_text}\x1f{expires_text}\x1f{removed_text}"
    return EntryRow(
        line,
        f"{subject}|{document}",
        sha256(facts.encode()).hexdigest()[:32],
        kind,
        code,
        person_hash,
        masked,
        name,
        reason,
        authority,
        document,
        *dates,
    )


def json_rows(text: str) -> Iterator[tuple[int, dict[str, Any]] | RowProblem]:
    """(item number from 1, raw row) for each entry of a JSON array, or the file's problem."""
    try:
        items = json.loads(text)
    except ValueError as exc:
        yield RowProblem(0, "file", f"not JSON: {exc}")
        return
    except RecursionError:
        yield RowProblem(0, "file", "not JSON an import takes: nested too deeply")
        return
    if not isinstance(items, list):
        yield RowProblem(0, "file", "a JSON array of entries")
        return
    for n, item in enumerate(items, start=1):
        yield (n, item) if isinstance(item, dict) else RowProblem(n, "entry", "an object")


def csv_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]] | RowProblem]:
    """(line, raw row) for each row of a CSV file read line by line (the header is line 1), or
    the file's problem: a file of millions of rows streams through."""
    records = csv_records(lines)
    first = next(records, None)
    if first is None:
        yield RowProblem(1, "header", "the file is empty")
        return
    header = [h.strip().lstrip("\ufeff") for h in first[1]]
    missing = [c for c in COLUMNS if c not in header]
    if missing or first[2]:
        yield RowProblem(1, "header", "missing columns: " + ", ".join(missing) if missing else "unreadable columns")
        return
    for line, values, unreadable in records:
        if not "".join(values).strip():
            continue
        if len(values) != len(header):
            yield RowProblem(line, "row", f"{len(values)} fields, the header has {len(header)}")
            continue
        if unreadable:
            yield from (RowProblem(line, header[i], why) for i, why in unreadable)
            continue
        yield line, dict(zip(header, values, strict=True))


def check_rows(
    rows: Iterable[tuple[int, dict[str, Any]] | RowProblem], hash_person: Callable[[str], str]
) -> Iterator[EntryRow | RowProblem]:
    """Every entry or problem of a file, in order; duplicate entries are found by the service
    (it compares keys over the whole file without holding it)."""
    for item in rows:
        if isinstance(item, RowProblem):
            yield item
            continue
        line, raw = item
        checked = check_row(raw, line, hash_person)
        if isinstance(checked, list):
            yield from checked
        else:
            yield checked
