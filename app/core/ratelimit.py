"""Rate limits in fixed windows of the one clock: a Redis counter shared by every worker
(exact across processes: INCR is atomic), or an in-process counter in the embedded mode, and
as a fallback while Redis is unreachable (each worker then counts on its own).

`hit(key, limit, window)` counts one event and answers how long to wait when the limit is
passed. Windows are aligned to the clock, so a test that moves the clock moves the windows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis.asyncio import Redis

from app.core.clock import Clock

logger = logging.getLogger("ggzy.ratelimit")
KEY_PREFIX = "ggzy:rate:"


class RateLimiter:
    def __init__(self, clock: Clock, redis: Redis | None) -> None:
        self.clock, self.redis = clock, redis
        self.local: dict[str, int] = {}

    async def hit(self, key: str, limit: int, window: timedelta) -> float | None:
        """Count one event under `key`; None while within `limit` per `window`, else the seconds
        until the window ends."""
        now = self.clock.now()
        seconds = int(window.total_seconds())
        index = int(now.timestamp()) // seconds
        bucket = f"{KEY_PREFIX}{key}:{index}"
        count = await self._count(bucket, seconds)
        if count <= limit:
            return None
        window_end = datetime.fromtimestamp((index + 1) * seconds, tz=now.tzinfo)
        return max(0.0, (window_end - now).total_seconds())

    async def _count(self, bucket: str, seconds: int) -> int:
        if self.redis is not None:
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.incr(bucket)
                    pipe.expire(bucket, seconds + 1)
                    count, _ = await pipe.execute()
                return int(count)
            except Exception as exc:  # Redis away: count in this process until it returns
                logger.warning("rate limit falls back to this process: %s: %s", type(exc).__name__, exc)
        if len(self.local) > 100_000:  # old windows are never read again
            self.local.clear()
        self.local[bucket] = self.local.get(bucket, 0) + 1
        return self.local[bucket]
