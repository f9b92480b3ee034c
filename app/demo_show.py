"""The demo's live show: something to watch minutes after `ggzy demo` starts.

Each start stages a tender whose bids close and whose opening begins `lead` seconds later (a
project of type `other`, which has no minimum bid period) and a supermarket auction whose bidding
runs from then on. A cast of demo users then plays its part through the platform's own API, as
real users would with `ggzy submit` and `ggzy opening share`, with their keys from
<data dir>/demo-keys/: three bidders seal and submit their bids, the agency's and the
supervisor's custodians hand in their shares a little after the opening starts, and two
intermediaries bid against each other (the last bids fall in the final two minutes, so the
auction is extended). intermediary1 is left for the newcomer. The scheduler inside the embedded
app opens the tender, decrypts the bids and closes the auction, as it does for any other.

`cues` is pure: every moment of the show follows from its start and its lead.
"""

from __future__ import annotations

import functools
import io
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.actor import Actor
from app.core.clock import Clock
from app.core.remote import Platform
from app.core.settings import Settings
from app.demo import file_tender, user_named
from bidding.market import requests
from bidding.market.auction.engine import Mode
from bidding.sealing.envelope import Declaration, seal
from bidding.sealing.keys import OpeningPublicKey, decrypt_share, load_bidder_key_pem, load_custody_key_pem
from credit import hooks as credit_hooks

DEFAULT_LEAD_SECONDS = 180  # the opening starts three minutes after start-up

# (bidder, price) sealed by the cast; the opening reads them out in this order of receipt
SHOW_BIDS = [("bidder1", "486500.00"), ("bidder2", "472300.00"), ("bidder3", "491800.00")]
SHOW_CUSTODIANS = ["agency1", "supervisor"]  # two of the three shares rebuild the key
COMMITMENT = "本单位承诺所提交材料真实有效，如有虚假愿承担相应责任。"
SHOW_RIVALS = ["intermediary2", "intermediary3"]  # intermediary1 is the newcomer's


@dataclass(frozen=True)
class Cues:
    """When each part of the show happens (UTC-aware datetimes)."""

    opening: datetime  # bids close and the opening starts
    shares: tuple[datetime, ...]  # each custodian hands in its share
    registration_closes: datetime
    bidding_starts: datetime
    bidding_ends: datetime  # as scheduled; bids in its last two minutes extend it
    max_end: datetime
    rival_bids: tuple[datetime, ...]  # the two rivals bid in turn


def cues(start: datetime, lead_seconds: int) -> Cues:
    lead = timedelta(seconds=lead_seconds)
    opening = start + lead
    bidding_starts, bidding_ends = opening, start + 3 * lead
    return Cues(
        opening=opening,
        shares=tuple(opening + lead / 6 + i * lead / 12 for i in range(len(SHOW_CUSTODIANS))),
        registration_closes=start + lead / 2,
        bidding_starts=bidding_starts,
        bidding_ends=bidding_ends,
        max_end=start + 5 * lead,
        rival_bids=tuple(bidding_starts + i * lead / 4 for i in range(1, 9)),
    )


@dataclass(frozen=True)
class Show:
    tender_id: uuid.UUID
    tender_name: str
    request_id: uuid.UUID
    request_name: str
    cues: Cues


async def stage(session: AsyncSession, clock: Clock, settings: Settings, lead_seconds: int) -> Show:
    """File and publish the show's tender, post its service request and register three
    intermediaries, through the services, as the demo users."""
    start = clock.now()
    plan = cues(start, lead_seconds)
    local = plan.opening.astimezone(settings.tz)
    tender_name = f"江城市第一中学操场改造工程（演示，{local:%H:%M} 开标）"
    tender = await file_tender(session, clock, settings, tender_name, f"DEMO-{local:%m%d%H%M%S}", plan.opening)
    request_name = f"江城市第一中学操场改造工程造价咨询（演示，{local:%H:%M} 起竞价）"
    terms = requests.RequestTerms(
        project_name=request_name,
        category="COST",
        ceiling=Decimal("80000.00"),
        floor=Decimal("30000.00"),
        registration_closes=plan.registration_closes,
        bidding_starts=plan.bidding_starts,
        bidding_ends=plan.bidding_ends,
        max_end=plan.max_end,
        min_participants=3,
        mode=Mode.continuous,
        decrement_amount=Decimal("500.00"),
        decrement_percent=None,
    )
    owner = Actor.of(await user_named(session, "agency1"))
    request = await requests.post_request(session, clock, owner, terms)
    for i in range(1, 4):
        consultant = Actor.of(await user_named(session, f"intermediary{i}"))
        await requests.register(session, clock, consultant, request.id, credit_hooks.gate(settings.tz))
    return Show(tender.id, tender_name, request.id, request_name, plan)


