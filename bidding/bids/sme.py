"""The enterprise size a sealed bid declares (pure): its declaration's field `sme` (micro, small,
medium or large), and whether the bid encloses the SME declaration (中小企业声明函, 财库〔2020〕46号):
the field `sme_declaration` names one of the bid's documents. Government procurement deducts a
declared small or micro enterprise's price for scoring, and counts its awards."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

SME_SIZES = ("micro", "small", "medium", "large")
SMALL_OR_MICRO = ("micro", "small")


def sme_of(declaration: dict[str, Any], documents: list[dict[str, Any]] | None) -> dict[str, Any]:
    """{"sme": size, "sme_declared": bool, "sme_share": "0.35"} for an opened bid (its declaration
    and its documents, as the opening kept them) that declared a size or, as a consortium or a
    subcontracting bidder, its small and micro partners' share of the contract (`sme_share`, 0 to
    1; anything else is not a share and is left out); nothing otherwise."""
    fields = declaration.get("fields") or {}
    size = fields.get("sme")
    share = _share(fields.get("sme_share"))
    if size not in SME_SIZES and share is None:
        return {}
    names = {d.get("name") for d in documents or []}
    letter = fields.get("sme_declaration")
    found: dict[str, Any] = {"sme_declared": bool(letter) and letter in names}
    if size in SME_SIZES:
        found["sme"] = size
    if share is not None:
        found["sme_share"] = str(share)
    return found


def _share(raw: Any) -> Decimal | None:
    try:
        share = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return share if raw is not None and share.is_finite() and 0 <= share <= 1 else None


def declared_small_or_micro(declaration: dict[str, Any] | None, documents: list[dict[str, Any]] | None) -> bool:
    """A small or micro enterprise that encloses its declaration."""
    found = sme_of(declaration or {}, documents)
    return found.get("sme") in SMALL_OR_MICRO and bool(found.get("sme_declared"))
