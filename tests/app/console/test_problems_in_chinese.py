"""The API's problems speak Chinese to a Chinese page: every problem the services behind the
console's forms and rooms can raise carries Chinese words (found by walking their syntax trees),
and the API answers in the language the request asks for."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.problems import InvalidRequest, Problem
from bidding.filing.service import FilingDeficient
from tests.conftest import World

ROOT = Path(__file__).resolve().parents[3]
# The services behind every API call of app/console/static/console.js and the console's forms:
# sign-in, filings, sealed bids, the opening room, the supermarket and its auction, objections
# and complaints, the consultation, and the request plumbing every call goes through.
CONSOLE_SERVICES = (
    "app.core.blobs",
    "app.core.bodies",
    "app.core.guards",
    "app.identity.controllers",
    "app.identity.service",
    "bidding.award.remedies",
    "bidding.bids.service",
    "bidding.filing.service",
    "bidding.market.requests",
    "bidding.market.selection",
    "bidding.opening.service",
    "experts.consultation",
)
# Their Chinese comes from the fields they name (app/console/i18n.py) or from the class itself.
WORDED_BY_CLASS = (InvalidRequest, FilingDeficient)


def problem_classes() -> dict[str, type[Problem]]:
    found: dict[str, type[Problem]] = {}
    pending: list[type[Problem]] = [Problem]
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls
        pending += cls.__subclasses__()
    return found


@pytest.mark.pure
def test_every_problem_behind_the_console_has_chinese_words() -> None:
    for module in CONSOLE_SERVICES:
        importlib.import_module(module)
    classes = problem_classes()
    unworded = []
    for module in CONSOLE_SERVICES:
        path = Path(inspect.getfile(importlib.import_module(module)))
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            cls = classes.get(name)
            if cls is None or issubclass(cls, WORDED_BY_CLASS):
                continue
            if not any(keyword.arg == "zh" for keyword in node.exc.keywords):
                unworded.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert unworded == []


async def test_a_problem_answers_in_the_language_asked_for(client: AsyncTestClient[Litestar], world: World) -> None:
    wrong = {"username": "nobody", "password": "not the password"}
    chinese = await client.post("/api/v1/auth/login", json=wrong, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert chinese.status_code == 401
    assert chinese.json()["detail"] == "用户名或密码错误"
    assert chinese.headers["content-language"] == "zh-CN"
    english = await client.post("/api/v1/auth/login", json=wrong, headers={"Accept-Language": "en-GB,zh;q=0.5"})
    assert english.json()["detail"] == "wrong username or password"
    assert english.headers["content-language"] == "en"
    # A field problem names the fields in either language; a route's own guard answers in Chinese too.
    bad = await client.post("/api/v1/auth/login", json={"username": 5}, headers={"Accept-Language": "zh"})
    assert bad.status_code == 422 and "项输入有误" in bad.json()["detail"] and "password" in bad.json()["detail"]
    guarded = await client.get("/api/v1/filings", headers={"Accept-Language": "zh-CN"})
    assert guarded.status_code == 401 and guarded.json()["detail"] == "请先登录"
