"""A live stream of one process: events of a burst that reached it out of order are written in
sequence without asking the store; a gap nothing in the burst fills is filled from the store."""

from __future__ import annotations

import asyncio

from app.core.live import Event, LiveHub, encode_event, sse_stream


def _bid(seq: int) -> bytes:
    return encode_event(seq, "bid", {"price": f"{100 - seq}.00"}, f"2026-12-07T09:59:{seq:02d}")


def _sequenced(event: Event) -> bool:
    return event["kind"] in {"bid", "state"}  # as an auction's stream: the close has no place in the sequence


async def _watch(published: list[list[bytes]]) -> tuple[list[str], list[int]]:
    """Publish each burst at once, the bursts apart; the ids the watcher got, the store's calls."""
    hub, channel, asked, subscribed = LiveHub(None), "auction-test", [], asyncio.Event()

    async def replay(after: int) -> list[Event]:
        asked.append(after)
        return [{"seq": 2, "kind": "bid", "at": "2026-12-07T09:59:02", "data": {"price": "98.00"}}]

    async def snapshot() -> list[Event]:  # taken once the stream has subscribed
        subscribed.set()
        return [{"seq": 0, "kind": "state", "at": "2026-12-07T09:59:00", "data": {}}]

    async def read() -> list[str]:
        stream = sse_stream(hub, channel, snapshot, replay, frozenset({"closed"}), _sequenced)
        frames = [message.encode() async for message in stream]
        return [line[4:].decode() for frame in frames for line in frame.split(b"\r\n") if line.startswith(b"id: ")]

    watcher = asyncio.create_task(read())
    async with asyncio.timeout(5):
        await subscribed.wait()
        for burst in published:
            for payload in burst:
                await hub.publish(channel, payload)
            await asyncio.sleep(0.2)
        await hub.publish(channel, encode_event(99, "closed", {}, "2026-12-07T10:00:00"))
        return await watcher, asked


async def test_a_burst_out_of_order_is_written_in_sequence_without_asking_the_store() -> None:
    ids, asked = await _watch([[_bid(2), _bid(1), _bid(3)], [_bid(4)]])
    assert ids == ["0", "1", "2", "3", "4", "99"] and asked == []


async def test_a_gap_the_burst_does_not_fill_is_filled_from_the_store() -> None:
    ids, asked = await _watch([[_bid(1), _bid(3)]])
    assert ids == ["0", "1", "2", "3", "99"] and asked == [1]
