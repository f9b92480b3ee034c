"""Live events (openings, auctions): one hub per process fans them out to the watchers of this
process (published through an `Outbox` after the commit), and Redis pub/sub carries them
between processes (web workers and the scheduler).

Live delivery is best effort on top of stored events: every event a watcher must see is stored
by its domain first (opening events, auction bids) and carries a sequence number, so a watcher
never depends on Redis alone. A stream subscribes first and then replays what is stored, drops
what it has already sent, and fills any gap from the store; when Redis goes away the hub keeps
trying to reconnect, `/health` says live events are degraded, publishing never blocks or fails
the action that produced the event (it goes through the Redis guard: a short timeout, then a
cool-off in which nothing is published), and on reconnection every stream catches up from the
store. When publishing works again after a failure, the hub publishes a resync on its own
channel, so the watchers of every process catch up with the events that were not published.
Without `GGZY_REDIS_URL` the hub delivers in process only (the embedded single-process mode).

Fan-out is the cost at the last minute of an auction (every bid to hundreds of watchers): the hub
parses each event and encodes its SSE frame once per process, and hands the same `Delivered` to
every watcher's inbox; after an event a stream waits `GATHER_SECONDS` for the rest of a burst and
writes all of it in one chunk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from litestar.response import ServerSentEventMessage
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.redis_guard import RedisGuard, RedisUnavailable

logger = logging.getLogger("ggzy.live")

CHANNEL_PREFIX = "ggzy:live:"
# Published when publishing works again after a failure: every hub's watchers catch up from the store.
RESYNC_CHANNEL = "\x00resync"
RECONNECT_DELAY_SECONDS = 1.0
# The listener waits for a message at most this long before it looks whether the hub is stopping:
# redis-py can swallow a cancellation that lands inside its read (redis/redis-py#2551), so a
# cancel alone does not always end the listener.
LISTEN_POLL_SECONDS = 0.2
# A stream waits this long after a live event for more before it writes: at an auction's last
# minute a write per event per watcher is most of a worker's work, and watchers can wait 100 ms
# (measured at 100 bids/s, 500 watchers: bid p99 0.47–0.77 s gathering 50 ms, 0.27–0.41 s gathering 100).
GATHER_SECONDS = 0.1
INBOX_SIZE = 1000
RESYNC = b"\x00resync"  # an inbox marker: events may have been missed, catch up from the store
CLOSED = b"\x00closed"  # an inbox marker: the process is stopping, end the stream

Event = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Delivered:
    """A live event as every watcher of this process receives it: parsed and framed once."""

    event: Event
    frame: bytes  # its server-sent event, as written to the wire


Inbox = asyncio.Queue[Delivered | bytes]  # events, or the RESYNC and CLOSED markers


def encode_event(seq: int, kind: str, data: dict[str, Any], at: str) -> bytes:
    return json.dumps({"seq": seq, "kind": kind, "at": at, "data": data}, ensure_ascii=False).encode()


class Broadcaster(Protocol):
    async def publish(self, channel: str, payload: bytes) -> None: ...


class NoBroadcast:
    """Where nobody can be watching live (the CLI, benchmarks); events are still stored."""

    async def publish(self, channel: str, payload: bytes) -> None:
        return None


class Outbox:
    """The one way to publish live events: a use case queues each event it has stored in its
    transaction, and `commit` commits and then publishes them, so a watcher never hears of
    something that was rolled back, and a refused action publishes nothing."""

    def __init__(self, broadcaster: Broadcaster) -> None:
        self.broadcaster = broadcaster
        self._queued: list[tuple[str, bytes]] = []

    def queue(self, channel: str, seq: int, kind: str, data: dict[str, Any], at: datetime) -> None:
        self._queued.append((channel, encode_event(seq, kind, data, at.isoformat())))

    async def commit(self, session: AsyncSession) -> None:
        await session.commit()
        sent, self._queued = self._queued, []
        for channel, payload in sent:
            await self.broadcaster.publish(channel, payload)


class LiveHub:
    """Publish to every process's watchers of a channel; subscribe this process's watchers."""

    def __init__(self, guard: RedisGuard | None) -> None:
        self.guard = guard
        self.redis = guard.redis if guard is not None else None
        self.inboxes: dict[str, set[Inbox]] = {}
        self.listening = guard is None  # connected to Redis pub/sub (always true in process)
        self.degraded_since: datetime | None = None  # the listener lost its subscription
        self.last_error: str | None = None
        self.publish_failed_since: datetime | None = None  # an event could not be published
        self.publish_error: str | None = None
        self._listener: asyncio.Task[None] | None = None
        self._stopping = False
        self._connected_once = False

    # -- publishing ----------------------------------------------------------------------------
    async def publish(self, channel: str, payload: bytes) -> None:
        """Never raises: the event is stored already; a watcher missing it catches up later."""
        if self.guard is None:
            self._deliver(channel, payload)
            return
        if await self._send(channel, payload) and self.publish_failed_since is not None:
            await self.redis_answered()

    async def _send(self, channel: str, payload: bytes) -> bool:
        guard = self.guard
        assert guard is not None
        try:
            await guard.call(lambda: guard.redis.publish(CHANNEL_PREFIX + channel, payload))
        except RedisUnavailable as exc:
            if self.publish_failed_since is None:
                logger.warning("live events not published (%s); stored events stay complete", exc)
                self.publish_failed_since = datetime.now(UTC)
            self.publish_error = f"publish failed: {exc}"
            return False
        return True

    async def redis_answered(self) -> None:
        """Redis answers again (a publish went through, or /health's probe): if events went
        unpublished meanwhile, tell every process's watchers to catch up, and be healthy again."""
        if self.guard is None:
            return
        self.guard.answered()
        if self.publish_failed_since is not None and await self._send(RESYNC_CHANNEL, b"{}"):
            logger.info("live events are published again; watchers catch up from stored events")
            self.publish_failed_since, self.publish_error = None, None

    # -- subscribing ---------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Inbox]:
        inbox: Inbox = asyncio.Queue(INBOX_SIZE)
        self.inboxes.setdefault(channel, set()).add(inbox)
        try:
            yield inbox
        finally:
            watchers = self.inboxes.get(channel, set())
            watchers.discard(inbox)
            if not watchers:
                self.inboxes.pop(channel, None)

    def _deliver(self, channel: str, payload: bytes) -> None:
        watchers = self.inboxes.get(channel)
        if not watchers:
            return
        try:
            event = json.loads(payload)
            delivered = Delivered(event, _message(event).encode())
        except (ValueError, TypeError, KeyError) as exc:  # not an event of ours: nobody is sent it
            logger.warning("live event on %s dropped: %s: %s", channel, type(exc).__name__, exc)
            return
        for inbox in list(watchers):
            _put(inbox, delivered)

    def _broadcast_marker(self, marker: bytes) -> None:
        for watchers in list(self.inboxes.values()):
            for inbox in list(watchers):
                _put(inbox, marker)

    # -- the Redis listener --------------------------------------------------------------------
    async def start(self) -> None:
        if self.redis is not None and self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="ggzy-live-listener")

    async def stop(self) -> None:
        """End every stream and the listener; returns within seconds whatever Redis does."""
        self._broadcast_marker(CLOSED)
        self._stopping = True
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._listener, timeout=3)
            self._listener = None

    async def _listen(self) -> None:
        assert self.redis is not None
        while not self._stopping:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                self.listening, self.degraded_since, self.last_error = True, None, None
                if self._connected_once:  # events published while we were away: catch up
                    logger.info("live events: Redis is back; watchers catch up from stored events")
                    self._broadcast_marker(RESYNC)
                self._connected_once = True
                while not self._stopping:
                    message = await pubsub.get_message(timeout=LISTEN_POLL_SECONDS)
                    if message is not None and message.get("type") == "pmessage":
                        channel = message["channel"].decode()[len(CHANNEL_PREFIX) :]
                        if channel == RESYNC_CHANNEL:
                            self._broadcast_marker(RESYNC)
                        else:
                            self._deliver(channel, message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not self._stopping:
                    self._degrade(f"subscription lost: {type(exc).__name__}: {exc}")
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(pubsub.aclose(), timeout=1)  # type: ignore[no-untyped-call,unused-ignore]
            if not self._stopping:
                await asyncio.sleep(RECONNECT_DELAY_SECONDS)

    def _degrade(self, error: str) -> None:
        if self.degraded_since is None:
            logger.warning("live events degraded (%s); stored events stay complete", error)
            self.degraded_since = datetime.now(UTC)
        self.listening, self.last_error = False, error

    @property
    def healthy(self) -> bool:
        """Delivering now: subscribed, and the last publish went through (health reflects the
        current state: a hub that recovered is healthy again without a restart)."""
        return self.listening and self.degraded_since is None and self.publish_failed_since is None

    @property
    def trouble(self) -> tuple[datetime | None, str | None]:
        """Since when and why the hub is not healthy (the earliest of its troubles)."""
        troubles = [
            (at, why)
            for at, why in ((self.degraded_since, self.last_error), (self.publish_failed_since, self.publish_error))
            if at is not None
        ]
        return min(troubles, key=lambda t: t[0]) if troubles else (None, None)


def _put(inbox: Inbox, payload: Delivered | bytes) -> None:
    try:
        inbox.put_nowait(payload)
    except asyncio.QueueFull:  # a watcher too slow to keep up: drop its backlog, let it catch up
        while not inbox.empty():
            inbox.get_nowait()
        inbox.put_nowait(RESYNC)


Replay = Callable[[int], Awaitable[list[Event]]]


async def sse_stream(
    hub: LiveHub,
    channel: str,
    snapshot: Callable[[], Awaitable[list[Event]]],
    replay: Replay,
    terminal: frozenset[str],
    sequenced: Callable[[Event], bool] = lambda _event: True,
) -> AsyncIterator[ServerSentEventMessage]:
    """Server-sent events of one channel, complete and in order: subscribe, then send the
    `snapshot` (what a late watcher must see first), then live events. Sequenced events already
    sent are dropped; a gap, a reconnection to Redis or an overflow is filled by `replay(last
    seq)` from the store. Ends after a terminal event, or when the process stops."""
    async with hub.subscribe(channel) as inbox:
        last = 0

        def fresh(events: list[Event]) -> list[Event]:
            nonlocal last
            out = []
            for event in events:
                if sequenced(event):
                    if int(event["seq"]) <= last:
                        continue
                    last = int(event["seq"])
                out.append(event)
            return out

        for event in await snapshot():  # sent whole; its sequence numbers say where live ones start
            if sequenced(event):
                last = max(last, int(event["seq"]))
            yield _message(event)
            if event["kind"] in terminal:
                return

        async def framed(received: list[Delivered | bytes]) -> tuple[list[bytes], bool]:
            """The frames to write for what was received, and whether the stream ends."""
            frames: list[bytes] = []
            for item in received:
                if item == CLOSED:
                    return frames, True
                if isinstance(item, Delivered):
                    gap = sequenced(item.event) and int(item.event["seq"]) > last + 1
                    pending = [*(await replay(last) if gap else []), item.event]
                else:  # RESYNC
                    pending = await replay(last)
                for event in fresh(pending):
                    if isinstance(item, Delivered) and event is item.event:
                        frames.append(item.frame)  # encoded once for every watcher of the process
                    else:
                        frames.append(_message(event).encode())
                    if event["kind"] in terminal:
                        return frames, True
            return frames, False

        def in_sequence(received: list[Delivered | bytes]) -> list[Delivered | bytes]:
            """The burst with its sequenced events put in sequence order, in the places they took:
            two workers' events can reach Redis in the other order than their commits, and the
            later one first would look like a gap that every watcher fills from the store."""
            taken = [
                (i, item) for i, item in enumerate(received) if isinstance(item, Delivered) and sequenced(item.event)
            ]
            ordered = sorted((item for _, item in taken), key=lambda item: int(item.event["seq"]))
            out = list(received)
            for (place, _), item in zip(taken, ordered, strict=True):
                out[place] = item
            return out

        while True:
            received = [await inbox.get()]
            if isinstance(received[0], Delivered):  # let a burst gather: one write for all of it
                await asyncio.sleep(GATHER_SECONDS)
            while not inbox.empty():
                received.append(inbox.get_nowait())
            frames, ended = await framed(in_sequence(received))
            if frames:
                yield _Frames(b"".join(frames))
            if ended:
                return


class _Frames(ServerSentEventMessage):
    """Server-sent events encoded already (a live event's frame is shared by every watcher)."""

    def __init__(self, frames: bytes) -> None:
        super().__init__()
        self.frames = frames

    def encode(self) -> bytes:
        return self.frames


def _message(event: Event) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=json.dumps(event, ensure_ascii=False), event=event["kind"], id=str(event["seq"]))
