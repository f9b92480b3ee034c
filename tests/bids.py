"""Helpers for sealed-bid tests: a published tender and bidders with registered signing keys."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.core.actor import Actor, Role
from app.core.blobs import LocalBlobStore
from app.identity.models import Organization, OrgKind, User
from bidding.filing import service as filings
from bidding.filing.checklist import EvaluationMethod, ProcurementMethod, ProjectType
from bidding.filing.schemas import FilingDraft
from bidding.sealing.envelope import Declaration, seal
from bidding.sealing.keys import OpeningPublicKey, bidder_public_key, decrypt_share, generate_bidder_key
from bidding.tender.models import Tender as TenderRow
from tests.conftest import PASSWORD, SHANGHAI, World, login
from tests.filings import Desk, open_desk

SECRET_DOCUMENT = "施工组织设计：本标段采用装配式钢结构，工期三百六十五日。".encode() * 50


@dataclass
class Bidder:
    org: Organization
    headers: dict[str, str]
    key: ed25519.Ed25519PrivateKey


@dataclass
class Tender:
    id: str
    opening_key: OpeningPublicKey
    desk: Desk


async def published_tender(
    client: AsyncTestClient[Litestar], world: World, desk: Desk | None = None, **filing: Any
) -> Tender:
    desk = desk or await open_desk(client, world, world.clock)
    world.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI))
    filing_id = await desk.new_filing(**filing)
    await desk.submit(filing_id)
    accepted = await desk.decide(filing_id, "accept")
    assert accepted.status_code == 200, accepted.text
    tender_id = str(accepted.json()["tender_id"])
    key = (await client.get(f"/api/v1/tenders/{tender_id}/opening-key", headers=desk.agency_headers)).json()
    return Tender(tender_id, OpeningPublicKey.parse(key["public_key"]), desk)


async def new_bidder(
    client: AsyncTestClient[Litestar], world: World, name: str | None = None, org: Organization | None = None
) -> Bidder:
    """A bidder user (of `org`, or of a new bidder organization) signed in, its signing key registered."""
    org = org or await world.org(OrgKind.bidder, name)
    user = await world.user(Role.bidder, org)
    headers = await login(client, user.username)
    key = generate_bidder_key()
    response = await client.post(
        "/api/v1/keys/bid-signing", json={"public_key": bidder_public_key(key).text()}, headers=headers
    )
    assert response.status_code == 201, response.text
    return Bidder(org, headers, key)


def sealed_file(
    tender_id: str, key: OpeningPublicKey, uscc: str, signing: ed25519.Ed25519PrivateKey, price: str, document: bytes
) -> bytes:
    """A bid sealed as `ggzy seal` would on the bidder's machine, for tests against running servers."""
    out = io.BytesIO()
    seal(
        out,
        tender=tender_id,
        bidder=uscc,
        opening_key=key,
        signing_key=signing,
        declaration=Declaration(Decimal(price), duration_days=365, credit_commitment="本单位承诺所提交材料真实有效。"),
        documents=[("投标文件.pdf", lambda: io.BytesIO(document))],
        created=datetime.now(UTC),
    )
    return out.getvalue()


# What a candidate's publicity shows of its bid (10号令 art. 6), declared in the sealed declaration.
DECLARED = {
    "quality": "合格",
    "project_manager": "张建国",
    "project_manager_certificate": "一级注册建造师 鄂142202012345",
    "qualifications": "建筑工程施工总承包一级；安全生产许可证有效",
}


def sealed_bid(
    tender: Tender, bidder: Bidder, price: str = "8236500.00", document: bytes = SECRET_DOCUMENT, **overrides: Any
) -> bytes:
    out = io.BytesIO()
    seal(
        out,
        tender=overrides.get("tender_id", tender.id),
        bidder=bidder.org.uscc,
        opening_key=tender.opening_key,
        signing_key=overrides.get("signing_key", bidder.key),
        declaration=Declaration(
            Decimal(price),
            duration_days=365,
            fields=overrides.get("fields", DECLARED),
            credit_commitment="本单位承诺所提交材料真实有效。",
        ),
        documents=[("施工组织设计.pdf", lambda: io.BytesIO(document))],
        created=datetime(2026, 12, 1, tzinfo=SHANGHAI),
    )
    return out.getvalue()


async def submit(
    client: AsyncTestClient[Litestar], tender: Tender, bidder: Bidder, data: bytes, consortium: list[str] | None = None
) -> Any:
    return await client.post(
        f"/api/v1/tenders/{tender.id}/bids",
        content=data,
        params={"consortium": consortium} if consortium else None,
        headers={**bidder.headers, "content-type": "application/octet-stream"},
    )


