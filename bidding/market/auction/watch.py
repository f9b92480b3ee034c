"""`ggzy auction watch`: a supermarket auction in a terminal — best price, your rank, the time
left, the anonymous standings, extensions as they happen and the result at the close.

The time left is counted from the server's time (the `server_time` of the last view fetched,
advanced by this machine's monotonic clock), never from this machine's wall clock. Each change
is also printed as one line (a new best price, an extension, the close) for scripts; the
command exits once the auction has closed.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import click
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from app.core.remote import SERVER, USERNAME, Feed, Platform, Refused, sign_in

WAIT_SECONDS = 2.0  # between polls while the auction has not begun, and between safety refreshes


def time_left(view: dict[str, Any], server_now: datetime) -> str:
    seconds = max(0, int((datetime.fromisoformat(view["ends_at"]) - server_now).total_seconds()))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """What a script should hear about between two views: a new best price, an extension, the close."""
    lines = []
    best = after["standings"][0] if after["standings"] else None
    old_best = before["standings"][0] if before and before["standings"] else None
    if best and best != old_best:
        lines.append(f"best price {best['price']} ({best['bidder']})")
    if before and datetime.fromisoformat(after["ends_at"]) > datetime.fromisoformat(before["ends_at"]):
        lines.append(f"extended to {after['ends_at'][11:19]}")
    if after.get("winner") and not (before and before.get("winner")):
        lines.append(f"closed: winner {after['winner']} at {after['award_price']} (saved {after['savings']})")
    elif before and after["status"] != before["status"]:
        lines.append(f"status {after['status']}")
    return lines


def render(project: str, view: dict[str, Any] | None, server_now: datetime, waiting_for: str) -> Group:
    if view is None:
        return Group(Text(project, style="bold"), Text(f"waiting: bidding starts at {waiting_for}"))
    standings = view["standings"]
    mine = next((s for s in standings if s["bidder"] == view.get("you")), None)
    summary = Table.grid(padding=(0, 2))
    summary.add_row("best price", standings[0]["price"] if standings else "—")
    summary.add_row("time left", "closed" if view.get("winner") else time_left(view, server_now))
    if view.get("you"):
        summary.add_row("you", f"{view['you']}, rank {mine['rank'] if mine else '—'}")
        summary.add_row("highest acceptable bid", str(view.get("highest_acceptable") or "—"))
    table = Table("rank", "bidder", "price (CNY)")
    for standing in standings:
        table.add_row(str(standing["rank"]), standing["bidder"], str(standing["price"]))
    parts: list[Any] = [Text(f"{project} · {view['status']}", style="bold"), summary, table]
    if view.get("winner"):
        parts.append(Text(f"winner {view['winner']} · award {view['award_price']} · saved {view['savings']}"))
    return Group(*parts)


def follow_auction(platform: Platform, request_id: str, console: Console) -> dict[str, Any]:
    request = platform.get(f"/api/v1/service-requests/{request_id}")
    project, starts = str(request["project_name"]), str(request["bidding_starts"])
    path = f"/api/v1/service-requests/{request_id}/auction"
    view: dict[str, Any] | None = None
    fetched_at, server_at = time.monotonic(), datetime.fromisoformat(starts)
    feed: Feed | None = None

    def server_now() -> datetime:
        return server_at + timedelta(seconds=time.monotonic() - fetched_at)

    with Live(render(project, None, server_now(), starts), console=console, refresh_per_second=4) as live:
        last_fetch = 0.0
        while True:
            arrived = feed.events() if feed else []
            if view is None or arrived or time.monotonic() - last_fetch > WAIT_SECONDS * 5:
                try:
                    fresh = platform.get(path)
                except Refused as exc:
                    if exc.http_status != 404 or view is not None:
                        raise
                    fresh = None
                last_fetch = time.monotonic()
                if fresh is not None:
                    for line in changes(view, fresh):
                        live.console.print(line, highlight=False)
                    view, fetched_at = fresh, time.monotonic()
                    server_at = datetime.fromisoformat(fresh["server_time"])
                    if feed is None:
                        feed = Feed(platform, f"{path}/events", frozenset({"closed"}))
            live.update(render(project, view, server_now(), starts))
            if feed is not None and feed.ended.is_set() and not arrived:  # the close has been fetched
                if feed.error:
                    raise click.ClickException(feed.error)
                assert view is not None
                return view
            time.sleep(0.25 if view is not None else WAIT_SECONDS)


@click.group()
def auction() -> None:
    """Live auctions of the intermediary supermarket (中介超市竞价)."""


@auction.command("watch")
@SERVER
@USERNAME
@click.option("--request", "request_id", required=True, help="the service request's id")
def watch(server: str | None, username: str | None, request_id: str) -> None:
    """Watch an auction live: best price, your rank, the time left, extensions, the result."""
    if not server or not username:
        raise click.UsageError("give --server and --username")
    follow_auction(sign_in(server, username), request_id, Console())
