"""What broke the importers' CSV and JSON readers (a 500): a cell over 128 KiB in the expert pool
or a credit list, a NUL in a credit list, a credit JSON nested thousands deep. Each is now a 422
naming the line and the column (the file, for JSON that cannot be read), and nothing is imported."""

from __future__ import annotations

import csv
import io
import json

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.core.tabular import MAX_CELL_CHARS
from credit.models import CreditEntry
from experts.models import Expert
from tests.conftest import World, random_uscc
from tests.credit.helpers import entry_row, officers
from tests.evaluations import csv_of, row

HUGE = "长" * (MAX_CELL_CHARS + 1)


def credit_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def counts(world: World) -> tuple[int, int]:
    async with world.sessions() as session:
        entries = await session.scalar(select(func.count()).select_from(CreditEntry)) or 0
        experts = await session.scalar(select(func.count()).select_from(Expert)) or 0
    return entries, experts


@pytest.mark.parametrize(
    ("cell", "value", "reason"),
    [("name", HUGE, "longer than 128 KiB"), ("name", "失信\x00企业", "NUL"), ("reason", HUGE, "longer than 128 KiB")],
)
async def test_a_credit_csv_cell_the_reader_refused_is_named_by_line_and_column(
    client: AsyncTestClient[Litestar], world: World, cell: str, value: str, reason: str
) -> None:
    admin, _ = await officers(client, world)
    rows = [entry_row(f"失信企业{i}", uscc=random_uscc()) for i in range(3)]
    rows[1][cell] = value
    answer = await client.post(
        "/api/v1/credit/lists/dishonest_debtor/import",
        content=credit_csv(rows),
        headers={**admin, "content-type": "text/csv"},
    )
    assert answer.status_code == 422, answer.text[:300]
    [problem] = answer.json()["rows"]
    assert (problem["line"], problem["field"]) == (3, cell) and reason in problem["reason"]
    assert await counts(world) == (0, 0)


async def test_a_credit_json_nested_too_deeply_is_refused_as_a_file(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin, _ = await officers(client, world)
    nested = "[" * 100_000 + "]" * 100_000
    answer = await client.post(
        "/api/v1/credit/lists/dishonest_debtor/import",
        params={"format": "json"},
        content=nested.encode(),
        headers={**admin, "content-type": "application/json"},
    )
    assert answer.status_code in (400, 422), answer.text[:300]
    body = answer.json()
    named = body.get("rows") or body.get("invalid-params")
    assert named and "nested" in json.dumps(named, ensure_ascii=False)
    assert await counts(world) == (0, 0)


async def test_an_expert_pool_cell_over_128_kib_is_named_by_line_and_column(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin, _ = await officers(client, world)
    rows = [row(f"civil{i}", "construction.civil") for i in range(3)]
    rows[2]["title"] = HUGE
    answer = await client.post(
        "/api/v1/experts/import", content=csv_of(rows), headers={**admin, "content-type": "text/csv"}
    )
    assert answer.status_code == 422, answer.text[:300]
    problems = answer.json()["rows"]
    assert [(p["line"], p["field"]) for p in problems] == [(4, "title")]
    assert "longer than 128 KiB" in problems[0]["reason"]
    assert await counts(world) == (0, 0)