def announce(show: Show, base: str, tz: tzinfo) -> None:
    def at(moment: datetime) -> str:
        return f"{moment.astimezone(tz):%H:%M:%S}"

    c = show.cues
    click.secho("\nThe live show (演示)", bold=True)
    click.echo(f"  watch both in the supervision hall: {base}/console  (sign in as supervisor / the password above)")
    click.echo(f"  the opening of 「{show.tender_name}」 starts at {at(c.opening)}; the custodians hand in")
    click.echo(f"    their shares from {at(c.shares[0])}: {base}/console/openings/{show.tender_id}")
    click.echo(f"  the auction 「{show.request_name}」 bids {at(c.bidding_starts)}–{at(c.bidding_ends)},")
    click.echo(f"    extended by late bids: {base}/console/auctions/{show.request_id}  (bid as intermediary1)")
    click.echo(f"  public pages, no sign-in: {base}/\n")


class Cast:
    """The demo users acting on cue through the HTTP API, in a thread of the `ggzy demo` process."""

    def __init__(self, show: Show, base: str, keys: Path, password: str, clock: Clock, tz: tzinfo) -> None:
        """`clock` is the server's: the cast runs in the `ggzy demo` process, next to the app."""
        self.show, self.base, self.keys, self.password, self.clock, self.tz = show, base, keys, password, clock, tz

    def say(self, line: str) -> None:
        click.echo(line)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._play, name="demo cast", daemon=True)
        thread.start()
        return thread

    def _as(self, username: str) -> Platform:
        return Platform(self.base, username, self.password)

    def _wait_until(self, moment: datetime) -> None:
        while (left := (moment - self.clock.now()).total_seconds()) > 0:
            time.sleep(min(left, 1.0))

    def _play(self) -> None:
        for _ in range(120):  # until the server answers
            try:
                urllib.request.urlopen(self.base + "/health", timeout=2).close()  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        for act in (self._bid, self._hand_in_shares, self._auction):
            try:
                act()
            except Exception as exc:
                self.say(f"demo: {act.__name__.strip('_')} stopped: {exc}")

    def _bid(self) -> None:
        tender = str(self.show.tender_id)
        for username, price in SHOW_BIDS:
            bidder = self._as(username)
            uscc = bidder.get("/api/v1/users/me")["org_uscc"]
            opening_key = OpeningPublicKey.parse(bidder.get(f"/api/v1/tenders/{tender}/opening-key")["public_key"])
            signing = load_bidder_key_pem((self.keys / f"{username}.key").read_bytes())
            document = f"投标文件 · {self.show.tender_name} · {username}".encode()
            out = io.BytesIO()
            seal(
                out,
                tender=tender,
                bidder=uscc,
                opening_key=opening_key,
                signing_key=signing,
                declaration=Declaration(
                    Decimal(price), duration_days=90, credit_commitment="本单位承诺所提交材料真实有效。"
                ),
                documents=[("投标文件.pdf", functools.partial(io.BytesIO, document))],
                created=self.clock.now(),
            )
            bid = bidder.upload_bytes(f"/api/v1/tenders/{tender}/bids", out.getvalue())
            self.say(
                f"demo: {username} sealed its bid on its own machine and submitted it (sha256 {bid['sha256'][:12]}…)"
            )

    def _hand_in_shares(self) -> None:
        tender = str(self.show.tender_id)
        for username, moment in zip(SHOW_CUSTODIANS, self.show.cues.shares, strict=True):
            self._wait_until(moment)
            custodian = self._as(username)
            share = custodian.get(f"/api/v1/tenders/{tender}/custody/share")
            private = load_custody_key_pem((self.keys / f"{username}.key").read_bytes())
            words = decrypt_share(share["encrypted_share"], private, tender, int(share["share_index"]))
            state = custodian.post(f"/api/v1/tenders/{tender}/opening/shares", {"share": words})
            self.say(f"demo: {username} handed in a share ({len(state['shares_from'])} of {state['threshold']})")

    def _auction(self) -> None:
        path = f"/api/v1/service-requests/{self.show.request_id}/auction"
        rivals = [self._as(name) for name in SHOW_RIVALS]
        for turn, moment in enumerate(self.show.cues.rival_bids):
            self._wait_until(moment)
            rival = rivals[turn % len(rivals)]
            view = rival.get(path)
            if view.get("winner") or view.get("highest_acceptable") is None:
                return
            price = Decimal(str(view["highest_acceptable"])) - Decimal(500) * (turn % 3)
            answer = rival.post(f"{path}/bids", {"price": str(price)})
            ends = datetime.fromisoformat(answer["ends_at"]).astimezone(self.tz)
            self.say(f"demo: {SHOW_RIVALS[turn % len(rivals)]} bid {price}; bidding ends {ends:%H:%M:%S}")
