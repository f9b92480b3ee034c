"""Helpers for evaluation tests: a pool file, experts signed in, a tender with its committee drawn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.core.actor import Role
from app.identity.models import User
from experts.pool import COLUMNS
from tests.bids import Bidder, Tender, new_bidder, published_tender
from tests.bonds import BOND_TERMS, paid_cash_bond
from tests.conftest import SHANGHAI, World, login, random_uscc
from tests.openings import at_opening_time, bids_in, hand_in, share_words, wait_for
from tests.steps import run_step

TEMPLATE = {
    "method": "comprehensive",
    "price": {"formula": "low_price_first", "full": "30"},
    "items": [
        {"id": "t1", "max": "40", "group": "technical", "kind": "subjective"},
        {"id": "b1", "max": "10", "group": "business", "kind": "objective"},
        {"id": "q", "kind": "pass_fail"},
    ],
}
QUOTAS = [
    {"specialty": "construction.civil", "members": 3, "reserves": 2},
    {"specialty": "economics.cost", "members": 2, "reserves": 1},
]


def row(username: str, specialty: str, employer: str | None = None, **cells: str) -> dict[str, str]:
    base = {
        "username": username,
        "name": f"专家{username}",
        "specialties": specialty,
        "title": "高级工程师",
        "employer_uscc": employer or random_uscc(),
        "region": "420100",
        "birth_date": "1970-05-01",
        "status": "active",
        "suspended_until": "",
        "unavailable": "",
        "field_since": "1995-07-01",
        "title_level": "senior",
    }
    return base | cells


def csv_of(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(COLUMNS), *(",".join(r[c] for c in COLUMNS) for r in rows)]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Scene:
    client: AsyncTestClient[Litestar]
    world: World
    tender: Tender
    bidders: list[Bidder]
    admin_headers: dict[str, str]
    rows: list[dict[str, str]]
    evaluation_on: date
    experts: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> headers

    @property
    def url(self) -> str:
        return f"/api/v1/tenders/{self.tender.id}"

    async def headers_of(self, name: str) -> dict[str, str]:
        """Sign an expert in (an admin sets the password the import left unusable)."""
        if name not in self.experts:
            username = next(r["username"] for r in self.rows if r["name"] == name)
            async with self.world.sessions() as session:
                user_id = await session.scalar(select(User.id).where(User.username == username))
            reset = await self.client.post(
                f"/api/v1/users/{user_id}/password",
                json={"new_password": "专家密码-correct-horse"},
                headers=self.admin_headers,
            )
            assert reset.status_code == 200, reset.text
            self.experts[name] = await login(self.client, username, "专家密码-correct-horse")
        return self.experts[name]

    async def committee(self) -> list[dict[str, Any]]:
        view = await self.client.get(f"{self.url}/committee", headers=self.tender.desk.officer_headers)
        assert view.status_code == 200, view.text
        seats: list[dict[str, Any]] = view.json()["seats"]
        return seats


def standard_pool(scene_tenderee: str, scene_agency: str, bidder: str, evaluation_on: date) -> list[dict[str, str]]:
    """6 civil and 4 cost experts who may sit, and one civil expert per exclusion reason."""
    block = f"{evaluation_on.isoformat()}/{(evaluation_on + timedelta(days=1)).isoformat()}"
    civil = [row(f"civil{i}", "construction.civil.bridges" if i % 2 else "construction.civil") for i in range(1, 7)]
    cost = [row(f"cost{i}", "economics.cost") for i in range(1, 5)]
    excluded = [
        row("x.tenderee", "construction.civil", scene_tenderee),
        row("x.agency", "construction.civil", scene_agency),
        row("x.bidder", "construction.civil", bidder),
        row("x.old", "construction.civil", birth_date="1950-01-01"),
        row("x.dismissed", "construction.civil", status="dismissed"),
        row("x.suspended", "construction.civil", status="suspended", suspended_until="2027-06-01"),
        row("x.away", "construction.civil", unavailable=block),
    ]
    return [*civil, *cost, *excluded]


async def drawn_committee(
    client: AsyncTestClient[Litestar],
    world: World,
    prices: list[str] | None = None,
    bidders: list[Bidder] | None = None,
    consortium: dict[int, list[str]] | None = None,
    template: dict[str, Any] | None = None,
    fields: dict[int, dict[str, str]] | None = None,
    draw_before_opening: timedelta | None = None,
    quotas: list[dict[str, Any]] | None = None,
    representatives: int = 0,
    bonds: bool = False,
    before_bids: Callable[[Tender, list[Bidder]], Awaitable[None]] | None = None,
    **filing: Any,
) -> Scene:
    """A tender (committee of 5, or as many as `quotas` and `representatives` seat; `filing` fields over the complete
    draft) with three bids (or one per price, by `bidders` if given), the pool imported, the
    template set, the draw run at its time: the committee is drawn, the opening not yet held."""
    admin = await world.user(Role.admin)
    admin_headers = await login(client, admin.username)
    quotas = quotas or QUOTAS
    size = sum(q["members"] for q in quotas) + representatives
    tender = await published_tender(
        client, world, committee_size=size, **({**BOND_TERMS, **filing} if bonds else filing)
    )
    if bonds:  # each bidder posts its bond before it bids: in cash, unless `before_bids` says otherwise
        bidders = bidders or [await new_bidder(client, world) for _ in range(len(prices) if prices else 3)]
        if before_bids is None:
            for bidder in bidders:
                await paid_cash_bond(client, world, tender, bidder)
        else:
            await before_bids(tender, bidders)
    bidders = await bids_in(client, world, tender, len(prices) if prices else 3, prices, bidders, consortium, fields)
    detail = (await client.get(f"/api/v1/tenders/{tender.id}", headers=tender.desk.officer_headers)).json()
    opening = datetime.fromisoformat(detail["opening_time"])
    evaluation_on = opening.astimezone(SHANGHAI).date()
    rows = standard_pool(tender.desk.tenderee.uscc, tender.desk.agency.uscc, bidders[0].org.uscc, evaluation_on)
    imported = await client.post(
        "/api/v1/experts/import", content=csv_of(rows), headers={**admin_headers, "content-type": "text/csv"}
    )
    assert imported.status_code == 200, imported.text
    scene = Scene(client, world, tender, bidders, admin_headers, rows, evaluation_on)
    template_set = await client.put(
        f"{scene.url}/evaluation/template", json=template or TEMPLATE, headers=tender.desk.agency_headers
    )
    assert template_set.status_code == 200, template_set.text
    # an hour from now, or `draw_before_opening` before the opening (GP: within 2 working days of the review)
    draw_at = opening - draw_before_opening if draw_before_opening else world.clock.now() + timedelta(hours=1)
    body = {
        "draw_at": draw_at.isoformat(),
        "evaluation_on": evaluation_on.isoformat(),
        "quotas": quotas,
        "representatives": representatives,
    }
    configured = await client.put(f"{scene.url}/draw", json=body, headers=tender.desk.agency_headers)
    assert configured.status_code == 200, configured.text
    assert await draw_at_its_time(client, world, tender, draw_at) == 1
    return scene


BEACON = "监督随机值 271828"


async def draw_at_its_time(
    client: AsyncTestClient[Litestar], world: World, tender: Tender, draw_at: datetime, entry: str = BEACON
) -> int:
    """The draw as the chronograph and the supervisor make it: the commitment the commit lead
    before `draw_at`, the supervisor's entry, then the draw at `draw_at`; how many draws moved."""
    world.clock.set(draw_at - world.settings.draw_commit_lead)
    async with world.sessions() as session:
        assert await run_step(session, world.clock, "expert-draw-commit", world.settings, world.sessions) == 1
    url = f"/api/v1/tenders/{tender.id}/draw/entry"
    entered = await client.post(url, json={"entry": entry}, headers=tender.desk.officer_headers)
    assert entered.status_code == 200, entered.text
    world.clock.set(draw_at)
    async with world.sessions() as session:
        return await run_step(session, world.clock, "expert-draw", world.settings, world.sessions)


