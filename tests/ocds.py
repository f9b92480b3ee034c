"""Offline validation of the OCDS export: JSON Schema (draft 4) against the OCDS 1.1 schema and
codelists kept in tests/data/ocds/1.1 (a copy of ../shared/ocds/1.1, nothing fetched), and the
codelist values of every field the release schema ties to a codelist."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMA_DIR = Path(__file__).parent / "data" / "ocds" / "1.1"
SCHEMA_BASE = "https://standard.open-contracting.org/schema/1__1__5/"
SCHEMAS = ("release-schema.json", "release-package-schema.json", "record-package-schema.json")


def parse(text: str | bytes) -> Any:
    """An answer as JSON, amounts as exact decimals."""
    return json.loads(text, parse_float=Decimal)


@cache
def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return loaded


@cache
def _validator(name: str) -> Draft4Validator:
    registry: Registry[Any] = Registry().with_resources(
        (SCHEMA_BASE + n, Resource.from_contents(_schema(n), default_specification=DRAFT4)) for n in SCHEMAS
    )
    return Draft4Validator(_schema(name), registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


@cache
def codes(codelist: str) -> frozenset[str]:
    with (SCHEMA_DIR / "codelists" / codelist).open(encoding="utf-8") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle))


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/definitions/"):
        return _resolve(_schema("release-schema.json")["definitions"][ref.removeprefix("#/definitions/")])
    return schema


def _codelist_problems(value: Any, schema: dict[str, Any], where: str) -> list[str]:
    schema = _resolve(schema)
    found = []
    if "codelist" in schema and value is not None:
        allowed = codes(schema["codelist"])
        for code in value if isinstance(value, list) else [value]:
            if code not in allowed:
                found.append(f"{where}: {code!r} is not in {schema['codelist']}")
    if isinstance(value, dict):
        for key, item in value.items():
            if key in schema.get("properties", {}):
                found += _codelist_problems(item, schema["properties"][key], f"{where}/{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found += _codelist_problems(item, schema["items"], f"{where}/{index}")
    return found


def problems(package: dict[str, Any]) -> list[str]:
    """Everything wrong with a release or record package; [] when valid."""
    name = "record-package-schema.json" if "records" in package else "release-package-schema.json"
    found = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in _validator(name).iter_errors(package)
    ]
    releases = (
        [r for record in package["records"] for r in [*record["releases"], record["compiledRelease"]]]
        if "records" in package
        else package.get("releases", [])
    )
    for release in releases:
        found += _codelist_problems(release, _schema("release-schema.json"), release.get("id", "?"))
    return found
