"""Request bodies that report every invalid field at once.

msgspec stops at the first error, which would make a user fix one field per request. Request
bodies derive from `RequestBody`; when decoding fails, `collect_errors` re-checks the raw body
field by field (types, constraints, required fields, unknown fields, and the domain `Check`s
attached to a field's type, and any date or time outside the plausible years) and returns all
the problems together.

Rules between fields live in `cross_field_errors`. A domain rule on one field is attached
with `Annotated[str, Check(fn)]`, where `fn` returns an error (code, message) or None. The
same checks run on the decoding path (`__post_init__`), so a well-typed body with a bad USCC
fails exactly as it would in the collecting path.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from app.core.money import amount_problem, canonical
from app.core.resident_id import resident_id_error
from app.core.uscc import check_uscc

T = typing.TypeVar("T")


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.field, "code": self.code, "reason": self.message}


@dataclass(frozen=True, slots=True)
class Check:
    """A domain rule on one field's value: returns (code, message) when the value breaks it."""

    rule: Callable[[Any], tuple[str, str] | None]


@dataclass(frozen=True, slots=True)
class Canonical:
    """The one written form of a field's value, applied once the body is valid (e.g. money as
    "99000.00" whether it came as "9.9E+4" or "99000.0"), so what is stored and echoed is canonical."""

    form: Callable[[Any], Any]


