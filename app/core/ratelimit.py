"""Rate limits in fixed windows of the one clock: a Redis counter shared by every worker
(exact across processes: INCR is atomic), or an in-process counter in the embedded mode, and
as the fallback while Redis does not answer within the guard's short timeout (app.core.redis_guard):
each worker then counts on its own, so the limit is neither dropped (fail open) nor turned
into a refusal of everyone (fail closed); a registered bidder keeps bidding at its rate in
each worker, and a stalled Redis costs a request at most one short timeout.

`hit(key, limit, window)` counts one event and answers how long to wait when the limit is
passed. Windows are aligned to the clock, so a test that moves the clock moves the windows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from app.core.clock import Clock
from app.core.redis_guard import RedisGuard, RedisUnavailable

logger = logging.getLogger("ggzy.ratelimit")
KEY_PREFIX = "ggzy:rate:"


class RateLimiter:
    def __init__(self, clock: Clock, redis: RedisGuard | None) -> None:
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
            redis = self.redis.redis

            async def incr() -> int:
                async with redis.pipeline(transaction=True) as pipe:
                    pipe.incr(bucket)
                    pipe.expire(bucket, seconds + 1)
                    count, _ = await pipe.execute()
                return int(count)

            try:
                return await self.redis.call(incr)
            except RedisUnavailable as exc:  # count in this process until Redis answers again
                logger.debug("rate limit counted in this process: %s", exc)
        if len(self.local) > 100_000:  # old windows are never read again
            self.local.clear()
        self.local[bucket] = self.local.get(bucket, 0) + 1
        return self.local[bucket]
