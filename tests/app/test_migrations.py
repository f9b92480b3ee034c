"""Migrations take an empty database to head on both backends, and match the models."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.pool import NullPool

import app.tables  # noqa: F401  (every table, to compare with the migrations)
from app import migrate
from app.core.db import Base, make_engine
from tests.conftest import in_thread, pg_url


def _empty_database(backend: str, tmp_path: Path, fresh_pg_database: Callable[[], str]) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    return pg_url(fresh_pg_database())


async def _inspect(url: str, fn: Callable[[Connection], object]) -> object:
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": migrate.compare_type})
    return list(compare_metadata(context, Base.metadata))


async def test_empty_database_upgrades_to_head_and_matches_the_models(
    backend: str, tmp_path: Path, fresh_pg_database: Callable[[], str]
) -> None:
    url = _empty_database(backend, tmp_path, fresh_pg_database)
    in_thread(migrate.upgrade, url)

    head = ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()
    assert await _inspect(url, migrate.current_revision) == head
    tables = await _inspect(url, lambda c: set(inspect(c).get_table_names()))
    assert {"organizations", "users", "audit_events"} <= tables  # type: ignore[operator]
    assert await _inspect(url, _diff) == []


async def test_downgrade_to_base_and_back_up(
    backend: str, tmp_path: Path, fresh_pg_database: Callable[[], str]
) -> None:
    url = _empty_database(backend, tmp_path, fresh_pg_database)
    in_thread(migrate.upgrade, url)
    in_thread(migrate.downgrade, url, "base")
    assert await _inspect(url, lambda c: set(inspect(c).get_table_names()) - {"alembic_version"}) == set()
    in_thread(migrate.upgrade, url)
    assert await _inspect(url, _diff) == []


def test_history_is_one_linear_line() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(scripts.get_heads()) == 1
    assert len(scripts.get_bases()) == 1


@pytest.fixture(autouse=True)
def _no_leftovers() -> None:
    """Databases made here are dropped by `fresh_pg_database`; nothing else to clean."""
