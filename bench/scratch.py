"""A scratch PostgreSQL database for a benchmark: created and migrated, dropped afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from app import migrate

SERVER = "postgres@127.0.0.1:5432"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(f"postgresql://{SERVER}/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    """The URL of a new database at the migrations' head; it is dropped on exit."""
    name = f"ggzy_bench_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgresql+asyncpg://{SERVER}/{name}"
        await asyncio.to_thread(migrate.upgrade, url)
        yield url
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