class RequestBody(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are refused, field `Check`s are enforced,
    values are put in their `Canonical` form."""

    @classmethod
    def cross_field_errors(cls, values: dict[str, Any]) -> list[FieldError]:
        """Rules between fields. `values` holds the fields that decoded well (others are
        absent), so a rule checks what it can and stays silent about the rest."""
        return []

    def __post_init__(self) -> None:
        errors = [error for name, check in _checks(type(self)) for error in _run(check, name, getattr(self, name))]
        errors += [nul_error(name) for name in self.__struct_fields__ if _has_nul(getattr(self, name))]
        errors += [
            FieldError(path, "date.range", f"give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
            for name in self.__struct_fields__
            for path in _implausible_dates(getattr(self, name), name)
        ]
        errors += self.cross_field_errors(msgspec.structs.asdict(self))
        if errors:
            # msgspec turns ValueError into a ValidationError; the problem handler then collects.
            raise ValueError(errors[0].message)
        for name, canonical_form in _metadata(type(self), Canonical):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, canonical_form.form(value))


def _checks(struct_type: type[msgspec.Struct]) -> list[tuple[str, Check]]:
    return _metadata(struct_type, Check)


@functools.cache
def _metadata(struct_type: type[msgspec.Struct], kind: type[T]) -> list[tuple[str, T]]:
    """(field name, marker) for every `kind` marker in the fields' Annotated types."""
    hints = typing.get_type_hints(struct_type, include_extras=True)
    found: list[tuple[str, T]] = []
    for name in struct_type.__struct_fields__:
        hint = hints[name]
        for arg in _annotated_parts(hint):
            found.extend((name, meta) for meta in getattr(arg, "__metadata__", ()) if isinstance(meta, kind))
    return found


def _annotated_parts(hint: Any) -> list[Any]:
    """The hint itself and, for `X | None`, its members: where Annotated metadata can live."""
    return [hint, *typing.get_args(hint)] if typing.get_origin(hint) in (typing.Union, _UnionType) else [hint]


_UnionType = type(int | None)


# The years a date or time given to this platform may fall in: wide enough for any tender, narrow
# enough that date arithmetic (a deadline, the end of a day) never leaves Python's range.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2199


def require_plausible_dates(**dates: date | None) -> None:
    """Raise one 422 naming every date (a query or path parameter) outside the plausible years."""
    from app.core.problems import InvalidRequest  # the problem module builds on this one

    errors = [
        FieldError(name, "date.range", f"give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
        for name, value in dates.items()
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR
    ]
    if errors:
        raise InvalidRequest(errors)


def require_date_range(start: date, end: date) -> None:
    """A report's period: both dates plausible (one 422 naming each that is not), then `end` not
    before `start`."""
    from app.core.problems import InvalidRequest

    require_plausible_dates(start=start, end=end)
    if end < start:
        raise InvalidRequest([FieldError("end", "before_start", "end must not be before start")])


def _has_nul(value: Any) -> bool:
    """A NUL character anywhere in a text value (PostgreSQL cannot store it; no name needs it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, msgspec.Struct):
        return any(_has_nul(getattr(value, name)) for name in value.__struct_fields__)
    return False


def _implausible_dates(value: Any, path: str) -> list[str]:
    """The paths of every date or time in `value` outside EARLIEST_YEAR..LATEST_YEAR."""
    if isinstance(value, date):  # a datetime is a date too
        return [] if EARLIEST_YEAR <= value.year <= LATEST_YEAR else [path]
    if isinstance(value, list | tuple):
        return [p for i, item in enumerate(value) for p in _implausible_dates(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _implausible_dates(item, f"{path}.{key}")]
    if isinstance(value, msgspec.Struct):
        return [
            p for name in value.__struct_fields__ for p in _implausible_dates(getattr(value, name), f"{path}.{name}")
        ]
    return []


def nul_error(name: str) -> FieldError:
    return FieldError(name, "text.nul", "text cannot contain the NUL character")


def _run(check: Check, name: str, value: Any) -> list[FieldError]:
    if value is None:
        return []
    outcome = check.rule(value)
    return [FieldError(name, outcome[0], outcome[1])] if outcome else []


def collect_errors(struct_type: type[msgspec.Struct], raw: Any) -> list[FieldError]:
    """Every problem of `raw` (decoded JSON) as a body of `struct_type`, one entry per field."""
    if not isinstance(raw, dict):
        return [FieldError("body", "type", "the request body must be a JSON object")]
    errors: list[FieldError] = []
    info = msgspec.inspect.type_info(struct_type)
    assert isinstance(info, msgspec.inspect.StructType)
    checks = dict(_checks(struct_type))
    hints = typing.get_type_hints(struct_type, include_extras=True)
    known, values = set(), {}
    for field in info.fields:
        known.add(field.encode_name)
        if field.encode_name not in raw:
            if field.required:
                errors.append(FieldError(field.encode_name, "required", "this field is required"))
            continue
        try:
            value = msgspec.convert(raw[field.encode_name], hints[field.name], strict=True)
        except msgspec.ValidationError as exc:
            message = str(exc)
            path = ""
            if " - at `$" in message:
                message, _, path = message.partition(" - at `$")
                path = path.rstrip("`")
            errors.append(FieldError(field.encode_name + path, "invalid", message))
            continue
        if _has_nul(value):
            errors.append(nul_error(field.encode_name))
            continue
        if field.name in checks:
            field_errors = _run(checks[field.name], field.encode_name, value)
            errors.extend(field_errors)
            if field_errors:
                continue
        if implausible := _implausible_dates(value, field.encode_name):
            reason = f"give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}"
            errors.extend(FieldError(path, "date.range", reason) for path in implausible)
            continue
        values[field.name] = value
    for field in info.fields:  # defaults count as given for the rules between fields
        if field.name not in values and not field.required and field.encode_name not in raw:
            values[field.name] = field.default
    if issubclass(struct_type, RequestBody):
        errors.extend(struct_type.cross_field_errors(values))
    errors.extend(
        FieldError(name, "unknown", "this field is not part of the request") for name in raw if name not in known
    )
    return errors


# -- shared API types ------------------------------------------------------------------------------


def _uscc_rule(value: str) -> tuple[str, str] | None:
    error = check_uscc(value)
    return None if error is None else (f"uscc.{error.code}", f"not a valid unified social credit code: {error.message}")


USCC = Annotated[
    str, msgspec.Meta(description="18-character unified social credit code (GB 32100-2015)"), Check(_uscc_rule)
]


def _resident_id_rule(value: str) -> tuple[str, str] | None:
    problem = resident_id_error(value)
    return None if problem is None else ("resident_id", problem)


# A resident ID in a request: verified here, hashed by the service, never stored or echoed.
ResidentId = Annotated[
    str,
    msgspec.Meta(description="18-digit resident identity number (GB 11643); kept only as a keyed hash"),
    Check(_resident_id_rule),
]


def _aware(value: datetime) -> tuple[str, str] | None:
    if value.tzinfo is None:
        return ("datetime.naive", "give a time zone, e.g. 2026-12-30T09:30:00+08:00")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return ("datetime.range", f"give a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return None


Instant = Annotated[datetime, Check(_aware)]
"""A moment with its time zone, within the years a tender can plausibly name."""


_MONEY = msgspec.Meta(description='CNY, as a decimal string with at most 2 places, e.g. "1250000.00"')


Yuan = Annotated[Decimal, _MONEY, Check(amount_problem), Canonical(canonical)]
"""An amount in yuan greater than 0 (prices, ceilings, budgets, decrements), echoed as "99000.00"."""


YuanOrZero = Annotated[Decimal, _MONEY, Check(lambda v: amount_problem(v, allow_zero=True)), Canonical(canonical)]
"""An amount in yuan that may be 0 (a floor price)."""
