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

import csv
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core.resident_id import is_masked, resident_id_error
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


@dataclass(frozen=True, slots=True)
class EntryRow:
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
    """One row as an entry, or every problem it has."""
    problems: list[RowProblem] = []
    values: dict[str, str] = {}
    for column in COLUMNS:
        value = raw.get(column)
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems.append(RowProblem(line, column, "a text value"))
            value = ""
        value = value.strip()
        if len(value) > MAX_TEXT:
            problems.append(RowProblem(line, column, f"at most {MAX_TEXT} characters"))
        values[column] = value
    kind = values["subject_kind"]
    if kind not in SUBJECT_KINDS:
        problems.append(RowProblem(line, "subject_kind", "organization or person"))
    if not values["name"]:
        problems.append(RowProblem(line, "name", "required"))
    uscc = values["uscc"].upper() or None
    person_id = values["person_id"]
    person_hash = masked = None
    if kind == "organization":
        if person_id:
            problems.append(RowProblem(line, "person_id", "an organization has a USCC, not a resident ID"))
        if uscc:
            error = check_uscc(uscc)
            if error:
                problems.append(RowProblem(line, "uscc", error.message))
    elif kind == "person":
        if uscc:
            problems.append(RowProblem(line, "uscc", "a person has a resident ID, not a USCC"))
        if is_masked(person_id):
            masked = person_id.upper()
        elif person_id:
            wrong = resident_id_error(person_id)
            if wrong:
                problems.append(RowProblem(line, "person_id", wrong))
            else:
                person_hash = hash_person(person_id)
    listed = _date(values["listed_on"], line, "listed_on", problems, required=True)
    expires = _date(values["expires_on"], line, "expires_on", problems)
    removed = _date(values["removed_on"], line, "removed_on", problems)
    if listed and expires and expires <= listed:
        problems.append(RowProblem(line, "expires_on", "after listed_on"))
    if listed and removed and removed < listed:
        problems.append(RowProblem(line, "removed_on", "on or after listed_on"))
    if problems:
        return problems
    assert listed is not None
    if kind == "organization":
        subject = f"org:{uscc}" if uscc else f"org-name:{values['name']}"
    else:
        subject = f"person:{person_hash}" if person_hash else f"masked:{masked}:{values['name']}"
        if not person_hash and not masked:
            subject = f"person-name:{values['name']}"
    facts = "\x1f".join(
        (values["name"], values["reason"], values["authority"], listed.isoformat(),
         expires.isoformat() if expires else "", removed.isoformat() if removed else "")
    )  # fmt: skip
    return EntryRow(
        line=line,
        entry_key=f"{subject}|{values['document']}",
        digest=hashlib.sha256(facts.encode()).hexdigest()[:32],
        subject_kind=kind,
        uscc=uscc if kind == "organization" else None,
        person_hash=person_hash,
        masked_id=masked,
        name=values["name"],
        reason=values["reason"],
        authority=values["authority"],
        document=values["document"],
        listed_on=listed,
        expires_on=expires,
        removed_on=removed,
    )


def json_rows(text: str) -> Iterator[tuple[int, dict[str, Any]] | RowProblem]:
    """(item number from 1, raw row) for each entry of a JSON array, or the file's problem."""
    try:
        items = json.loads(text)
    except ValueError as exc:
        yield RowProblem(0, "file", f"not JSON: {exc}")
        return
    if not isinstance(items, list):
        yield RowProblem(0, "file", "a JSON array of entries")
        return
    for n, item in enumerate(items, start=1):
        yield (n, item) if isinstance(item, dict) else RowProblem(n, "entry", "an object")


def csv_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]] | RowProblem]:
    """(line, raw row) for each row of a CSV file read line by line (the header is line 1), or
    the file's problem: a file of millions of rows streams through."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        yield RowProblem(1, "header", "the file is empty")
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        yield RowProblem(1, "header", "missing columns: " + ", ".join(missing))
        return
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield RowProblem(line, "row", f"{len(values)} fields, the header has {len(header)}")
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
