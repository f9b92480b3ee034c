"""Every code the platform can put on a page has its words in both languages, in the console's
one table (app/console/i18n.py `CODES`): the values of every enum of the platform, every audit
action, every field-problem code and every problem type its source can produce. Found by walking
the enums and the source's syntax trees, so a new code without words fails here, not on a page."""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import pkgutil
import re
from http import HTTPStatus
from pathlib import Path

import pytest

from app.console import i18n

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("app", "bidding", "credit", "experts")
SKIPPED_MODULES = ("app.asgi",)  # builds the application on import


def enum_values() -> set[str]:
    values = set()
    for package in PACKAGES:
        for module_info in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
            if module_info.name in SKIPPED_MODULES:
                continue
            module = importlib.import_module(module_info.name)
            for thing in vars(module).values():
                if inspect.isclass(thing) and issubclass(thing, enum.Enum) and thing.__module__ == module.__name__:
                    values |= {member.value for member in thing if isinstance(member.value, str)}
    return values


def _text(node: ast.expr) -> list[str] | str | None:
    """A string constant's values (both branches of a conditional), or an f-string as a pattern."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return [*(_text(node.body) or []), *(_text(node.orelse) or [])]  # type: ignore[misc]
    if isinstance(node, ast.JoinedStr):
        parts = (re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_]+" for v in node.values)
        return "^" + "".join(parts) + "$"
    return None


def source_codes() -> dict[str, tuple[set[str], set[str]]]:
    """Per namespace: the constant codes and the f-string patterns the source uses."""
    found: dict[str, tuple[set[str], set[str]]] = {ns: (set(), set()) for ns in ("action", "field", "problem")}

    def add(namespace: str, node: ast.expr | None) -> None:
        text = _text(node) if node is not None else None
        if isinstance(text, str):
            found[namespace][1].add(text)
        elif text:
            found[namespace][0].update(text)

    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    function = node.func
                    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
                    owner = getattr(getattr(function, "value", None), "id", None)
                    if name == "record" and owner == "audit" and len(node.args) >= 4:
                        add("action", node.args[3])
                    if name == "FieldError" and len(node.args) >= 2:
                        add("field", node.args[1])
                    for keyword in node.keywords:
                        if keyword.arg == "slug":
                            add("problem", keyword.value)
                elif isinstance(node, ast.Assign):  # `status, slug, title = 404, "not-found", ...` / `slug = "…"`
                    for target in node.targets:
                        names = [t.id for t in getattr(target, "elts", [target]) if isinstance(t, ast.Name)]
                        if "slug" in names:
                            value = (
                                node.value.elts[names.index("slug")]
                                if isinstance(node.value, ast.Tuple)
                                else node.value
                            )
                            add("problem", value)
    # The problem types of plain HTTP errors (app.core.problems._slug) and of a server error.
    for status in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429):
        found["problem"][0].add(HTTPStatus(status).phrase.lower().replace(" ", "-"))
    found["problem"][0].add("internal")
    return found


def test_every_enum_value_of_the_platform_has_its_words() -> None:
    values = enum_values()
    assert len(values) > 60  # the walk found the enums
    assert sorted(v for v in values if f"code:{v}" not in i18n.CODES) == []


@pytest.mark.parametrize("namespace", ["action", "field", "problem"])
def test_every_action_field_code_and_problem_type_in_the_source_has_its_words(namespace: str) -> None:
    constants, patterns = source_codes()[namespace]
    assert constants  # the walk found them
    known = {key.split(":", 1)[1] for key in i18n.CODES if key.startswith(namespace + ":")}
    assert sorted(constants - known) == []
    unmatched = [p for p in patterns if not any(re.match(p, k) for k in known)]
    assert unmatched == []  # an f-string's every value cannot be listed, but one at least is


def test_every_entry_has_both_languages_and_chinese_pages_get_chinese() -> None:
    assert all(zh.strip() and en.strip() for zh, en in i18n.CODES.values())
    label = i18n.labeller("zh")
    assert label("code", "published") == "已发布" and label("problem", "unauthorized").startswith("用户名或密码错误")
    assert i18n.labeller("en")("action", "tender.publish") == "tender published"
    assert label("code", "never-heard-of") == "never-heard-of"  # shown as it is, never a blank
