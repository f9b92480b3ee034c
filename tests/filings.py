"""Helpers for filing tests: a complete draft relative to the frozen clock, and a desk with an
agency user and a supervisor signed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric import x25519
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.identity.models import Organization, OrgKind, User
from tests.conftest import SHANGHAI, World, login

DOCUMENTS = {
    "construction": ["announcement", "tender_document", "project_approval", "funding_proof", "agency_contract"],
    "government_procurement": ["announcement", "tender_document", "funding_proof", "agency_contract"],
    "other": ["announcement", "tender_document", "agency_contract"],
}


def complete_draft(
    now: datetime, tenderee: Organization, project_type: str = "construction", **changes: Any
) -> dict[str, Any]:
    """A filing that passes every machine check at `now`."""
    local = now.astimezone(SHANGHAI)
    announcement = local.date() + timedelta(days=7)  # time for the officer to decide first
    deadline = datetime.combine(announcement + timedelta(days=25), datetime.min.time(), tzinfo=SHANGHAI) + timedelta(
        hours=9, minutes=30
    )
    draft = {
        "project_name": "江城市第三中学教学楼新建工程",
        "project_type": project_type,
        "project_code": "JC-2026-0918",
        "tenderee_uscc": tenderee.uscc,
        "procurement_method": "open",
        "budget": "12500000.00",
        "announcement_date": announcement.isoformat(),
        "bid_deadline": deadline.isoformat(),
        "opening_time": deadline.isoformat(),
        "evaluation_method": "comprehensive_scoring",
        "committee_size": 7,
        "bid_validity_days": 90,
        "state_funded": True,
    }
    return draft | changes


@dataclass
class Desk:
    client: AsyncTestClient[Litestar]
    world: World
    clock: FrozenClock
    agency: Organization
    tenderee: Organization
    agency_headers: dict[str, str]
    officer_headers: dict[str, str]
    officer_name: str
    custodians: dict[str, tuple[User, x25519.X25519PrivateKey]] = field(default_factory=dict)

    async def new_filing(self, project_type: str = "construction", documents: bool = True, **changes: Any) -> str:
        body = complete_draft(self.clock.now(), self.tenderee, project_type, **changes)
        created = await self.client.post("/api/v1/filings", json=body, headers=self.agency_headers)
        assert created.status_code == 201, created.text
        filing_id: str = created.json()["id"]
        if documents:
            for kind in DOCUMENTS[project_type]:
                await self.upload(filing_id, kind, f"{kind} of {filing_id}".encode())
        return filing_id

    async def upload(self, filing_id: str, kind: str, content: bytes, filename: str = "file.pdf") -> Any:
        return await self.client.post(
            f"/api/v1/filings/{filing_id}/documents?kind={kind}&filename={filename}",
            content=content,
            headers={**self.agency_headers, "content-type": "application/pdf"},
        )

    async def submit(self, filing_id: str) -> Any:
        return await self.client.post(f"/api/v1/filings/{filing_id}/submit", headers=self.agency_headers)

    async def decide(self, filing_id: str, action: str, headers: dict[str, str] | None = None, **body: Any) -> Any:
        return await self.client.post(
            f"/api/v1/filings/{filing_id}/{action}", json=body or None, headers=headers or self.officer_headers
        )


async def open_desk(client: AsyncTestClient[Litestar], world: World, clock: FrozenClock, officer: str = "wang") -> Desk:
    """An agency user and an officer signed in, and the three custodians of opening keys (the
    agency user, the officer, a trading-centre admin) with their custody keys registered."""
    agency = await world.org(OrgKind.agency, "江城建设工程招标代理有限公司")
    tenderee = await world.org(OrgKind.tenderee, "江城市教育局")
    agent = await world.user(Role.agency, agency)
    officer_user = await world.user(Role.supervisor, username=officer)
    centre_admin, centre_key = await world.trading_centre_custodian()
    desk = Desk(
        client,
        world,
        clock,
        agency,
        tenderee,
        await login(client, agent.username),
        await login(client, officer),
        officer,
    )
    desk.custodians = {
        "agency": (agent, await world.custody_key(agent)),
        "supervisor": (officer_user, await world.custody_key(officer_user)),
        "trading_centre": (centre_admin, centre_key),
    }
    return desk
