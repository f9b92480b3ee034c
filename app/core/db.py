"""Database plumbing: the declarative base every domain model uses, and the async engine.

One set of models serves PostgreSQL (production, tests) and SQLite (the embedded demo). On
SQLite every transaction starts with BEGIN IMMEDIATE, so write transactions are serialized
from their first statement (SQLite allows one writer at a time anyway).

On PostgreSQL a pooled connection the server has closed (a restart, an administrator's
`pg_terminate_backend`) is discarded when it is checked out, and the pool hands out a fresh
one. The check asks asyncpg whether it has seen the socket close, which costs nothing;
SQLAlchemy's `pool_pre_ping` would ask the server instead, with three round trips (BEGIN, a
ping, ROLLBACK) before every transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite gets foreign keys, WAL and immediate transactions."""
    if not url.startswith("sqlite"):
        return _discarding_closed_connections(create_async_engine(url, **kwargs))
    engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE below is the only BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _discarding_closed_connections(engine: AsyncEngine) -> AsyncEngine:
    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise exc.DisconnectionError("the server closed this pooled connection")  # the pool takes a new one

    return engine
