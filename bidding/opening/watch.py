"""`ggzy opening watch`: the opening room in a terminal, for officers who prefer one and for scripts.

The view is a fold of the opening's server-sent events (`apply`, pure): the stream replays
everything from the start on each connection, so the view is complete however late the watcher
comes. Each event is also printed as one line (time, kind, detail) above the live table, which
is what a script reads; the command exits 0 once the record is published, 1 if the opening fails.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import click
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from app.core.remote import SERVER, USERNAME, Feed, Platform, ServerEvent, sign_in

TERMINAL = frozenset({"record_published", "failed"})


@dataclass(frozen=True)
class BidLine:
    name: str
    uscc: str
    outcome: str = "sealed"  # sealed until read out (opened) or failed
    price: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class OpeningView:
    project: str
    opening_time: str
    status: str = "waiting"  # waiting, collecting, decrypting, record_published, failed
    threshold: int | None = None
    shares: tuple[str, ...] = ()  # the custodians' roles, in the order their shares arrived
    bids: tuple[BidLine, ...] = ()
    failure: str | None = None
    lines: tuple[str, ...] = field(default=())  # one line per event, for the log above the table


def _clock(at: str) -> str:
    return at[11:19] if len(at) >= 19 else at


def _with_bid(bids: tuple[BidLine, ...], uscc: str, **changes: Any) -> tuple[BidLine, ...]:
    return tuple(replace(b, **changes) if b.uscc == uscc else b for b in bids)


def apply(view: OpeningView, message: dict[str, Any]) -> OpeningView:
    """The view after one event of the opening's stream (`{"seq", "kind", "data", "at"}`)."""
    kind, data, at = message["kind"], message.get("data") or {}, _clock(str(message.get("at", "")))
    if kind == "started":
        bids = tuple(BidLine(b["name"], b["uscc"]) for b in data.get("bidders", []))
        view = replace(view, status="collecting", threshold=data.get("threshold"), bids=bids)
        line = f"{at} started: {len(bids)} bid(s), {view.threshold} share(s) needed"
    elif kind == "share_received":
        view = replace(view, shares=(*view.shares, str(data["custodian"])), threshold=data.get("threshold"))
        line = f"{at} share {data['received']}/{data['threshold']} from {data['custodian']}"
    elif kind == "key_rebuilt":
        view = replace(view, status="decrypting")
        line = f"{at} key rebuilt ({data.get('checked_against', '')}); decrypting"
    elif kind == "read_out":
        view = replace(view, bids=_with_bid(view.bids, data["uscc"], outcome="opened", price=data.get("price")))
        line = f"{at} read out: {data['bidder']} {data.get('price')}"
    elif kind == "bid_failed":
        bids = _with_bid(view.bids, data["uscc"], outcome=data.get("outcome", "failed"), reason=data.get("reason"))
        view = replace(view, bids=bids)
        line = f"{at} could not open: {data['bidder']} ({data.get('outcome')}: {data.get('reason')})"
    elif kind == "record_published":
        view = replace(view, status="record_published")
        line = f"{at} record published; bidders respond until {_clock(str(data.get('confirm_until', '')))}"
    elif kind == "record_response":
        line = f"{at} {data['bidder']} {data['response']}"
    elif kind == "failed":
        view = replace(view, status="failed", failure=data.get("reason"))
        line = f"{at} the opening FAILED: {data.get('reason')}"
    else:
        line = f"{at} {kind}"
    return replace(view, lines=(*view.lines, line))


def render(view: OpeningView) -> Group:
    decided = sum(1 for b in view.bids if b.outcome != "sealed")
    heading = Text(f"{view.project} · opening {view.opening_time} · {view.status}", style="bold")
    needed = view.threshold if view.threshold is not None else "?"
    shares = Text(f"shares {len(view.shares)}/{needed}: {', '.join(view.shares) or '—'}")
    progress = Text(f"decrypted {decided} of {len(view.bids)}")
    table = Table("bidder", "outcome", "price (CNY)")
    for bid in view.bids:
        outcome = bid.outcome if bid.reason is None else f"{bid.outcome}: {bid.reason}"
        table.add_row(bid.name, outcome, bid.price or "—")
    parts: list[Any] = [heading, shares, progress, table]
    if view.failure:
        parts.append(Text(f"failed: {view.failure}", style="red"))
    return Group(*parts)


def follow_opening(platform: Platform, tender_id: str, console: Console) -> OpeningView:
    tender = platform.get(f"/api/v1/tenders/{tender_id}")
    view = OpeningView(project=str(tender["project_name"]), opening_time=str(tender["opening_time"]))
    feed = Feed(platform, f"/api/v1/tenders/{tender_id}/opening/events", TERMINAL)
    with Live(render(view), console=console, refresh_per_second=4) as live:
        while True:
            done = feed.ended.is_set()  # read before draining: whatever came before it is drained now
            arrived: list[ServerEvent] = feed.events()
            for event in arrived:
                view = apply(view, event.data)
                live.console.print(view.lines[-1], highlight=False)
            if arrived:
                live.update(render(view))
            if done and not arrived:
                break
            time.sleep(0.2)
    if feed.error:
        raise click.ClickException(feed.error)
    return view


@click.command("watch")
@SERVER
@USERNAME
@click.option("--tender", required=True, help="the tender's id")
def watch(server: str | None, username: str | None, tender: str) -> None:
    """Watch a tender's opening live: shares arriving, decryption, prices read out, the record."""
    if not server or not username:
        raise click.UsageError("give --server and --username")
    view = follow_opening(sign_in(server, username), tender, Console())
    if view.status == "failed":
        raise SystemExit(1)
