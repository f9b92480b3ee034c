"""Bonds in tests: a tender that asks a bond, the settlement bank's signed messages (what the
bank's systems send), and the ledger check every bond scenario ends with."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ed25519
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.core.actor import Role
from app.core.settings import Settings, load_or_create_receipt_key
from bidding.bonds import bank
from bidding.bonds import guarantee as g
from bidding.bonds.models import Bond, BondEntry
from bidding.bonds.reference_guarantor import load_or_create_key
from bidding.bonds.rules import ledger_balance
from bidding.bonds.states import BondStatus
from bidding.sealing.receipts import platform_public_text
from tests.bids import Bidder, Tender, published_tender
from tests.conftest import World, login, random_uscc, start_server

BOND = "50000.00"
BOND_TERMS = {"bond_amount": BOND, "bond_forms": ["transfer", "bank_guarantee", "insurance_guarantee"]}
BASIC_ACCOUNT = "6222020200112233445"


async def bond_tender(client: AsyncTestClient[Litestar], world: World, **filing: Any) -> Tender:
    return await published_tender(client, world, **{**BOND_TERMS, **filing})


async def cash_bond(client: AsyncTestClient[Litestar], tender: Tender, bidder: Bidder) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/tenders/{tender.id}/bond",
        json={"form": "transfer", "basic_account": BASIC_ACCOUNT},
        headers=bidder.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def signed(settings: Settings, body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    return raw, {"content-type": "application/json", bank.SIGNATURE_HEADER: bank.signature(settings.bank_secret, raw)}


async def bank_says(client: AsyncTestClient[Litestar], settings: Settings, body: dict[str, Any]) -> Any:
    raw, headers = signed(settings, body)
    return await client.post("/api/v1/bank/notices", content=raw, headers=headers)


def credit(
    sub_account: str, fen: int, at: datetime, payer: str = BASIC_ACCOUNT, ref: str | None = None
) -> dict[str, Any]:
    return {
        "type": "credit",
        "bank_ref": ref or f"B{uuid.uuid4().hex[:16]}",
        "booked_at": at.isoformat(),
        "account": sub_account,
        "counterparty_account": payer,
        "counterparty_name": "投标单位",
        "amount_fen": fen,
    }


async def pending_instructions(client: AsyncTestClient[Litestar], settings: Settings) -> list[dict[str, Any]]:
    raw, headers = signed(settings, {"requested_at": "now"})
    response = await client.post("/api/v1/bank/instructions/pending", content=raw, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["instructions"]  # type: ignore[no-any-return]


async def pay_instructions(client: AsyncTestClient[Litestar], settings: Settings) -> list[dict[str, Any]]:
    """The bank pays every pending refund instruction."""
    paid = await pending_instructions(client, settings)
    for instruction in paid:
        answer = {
            "type": "refund_result",
            "key": instruction["key"],
            "result": "paid",
            "bank_ref": "P" + instruction["key"][-20:],
        }
        response = await bank_says(client, settings, answer)
        assert response.status_code == 200, response.text
    return paid


async def assert_ledgers_balanced(world: World) -> None:
    """Every bond's ledger balances: nothing held for a bond returned, forfeited or closed; a bond
    held holds what it received; a refund paid what was received with its interest."""
    async with world.sessions() as session:
        for bond in await session.scalars(select(Bond)):
            entries = list(await session.scalars(select(BondEntry).where(BondEntry.bond_id == bond.id)))
            pairs = [(e.kind, e.amount) for e in entries]
            balance = ledger_balance(pairs)
            received = sum((a for k, a in pairs if k == "received"), Decimal(0))
            interest = sum((a for k, a in pairs if k == "interest"), Decimal(0))
            refunded = sum((a for k, a in pairs if k == "refunded"), Decimal(0))
            if bond.status in {BondStatus.refunded, BondStatus.forfeited, BondStatus.closed, BondStatus.released}:
                assert balance == 0, (bond.status, pairs)
            else:
                assert balance == received + interest - refunded, (bond.status, pairs)
            if bond.status == BondStatus.refunded:
                assert refunded == received + interest


async def paid_cash_bond(
    client: AsyncTestClient[Litestar], world: World, tender: Tender, bidder: Bidder, at: datetime | None = None
) -> dict[str, Any]:
    """A cash bond opened and paid in full from the bidder's basic account, now (or booked `at`)."""
    bond = await cash_bond(client, tender, bidder)
    booked = at or world.clock.now()
    paid = await bank_says(client, world.settings, credit(bond["sub_account"], int(Decimal(BOND) * 100), booked))
    assert paid.status_code == 200 and paid.json()["matched"], paid.text
    return bond


async def bonds_of(
    client: AsyncTestClient[Litestar], tender_id: str, headers: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """The tender's bonds by bidder's USCC, as a supervisor sees them."""
    bonds = (await client.get(f"/api/v1/tenders/{tender_id}/bonds", headers=headers)).json()["bonds"]
    return {b["bidder"]: b for b in bonds}


@dataclass
class RunningGuarantor:
    """A reference guarantor (`ggzy guarantor serve`) running beside the test's platform."""

    base: str
    key: ed25519.Ed25519PrivateKey
    uscc: str
    kind: str

    def sign(self, kind: str, body: dict[str, Any], key: ed25519.Ed25519PrivateKey | None = None) -> dict[str, Any]:
        return g.sign(key or self.key, g.MessageKind(kind), self.uscc, datetime.now(UTC), body)

    def issued(self) -> list[dict[str, Any]]:
        return httpx.get(f"{self.base}/guarantees", timeout=5).json()  # type: ignore[no-any-return]


def start_guarantor(settings: Settings, tmp: Path, kind: str = "bank") -> tuple[RunningGuarantor, Any]:
    key_path = tmp / f"guarantor-{kind}.pem"
    key = load_or_create_key(key_path)
    platform = platform_public_text(load_or_create_receipt_key(settings.receipt_key_path).public_key())
    uscc = random_uscc()
    base, process = start_server(
        {},
        "guarantor",
        "serve",
        "--key",
        str(key_path),
        "--uscc",
        uscc,
        "--kind",
        kind,
        "--platform-key",
        platform,
    )
    return RunningGuarantor(base, key, uscc, kind), process


async def register(client: AsyncTestClient[Litestar], world: World, guarantor: RunningGuarantor, name: str) -> str:
    admin = await login(client, (await world.user(Role.admin)).username)
    body = {
        "uscc": guarantor.uscc,
        "name": name,
        "kind": guarantor.kind,
        "public_key": g.public_key_text(guarantor.key.public_key()),
        "endpoint": guarantor.base,
    }
    registered = await client.post("/api/v1/guarantors", json=body, headers=admin)
    assert registered.status_code == 201, registered.text
    return registered.json()["id"]  # type: ignore[no-any-return]