async def started_evaluation(scene: Scene, clock: Any) -> None:
    """Hold the opening (both custodians hand in their shares, every bid read out) and start the evaluation."""
    client = scene.client
    await at_opening_time(client, scene.tender, clock)
    for role in ("agency", "supervisor"):
        words, headers = await share_words(client, scene.tender, role)
        await hand_in(client, scene.tender, words, headers)
    await wait_for(client, scene.tender, "read_out")
    started = await client.post(f"{scene.url}/evaluation/start", headers=scene.tender.desk.agency_headers)
    assert started.status_code == 200, started.text


async def scored_and_signed(scene: Scene, heads: list[dict[str, str]], sheet: dict[str, Any]) -> dict[str, Any]:
    """Every member submits `sheet` and signs: the answer of the last signature."""
    for headers in heads:
        saved = await scene.client.put(
            f"{scene.url}/evaluation/scores", json={"scores": sheet, "submit": True}, headers=headers
        )
        assert saved.status_code == 200, saved.text
    signed: Any = None
    for headers in heads:
        signed = await scene.client.post(
            f"{scene.url}/evaluation/signatures", json={"decision": "sign"}, headers=headers
        )
        assert signed.status_code == 200, signed.text
    return signed.json()  # type: ignore[no-any-return]


async def seated_committee(scene: Scene, clock: Any) -> dict[str, dict[str, str]]:
    """Hold the opening, start the evaluation and seat every member (no conflict declared): the
    members' sign-in headers by name."""
    client = scene.client
    await started_evaluation(scene, clock)
    names = [s["name"] for s in await scene.committee() if s["status"] == "drawn"]
    heads = {name: await scene.headers_of(name) for name in names}
    for name in names:
        declared = await client.post(
            f"{scene.url}/evaluation/declaration", json={"conflict": False}, headers=heads[name]
        )
        assert declared.json()["status"] == "seated", declared.text
    return heads


async def signed_report(scene: Scene, clock: Any) -> dict[str, Any]:
    """Hold the opening, run the evaluation with every member declaring no conflict and scoring
    the same sheet (bids ranked by price, no anomaly, no tie), and sign the report: the answer
    of the last signature."""
    client, desk = scene.client, scene.tender.desk
    heads = await seated_committee(scene, clock)
    bids = (await client.get(f"{scene.url}/evaluation", headers=desk.officer_headers)).json()["bids"]
    sheet = {b["bid"]: {"t1": "30", "b1": "8", "q": True} for b in bids}
    return await scored_and_signed(scene, list(heads.values()), sheet)


async def committee_review(scene: Scene, decisions: dict[str, str], reason: str = "复核确认") -> dict[str, Any]:
    """The original committee re-reviews the candidates the credit check flagged: one member
    records each decision (bid -> disqualify | keep), every member signs; the last answer."""
    client = scene.client
    names = [s["name"] for s in await scene.committee() if s["status"] == "seated"]
    heads = [await scene.headers_of(name) for name in names]
    url = f"{scene.url}/evaluation/candidate-review"
    for bid, decision in decisions.items():
        decided = await client.post(
            f"{url}/decisions", json={"bid": bid, "decision": decision, "reason": reason}, headers=heads[0]
        )
        assert decided.status_code == 200, decided.text
    answer: Any = None
    for headers in heads:
        answer = await client.post(f"{url}/signatures", json={"decision": "sign"}, headers=headers)
        assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]
