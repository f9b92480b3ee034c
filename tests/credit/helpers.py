"""Helpers for credit tests: list files, signed-in admins and supervisors."""

from __future__ import annotations

import json
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from credit.entries import COLUMNS
from tests.conftest import World, login


def entry_row(name: str, **cells: str) -> dict[str, str]:
    base = {c: "" for c in COLUMNS}
    base.update(
        {
            "subject_kind": "organization",
            "name": name,
            "reason": "拒不履行生效判决",
            "authority": "人民法院",
            "document": f"(2026)执{abs(hash(name)) % 10000}号",
            "listed_on": "2026-01-01",
        }
    )
    return base | cells


def list_csv(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(COLUMNS), *(",".join(r[c] for c in COLUMNS) for r in rows)]
    return ("\n".join(lines) + "\n").encode()


async def officers(client: AsyncTestClient[Litestar], world: World) -> tuple[dict[str, str], dict[str, str]]:
    admin = await login(client, (await world.user(Role.admin)).username)
    supervisor = await login(client, (await world.user(Role.supervisor)).username)
    return admin, supervisor


async def import_list(
    client: AsyncTestClient[Litestar], admin: dict[str, str], list_type: str, rows: list[dict[str, str]], **params: str
) -> Any:
    return await client.post(
        f"/api/v1/credit/lists/{list_type}/import",
        content=list_csv(rows),
        params=params,
        headers={**admin, "content-type": "text/csv"},
    )


async def check(
    client: AsyncTestClient[Litestar], headers: dict[str, str], at: str, *subjects: dict[str, str]
) -> list[dict[str, Any]]:
    answer = await client.post("/api/v1/credit/checks", json={"at": at, "subjects": list(subjects)}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]  # type: ignore[no-any-return]


def as_json(rows: list[dict[str, str]]) -> bytes:
    return json.dumps(rows, ensure_ascii=False).encode()
