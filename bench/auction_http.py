"""The last minute of an auction over HTTP, as a deployment runs it: two `ggzy serve` workers on
PostgreSQL and Redis, an open-loop load of bids (sent on schedule whatever the answers) while
hundreds of supervisors and intermediaries watch the auction's live stream (SSE), spread over
both workers. Reports the bid latency (p50/p99) and the delay from a bid's acknowledgement to
its arrival at every watcher (p50/p99), next to the latency of `GET /health` under the same
load (the baseline: what any request costs then). Loopback only; bounded in time and count.

    .venv/bin/python -m bench.auction_http [--rate 100] [--seconds 60] [--watchers 500]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx

from app.core.clock import FrozenClock
from app.core.db import make_engine, make_session_factory
from bench.auction import _auctions
from bench.scratch import scratch_database

BIDDERS = 100  # 1 bid a second each at 100 bids/s: within the per-bidder rate limit
PASSWORD = "x" * 12


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    ggzy = str(Path(sys.executable).parent / "ggzy")
    process = subprocess.Popen(
        [ggzy, "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{base}/health", timeout=2)
            return base, process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"ggzy serve did not come up on {base}")


BID_PRICE = re.compile(rb'^data: \{[^\n]*"kind": "bid"[^\n]*"price": "([0-9.]+)"', re.MULTILINE)


async def _sse_lines(base: str, path: str, authorization: str) -> AsyncIterator[bytes]:
    """The complete lines of an SSE stream as they arrive, several at a time, read straight off
    the socket: the watchers stand for browsers on other machines, so they must cost this
    machine — which also runs both workers — as little as possible (read through httpx with a
    JSON parse per event, the load generator took 73 % of a core at 500 watchers; 43 % so)."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\nAccept: text/event-stream\r\n\r\n"
    )
    writer.write(request.encode())
    pending = b""
    try:
        while chunk := await reader.read(65536):
            complete, _, pending = (pending + chunk).rpartition(b"\n")
            if complete:
                yield complete
    finally:
        writer.close()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def main(rate: int, seconds: int, watchers: int) -> None:
    async with scratch_database() as url:
        engine = make_engine(url)
        [auction] = await _auctions(make_session_factory(engine), FrozenClock(datetime.now(UTC)), 1, BIDDERS, "H")
        await engine.dispose()
        env = {
            "GGZY_DATABASE_URL": url,
            "GGZY_REDIS_URL": os.environ.get("GGZY_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "GGZY_DATA_DIR": tempfile.mkdtemp(prefix="ggzy-bench-"),
            "GGZY_SECRET_KEY": secrets.token_urlsafe(48),
            "GGZY_SCHEDULER_IN_APP": "0",
        }
        servers = [_serve(env) for _ in range(2)]
        workers = [base for base, _ in servers]
        try:
            await _load(workers, auction, rate, seconds, watchers)
        finally:
            for _, process in servers:
                process.terminate()
                process.wait(timeout=10)


async def _load(workers: list[str], auction: object, rate: int, seconds: int, watchers: int) -> None:
    request_id = auction.request_id  # type: ignore[attr-defined]
    # Idle connections are dropped before the server's keep-alive timeout (uvicorn: 5 s) could
    # close one under a request being sent.
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400, keepalive_expiry=2)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:

        async def login(base: str, username: str) -> dict[str, str]:
            answer = await http.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            answer.raise_for_status()
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        owner = await login(workers[0], "ownerH")
        bidders = [(workers[i % 2], await login(workers[i % 2], f"bidderH0-{i}")) for i in range(BIDDERS)]
        (await http.get(f"{workers[0]}/api/v1/service-requests/{request_id}/auction", headers=owner)).raise_for_status()

        arrivals: list[dict[str, float]] = [{} for _ in range(watchers)]
        connected, all_connected = 0, asyncio.Event()

        async def watch(index: int) -> None:
            nonlocal connected
            base = workers[index % 2]
            path = f"/api/v1/service-requests/{request_id}/auction/events"
            async for lines in _sse_lines(base, path, owner["Authorization"]):
                arrived = time.monotonic()
                if b"event: state" in lines:  # the snapshot: the bids before it are in it
                    connected += 1
                    if connected == watchers:
                        all_connected.set()
                for price in BID_PRICE.findall(lines):
                    arrivals[index][price.decode()] = arrived

        watching = [asyncio.create_task(watch(i)) for i in range(watchers)]
        await asyncio.wait_for(all_connected.wait(), timeout=120)

        acks: dict[str, float] = {}
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        health: list[float] = []

        async def bid(k: int) -> None:
            base, headers = bidders[k % BIDDERS]
            price = str(Decimal("9999000.00") - k)
            sent = time.monotonic()
            answer = await http.post(
                f"{base}/api/v1/service-requests/{request_id}/auction/bids", json={"price": price}, headers=headers
            )
            done = time.monotonic()
            latencies.append(done - sent)
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            if answer.status_code == 200:
                acks[price] = done

        async def probe(k: int) -> None:
            sent = time.monotonic()
            await http.get(f"{workers[k % 2]}/health")
            health.append(time.monotonic() - sent)

        started = time.monotonic()
        tasks = []
        for k in range(rate * seconds):  # open loop: on schedule, whatever the answers
            await asyncio.sleep(max(0.0, started + k / rate - time.monotonic()))
            tasks.append(asyncio.create_task(bid(k)))
            if k % 10 == 0:
                tasks.append(asyncio.create_task(probe(k)))
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
        await asyncio.sleep(2)  # the last events reach the watchers
        for task in watching:
            task.cancel()
        await asyncio.gather(*watching, return_exceptions=True)

    delays = [arrived[price] - acked for arrived in arrivals for price, acked in acks.items() if price in arrived]
    missing = sum(1 for arrived in arrivals for price in acks if price not in arrived)
    print(
        f"{rate} bids/s for {seconds} s ({rate * seconds} bids, sent in {elapsed:.1f} s), {watchers} watchers, "
        f"2 workers; {datetime.now(UTC):%Y-%m-%d}"
    )
    print(f"answers: {dict(sorted(statuses.items()))}  (200 accepted, 422 outbid by a concurrent bid)")
    print(
        f"baseline  GET /health under the load     p50 {statistics.median(health) * 1000:6.1f} ms"
        f"  p99 {_percentile(health, 0.99) * 1000:6.1f} ms"
    )
    print(
        f"bid       POST …/auction/bids            p50 {statistics.median(latencies) * 1000:6.1f} ms"
        f"  p99 {_percentile(latencies, 0.99) * 1000:6.1f} ms   (target p99 ≤ 50 ms)"
    )
    print(
        f"delivery  acknowledged → every watcher   p50 {statistics.median(delays) * 1000:6.1f} ms"
        f"  p99 {_percentile(delays, 0.99) * 1000:6.1f} ms   (target p99 ≤ 500 ms; {missing} never arrived)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--watchers", type=int, default=500)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rate, arguments.seconds, arguments.watchers))
