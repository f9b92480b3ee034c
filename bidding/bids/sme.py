"""The enterprise size a sealed bid declares (pure): its declaration's field `sme` (micro, small,
medium or large), and whether the bid encloses the SME declaration (中小企业声明函, 财库〔2020〕46号):
the field `sme_declaration` names one of the bid's documents. Government procurement deducts a
declared small or micro enterprise's price for scoring, and counts its awards."""

from __future__ import annotations

from typing import Any

SME_SIZES = ("micro", "small", "medium", "large")
SMALL_OR_MICRO = ("micro", "small")


def sme_of(declaration: dict[str, Any], documents: list[dict[str, Any]] | None) -> dict[str, Any]:
    """{"sme": size, "sme_declared": bool} for an opened bid (its declaration and its documents,
    as the opening kept them) that declared a size; nothing otherwise."""
    fields = declaration.get("fields") or {}
    size = fields.get("sme")
    if size not in SME_SIZES:
        return {}
    names = {d.get("name") for d in documents or []}
    letter = fields.get("sme_declaration")
    return {"sme": size, "sme_declared": bool(letter) and letter in names}


def declared_small_or_micro(declaration: dict[str, Any] | None, documents: list[dict[str, Any]] | None) -> bool:
    """A small or micro enterprise that encloses its declaration."""
    found = sme_of(declaration or {}, documents)
    return found.get("sme") in SMALL_OR_MICRO and bool(found.get("sme_declared"))
