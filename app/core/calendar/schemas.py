"""API contract of the working-day calendar (msgspec Structs)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from app.core.validation import FieldError, RequestBody


class YearScheduleIn(RequestBody):
    """A year's official schedule: `{"year": 2027, "holidays": [...], "workdays": [...]}`."""

    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    holidays: list[dt.date]
    workdays: list[dt.date]

    @classmethod
    def cross_field_errors(cls, values: dict[str, Any]) -> list[FieldError]:
        errors, year = [], values.get("year")
        for name in ("holidays", "workdays"):
            wrong = [day for day in values.get(name, []) if year is not None and day.year != year]
            if wrong:
                errors.append(FieldError(name, "other_year", f"dates outside {year}: {', '.join(map(str, wrong))}"))
        both = sorted(set(values.get("holidays", [])) & set(values.get("workdays", [])))
        if both:
            errors.append(
                FieldError("workdays", "also_holiday", f"listed as holidays too: {', '.join(map(str, both))}")
            )
        weekdays = [day for day in values.get("workdays", []) if day.weekday() < 5]
        if weekdays:
            message = f"adjusted working days fall on weekends; these are weekdays: {', '.join(map(str, weekdays))}"
            errors.append(FieldError("workdays", "not_weekend", message))
        return errors


class YearLoaded(msgspec.Struct):
    year: int
    holidays: int
    workdays: int
    recomputed_deadlines: int


class DeadlineOut(msgspec.Struct):
    start: dt.date
    working_days: int
    deadline: dt.date
    due_at: dt.datetime
    provisional: bool
    unscheduled_years: list[int]


class DayOut(msgspec.Struct):
    date: dt.date
    working: bool
    reason: str
    provisional: bool


class YearOut(msgspec.Struct):
    year: int
    source: str


class PeriodOut(msgspec.Struct):
    """When a period in days ends, and how that end was found (the articles that moved it)."""

    start: dt.datetime  # the event, local time
    days: int
    working: bool
    nominal_last_day: dt.date
    last_day: dt.date
    ends: str  # "2025-10-09 24:00 Asia/Shanghai"
    ends_at: dt.datetime  # the same instant, ISO with the local offset
    zone: str
    moved: bool
    rules: list[str]
    provisional: bool
    unscheduled_years: list[int]
