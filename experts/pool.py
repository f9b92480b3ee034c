"""The expert pool's CSV import, pure: every row checked, every problem reported with its line,
field and reason, before anything is written (the service applies a clean file in one
transaction, and a re-import of the same file changes nothing).

Columns (a header row first, UTF-8, BOM allowed):
username, name, specialties (codes separated by `;`), title, employer_uscc, region,
birth_date (YYYY-MM-DD), status (active, suspended or dismissed), suspended_until (the date a
suspension ends; only for suspended), unavailable (blocks `YYYY-MM-DD/YYYY-MM-DD`, `;`-separated),
field_since (YYYY-MM-DD: the day the expert began working in the field; the draw passes over one
with fewer than 8 years, 招标投标法 art. 37), title_level (`senior` — 高级职称 — or `equivalent`,
同等专业水平; nothing else belongs in the pool), and optionally last person_id (the 18-digit
resident ID, GB 11643 check digit verified: only its keyed hash is kept, for the credit lists'
checks of evaluation experts).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from app.core.resident_id import resident_id_error
from app.core.tabular import csv_records
from app.core.uscc import check_uscc

COLUMNS = (
    "username",
    "name",
    "specialties",
    "title",
    "employer_uscc",
    "region",
    "birth_date",
    "status",
    "suspended_until",
    "unavailable",
    "field_since",
    "title_level",
)
TITLE_LEVELS = ("senior", "equivalent")  # 招标投标法 art. 37: 高级职称或者具有同等专业水平
OPTIONAL_COLUMN = "person_id"
STATUSES = ("active", "suspended", "dismissed")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,63}$")


@dataclass(frozen=True)
class ExpertRow:
    username: str
    name: str
    specialties: tuple[str, ...]
    title: str
    employer_uscc: str
    region: str
    birth_date: date
    status: str
    suspended_until: date | None
    unavailable: tuple[tuple[date, date], ...]
    line: int = 0  # where it is in the file, for problems found later
    person_hash: str | None = None  # the keyed hash of the resident ID (app.core.resident_id)
    field_since: date | None = None  # working in the field since (招标投标法 art. 37: 8 years)
    title_level: str | None = None  # senior or equivalent

    def fields(self) -> dict[str, object]:
        """What an import compares with the stored expert to decide whether anything changed."""
        return {
            "name": self.name,
            "specialties": list(self.specialties),
            "title": self.title,
            "employer_uscc": self.employer_uscc,
            "region": self.region,
            "birth_date": self.birth_date.isoformat(),
            "status": self.status,
            "suspended_until": self.suspended_until.isoformat() if self.suspended_until else None,
            "unavailable": [[a.isoformat(), b.isoformat()] for a, b in self.unavailable],
            "person_hash": self.person_hash,
            "field_since": self.field_since.isoformat() if self.field_since else None,
            "title_level": self.title_level,
        }


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_blocks(text: str) -> tuple[tuple[tuple[date, date], ...], str | None]:
    """`2026-12-01/2026-12-05;2027-01-10/2027-01-10` -> the blocks, or a reason."""
    blocks: list[tuple[date, date]] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        start_text, _, end_text = part.partition("/")
        start, end = _date(start_text), _date(end_text)
        if start is None or end is None:
            return (), f"{part!r} is not a block YYYY-MM-DD/YYYY-MM-DD"
        if end < start:
            return (), f"the block {part} ends before it starts"
        blocks.append((start, end))
    return tuple(sorted(blocks)), None


def parse_csv(
    text: str, specialties: Collection[str], today: date, hash_person: Callable[[str], str] = lambda _id: ""
) -> tuple[list[ExpertRow], list[RowProblem]]:
    """The rows of a pool file and every problem in it (line numbers as an editor shows them)."""
    records = csv_records(io.StringIO(text.lstrip("\ufeff"), newline=""))
    problems: list[RowProblem] = []
    header = next(records, None)
    names = [h.strip() for h in header[1]] if header else []
    if names not in (list(COLUMNS), [*COLUMNS, OPTIONAL_COLUMN]):
        return [], [RowProblem(1, "header", "the header row is " + ",".join(COLUMNS) + f" (then {OPTIONAL_COLUMN})")]
    columns = tuple(names)
    rows: list[ExpertRow] = []
    seen: dict[str, int] = {}
    for line, values, unreadable in records:
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(columns):
            problems.append(RowProblem(line, "row", f"{len(values)} columns, expected {len(columns)}"))
            continue
        if unreadable:
            problems.extend(RowProblem(line, columns[i], why) for i, why in unreadable)
            continue
        cell = dict(zip(columns, (v.strip() for v in values), strict=True))
        before = len(problems)

        def bad(column: str, reason: str, line: int = line) -> None:
            problems.append(RowProblem(line, column, reason))

        if not USERNAME.match(cell["username"]):
            bad("username", "3–64 lowercase letters, digits, '.', '_' or '-'")
        elif cell["username"] in seen:
            bad("username", f"already on line {seen[cell['username']]}")
        seen.setdefault(cell["username"], line)
        for column, limit in (("name", 100), ("title", 64), ("region", 32)):
            if not cell[column] or len(cell[column]) > limit or "\x00" in cell[column]:
                bad(column, f"required, at most {limit} characters")
        codes = tuple(sorted({c.strip() for c in cell["specialties"].split(";") if c.strip()}))
        if not codes:
            bad("specialties", "at least one specialty code")
        for code in codes:
            if code not in specialties:
                bad("specialties", f"{code} is not in the specialty classification")
        error = check_uscc(cell["employer_uscc"])
        if error is not None:
            bad("employer_uscc", error.message)
        birth = _date(cell["birth_date"])
        if birth is None:
            bad("birth_date", "a date YYYY-MM-DD")
        elif birth >= today or birth.year < 1900:
            bad("birth_date", "a date of birth in the past")
        if cell["status"] not in STATUSES:
            bad("status", "active, suspended or dismissed")
        until = _date(cell["suspended_until"]) if cell["suspended_until"] else None
        if cell["suspended_until"] and until is None:
            bad("suspended_until", "a date YYYY-MM-DD")
        if cell["status"] == "suspended" and until is None and not cell["suspended_until"]:
            bad("suspended_until", "a suspended expert's suspension ends on a date")
        if cell["status"] != "suspended" and cell["suspended_until"]:
            bad("suspended_until", "only a suspended expert has a suspension end")
        blocks, reason = parse_blocks(cell["unavailable"])
        if reason:
            bad("unavailable", reason)
        field_since = _date(cell["field_since"])
        if field_since is None:
            bad("field_since", "a date YYYY-MM-DD: when the expert began working in the field")
        elif field_since > today or (birth is not None and field_since <= birth):
            bad("field_since", "a day after the birth date and not after today")
        if cell["title_level"] not in TITLE_LEVELS:
            bad("title_level", "senior (高级职称) or equivalent (同等专业水平): 招标投标法 art. 37")
        person_id = cell.get(OPTIONAL_COLUMN, "")
        wrong_id = resident_id_error(person_id) if person_id else None
        if wrong_id:
            bad(OPTIONAL_COLUMN, wrong_id)
        if len(problems) == before and birth is not None:
            rows.append(
                ExpertRow(
                    cell["username"],
                    cell["name"],
                    codes,
                    cell["title"],
                    cell["employer_uscc"],
                    cell["region"],
                    birth,
                    cell["status"],
                    until,
                    blocks,
                    line,
                    hash_person(person_id) if person_id else None,
                    field_since,
                    cell["title_level"],
                )
            )
    if not rows and not problems:
        problems.append(RowProblem(2, "row", "the file has no experts"))
    return rows, problems