async def _one_chunk(content: bytes) -> Any:
    yield content


async def tender_closing_at(world: World, deadline: datetime, agent: User, officer: User) -> TenderRow:
    """A tender published now (by the world's clock) whose bids close at `deadline`, however
    soon: project type `other` has no minimum bid period. For tests against running servers."""
    tenderee = await world.org(OrgKind.tenderee)
    blobs = LocalBlobStore(world.settings.blob_dir)
    async with world.sessions() as session:
        draft = FilingDraft(
            project_name="限时开标项目",
            project_type=ProjectType.other,
            project_code=f"RT-{deadline:%H%M%S}",
            tenderee_uscc=tenderee.uscc,
            procurement_method=ProcurementMethod.open,
            budget=Decimal("500000.00"),
            announcement_date=deadline.astimezone(SHANGHAI).date(),
            bid_deadline=deadline,
            opening_time=deadline,
            evaluation_method=EvaluationMethod.lowest_evaluated_price,
            committee_size=5,
            bid_validity_days=60,
            state_funded=True,
        )
        filing = await filings.create(session, world.clock, Actor.of(agent), draft)
        for kind in ("announcement", "tender_document", "agency_contract"):
            stored = await blobs.put(_one_chunk(kind.encode()), 1000)
            await filings.add_document(
                session,
                world.clock,
                Actor.of(agent),
                filing.id,
                kind=kind,
                filename=kind,
                content_type="text/plain",
                blob=stored,
            )
        await filings.submit(session, world.clock, Actor.of(agent), filing.id, world.settings.tz)
        return await filings.accept(session, world.clock, Actor.of(officer), filing.id, None, world.settings.tz)


@dataclass
class LiveOpening:
    """A tender against running servers whose bids close in a moment, its two present custodians
    (the agency's and the supervisor's; the trading centre's stays away), and a way in for anyone."""

    world: World
    http: httpx.AsyncClient
    base: str
    tender_id: str
    key: OpeningPublicKey
    deadline: datetime
    agent: User
    officer: User
    custody: list[tuple[User, x25519.X25519PrivateKey]]

    async def bearer(self, username: str) -> dict[str, str]:
        answer = await self.http.post(
            f"{self.base}/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    async def sealed_bidder(self, name: str, price: str) -> tuple[User, bytes]:
        """A bidder with a registered signing key and its bid sealed, not yet submitted."""
        org = await self.world.org(OrgKind.bidder, name)
        user = await self.world.user(Role.bidder, org)
        signing = generate_bidder_key()
        registered = await self.http.post(
            f"{self.base}/api/v1/keys/bid-signing",
            json={"public_key": bidder_public_key(signing).text()},
            headers=await self.bearer(user.username),
        )
        assert registered.status_code == 201, registered.text
        return user, sealed_file(self.tender_id, self.key, org.uscc, signing, price, "报价单".encode() * 50)

    async def submit(self, user: User, data: bytes) -> None:
        """As `ggzy submit` does."""
        url = f"{self.base}/api/v1/tenders/{self.tender_id}/bids"
        submitted = await self.http.post(url, content=data, headers=await self.bearer(user.username))
        assert submitted.status_code == 201, submitted.text

    async def hand_in(self, custodian: User, private: x25519.X25519PrivateKey) -> None:
        """A custodian unseals its share on its machine and hands it in."""
        headers = await self.bearer(custodian.username)
        base = f"{self.base}/api/v1/tenders/{self.tender_id}"
        share = (await self.http.get(f"{base}/custody/share", headers=headers)).json()
        words = decrypt_share(share["encrypted_share"], private, self.tender_id, share["share_index"])
        handed = await self.http.post(f"{base}/opening/shares", json={"share": words}, headers=headers)
        assert handed.status_code == 200, handed.text


async def live_opening(world: World, http: httpx.AsyncClient, base: str, closes_in: timedelta) -> LiveOpening:
    agent = await world.user(Role.agency, await world.org(OrgKind.agency))
    officer = await world.user(Role.supervisor)
    await world.trading_centre_custodian()  # the third custodian, who stays away
    custody = [(agent, await world.custody_key(agent)), (officer, await world.custody_key(officer))]
    deadline = (datetime.now(UTC) + closes_in).replace(microsecond=0)
    tender = await tender_closing_at(world, deadline, agent, officer)
    key = OpeningPublicKey.parse(tender.opening_public_key or "")
    return LiveOpening(world, http, base, str(tender.id), key, deadline, agent, officer, custody)
