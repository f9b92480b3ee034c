"""Live events of openings (and later auctions): one channel per tender, `opening:<tender id>`.

Events are stored first (`opening_events`, so a late watcher gets everything so far) and then
broadcast. In a web worker they go through Litestar's channels plugin (Redis when configured,
in memory otherwise); the separate scheduler process publishes to the same Redis channels.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, Protocol

from litestar import Request
from litestar.channels import ChannelsPlugin
from litestar.response import ServerSentEventMessage
from redis.asyncio import Redis


def opening_channel(tender_id: object) -> str:
    return f"opening:{tender_id}"


def encode_event(seq: int, kind: str, data: dict[str, Any], at: str) -> bytes:
    return json.dumps({"seq": seq, "kind": kind, "at": at, "data": data}, ensure_ascii=False).encode()


class Broadcaster(Protocol):
    async def publish(self, channel: str, payload: bytes) -> None: ...


class ChannelsBroadcaster:
    def __init__(self, plugin: ChannelsPlugin) -> None:
        self.plugin = plugin

    async def publish(self, channel: str, payload: bytes) -> None:
        self.plugin.publish(payload, channels=[channel])


class RedisBroadcaster:
    """For processes without a Litestar app (the scheduler): same Redis channels as the web."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def publish(self, channel: str, payload: bytes) -> None:
        await self.redis.publish(channel, payload)


class NoBroadcast:
    """Where nobody can be watching live (the CLI); events are still stored for later readers."""

    async def publish(self, channel: str, payload: bytes) -> None:
        return None


TerminalKinds = frozenset[str]


async def sse_stream(
    request: Request[Any, Any, Any], channel: str, first: list[dict[str, Any]], terminal: TerminalKinds
) -> AsyncIterator[ServerSentEventMessage]:
    """Server-sent events of one channel: `first` (what a late watcher must see first), then the
    live events, skipping any already covered by `first`, until a terminal event."""
    channels = request.app.plugins.get(ChannelsPlugin)
    async with channels.start_subscription([channel]) as subscriber:
        last = 0
        for payload in first:
            yield ServerSentEventMessage(
                data=json.dumps(payload, ensure_ascii=False), event=payload["kind"], id=str(payload["seq"])
            )
            last = max(last, int(payload["seq"]))
            if payload["kind"] in terminal:
                return
        async for raw in subscriber.iter_events():
            payload = json.loads(raw)
            if payload["seq"] <= last:
                continue
            yield ServerSentEventMessage(data=raw.decode(), event=payload["kind"], id=str(payload["seq"]))
            last = payload["seq"]
            if payload["kind"] in terminal:
                return
