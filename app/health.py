"""`GET /health`: whether the database, Redis and live events answer."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text

from app.core.deps import ClockDep

PROBE_TIMEOUT_SECONDS = 1.0


class ComponentHealth(msgspec.Struct):
    ok: bool | None
    detail: str


class HealthOut(msgspec.Struct):
    status: str
    time: datetime
    database: ComponentHealth
    redis: ComponentHealth
    live: ComponentHealth  # live events to watchers (openings, auctions)


@get("/health", opt={"public": True}, tags=["health"])
async def health(request: Request[Any, Any, Any], clock: ClockDep) -> Response[HealthOut]:
    """Reachability of the database and (when configured) Redis, and whether live events reach
    watchers; 503 when any of them is down."""
    database, redis = await asyncio.gather(_database_health(request), _redis_health(request))
    live = _live_health(request)
    ok = database.ok is True and redis.ok is not False and live.ok is True
    body = HealthOut("ok" if ok else "degraded", clock.now(), database, redis, live)
    return Response(body, status_code=HTTP_200_OK if ok else HTTP_503_SERVICE_UNAVAILABLE)


async def _database_health(request: Request[Any, Any, Any]) -> ComponentHealth:
    try:
        async with asyncio.timeout(3), request.app.state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return ComponentHealth(True, request.app.state.engine.dialect.name)
    except Exception as exc:
        return ComponentHealth(False, f"{type(exc).__name__}: {exc}"[:200])


def _live_health(request: Request[Any, Any, Any]) -> ComponentHealth:
    hub = request.app.state.live
    if hub.healthy:
        return ComponentHealth(True, "delivering" if hub.redis is not None else "in process")
    at, why = hub.trouble
    since = at.isoformat() if at else "start-up"
    return ComponentHealth(
        False, f"degraded since {since} ({why}); watchers catch up from stored events when it returns"
    )


async def _redis_health(request: Request[Any, Any, Any]) -> ComponentHealth:
    client = request.app.state.redis
    if client is None:
        return ComponentHealth(None, "not configured: single-process mode, live events in process")
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            await client.ping()
    except Exception as exc:
        return ComponentHealth(False, f"{type(exc).__name__}: {exc}"[:200])
    await request.app.state.live.redis_answered()  # a probe that answers ends every fallback
    return ComponentHealth(True, "reachable")
