"""Every Redis call on a request path goes through one guard: a short timeout, and after a
failure a cool-off during which Redis is not asked at all, so a stalled or lost Redis costs a
request at most one timeout per cool-off, never the length of the stall.

Redis is never the only copy of anything (the database is), so each caller states its fallback
when the guard says no: the rate limiter counts in this process, live events are left in the
store for watchers to catch up, `/health` reports Redis down. The cool-off is operational
timing (monotonic seconds), not a business deadline, so it does not read the platform's clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis

logger = logging.getLogger("ggzy.redis")
T = TypeVar("T")

# A request path waits at most this long on Redis (a local Redis answers in well under 1 ms).
REQUEST_TIMEOUT_SECONDS = 0.25
# After a failure, Redis is left alone this long before one call tries it again.
COOL_OFF_SECONDS = 2.0


class RedisUnavailable(Exception):
    """Redis did not answer in time, failed, or is cooling off after a failure."""


class RedisGuard:
    """One per Redis client and process: `await guard.call(lambda: redis.incr(key))`."""

    def __init__(
        self,
        redis: Redis,
        timeout: float = REQUEST_TIMEOUT_SECONDS,
        cool_off: float = COOL_OFF_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis, self.timeout, self.cool_off, self.monotonic = redis, timeout, cool_off, monotonic
        self.failed_at: float | None = None
        self.last_error: str | None = None

    @property
    def cooling_off(self) -> bool:
        return self.failed_at is not None and self.monotonic() - self.failed_at < self.cool_off

    async def call(self, make_call: Callable[[], Awaitable[T]]) -> T:
        """The call's answer, or RedisUnavailable within `timeout` seconds."""
        if self.cooling_off:
            raise RedisUnavailable(f"cooling off after: {self.last_error}")
        try:
            async with asyncio.timeout(self.timeout):
                answer = await make_call()
        except Exception as exc:
            self.failed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
            raise RedisUnavailable(self.last_error) from exc
        self.answered()
        return answer

    def failed(self, error: str) -> None:
        if self.failed_at is None:
            logger.warning("Redis does not answer (%s): request paths fall back for %.0f s", error, self.cool_off)
        self.failed_at, self.last_error = self.monotonic(), error

    def answered(self) -> None:
        """Redis answered (here or to a probe such as /health): end the cool-off."""
        if self.failed_at is not None:
            logger.info("Redis answers again")
        self.failed_at, self.last_error = None, None
