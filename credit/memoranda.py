"""The joint-penalty memoranda (联合惩戒备忘录) as data: per list type the measures, how long
they last and their legal basis. Every edit is a new version in the audit trail; the highest
version is in force and every check records the version it applied."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Subquery, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import audit
from app.core.actor import Actor
from app.core.clock import Clock
from app.core.problems import InvalidRequest
from app.core.validation import FieldError
from credit.lists import list_type_or_404
from credit.matching import MEASURES, OWN_LIST, Rule
from credit.models import CreditRule


def rule_errors(measures: list[str], duration_days: int | None, legal_basis: str) -> list[FieldError]:
    errors = []
    unknown = [m for m in measures if m not in MEASURES]
    if not measures or unknown:
        errors.append(FieldError("measures", "invalid", "one or more of " + ", ".join(MEASURES)))
    elif "warning" in measures and len(measures) > 1:
        errors.append(FieldError("measures", "invalid", "warning is the only measure of a warning-only rule"))
    elif len(set(measures)) != len(measures):
        errors.append(FieldError("measures", "invalid", "each measure once"))
    if duration_days is not None and not 1 <= duration_days <= 36500:
        errors.append(
            FieldError("duration_days", "invalid", "whole days from 1 to 36500, or null for as long as listed")
        )
    if not legal_basis.strip():
        errors.append(FieldError("legal_basis", "required", "every measure names its legal basis (document number)"))
    return errors


def rules_in_force() -> Subquery:
    """The rule in force per list type (its highest version), as columns list_type, version,
    measures, legal_basis, duration_days."""
    latest = (
        select(CreditRule.list_type, func.max(CreditRule.version).label("v")).group_by(CreditRule.list_type).subquery()
    )
    return (
        select(
            CreditRule.list_type,
            CreditRule.version,
            CreditRule.measures,
            CreditRule.legal_basis,
            CreditRule.duration_days,
        )
        .join(latest, (latest.c.list_type == CreditRule.list_type) & (latest.c.v == CreditRule.version))
        .subquery()
    )


def rule_of(row: Sequence[Any]) -> Rule:
    """A rule from a row of `rules_in_force`."""
    list_type, version, measures, legal_basis, duration_days = row
    return Rule(list_type, version, frozenset(measures), legal_basis, duration_days)


async def current_rules(session: AsyncSession) -> dict[str, Rule]:
    rows = await session.execute(select(rules_in_force()))
    return {row[0]: rule_of(row) for row in rows}


def shown(rule: CreditRule) -> dict[str, Any]:
    return {
        "list_type": rule.list_type,
        "version": rule.version,
        "measures": rule.measures,
        "duration_days": rule.duration_days,
        "legal_basis": rule.legal_basis,
        "edited_at": rule.edited_at.isoformat(),
        "edited_by": rule.edited_by,
    }


async def rules_view(session: AsyncSession, *, history: bool = False) -> list[dict[str, Any]]:
    rows = await session.scalars(select(CreditRule).order_by(CreditRule.list_type, CreditRule.version.desc()))
    seen: set[str] = set()
    shown_rules = []
    for rule in rows:
        if history or rule.list_type not in seen:
            shown_rules.append(shown(rule))
        seen.add(rule.list_type)
    return shown_rules


async def edit_rule(
    session: AsyncSession,
    clock: Clock,
    actor: Actor,
    list_type: str,
    measures: list[str],
    duration_days: int | None,
    legal_basis: str,
) -> dict[str, Any]:
    await list_type_or_404(session, list_type, for_update=True)  # one edit of a list's rule at a time
    errors = rule_errors(measures, duration_days, legal_basis)
    if list_type == OWN_LIST and measures != ["warning"]:
        message = "the platform's own list warns only: a bar is an authority's decision on the entry"
        errors.append(FieldError("measures", "own_list", message))
    if errors:
        raise InvalidRequest(errors)
    version = (
        await session.scalar(select(func.max(CreditRule.version)).where(CreditRule.list_type == list_type)) or 0
    ) + 1
    rule = CreditRule(
        list_type=list_type,
        version=version,
        measures=list(measures),
        duration_days=duration_days,
        legal_basis=legal_basis.strip(),
        edited_at=clock.now(),
        edited_by=actor.username,
    )
    session.add(rule)
    await session.flush()
    await audit.record(session, clock, actor, "credit.rule_edit", "credit_rule", list_type, shown(rule))
    await session.commit()
    return shown(rule)
