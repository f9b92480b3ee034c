"""The reference guarantor (`ggzy guarantor serve`): a small guarantor that speaks the platform's
guarantor API (bidding.bonds.guarantee) so that the tests and the demo run against a real
counterpart. It issues a guarantee at once for every application the platform signed (the premium
taken as paid), answers verifications, and records claims and releases once per message key.
It keeps its guarantees in memory: a stand-in, not a guarantor's system."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from litestar import Litestar, get, post
from litestar.exceptions import HTTPException

from bidding.bonds import guarantee as g
from bidding.sealing.receipts import parse_platform_public


def load_or_create_key(path: Path) -> ed25519.Ed25519PrivateKey:
    """The guarantor's Ed25519 signing key (PEM, PKCS#8), made on first use."""
    if not path.exists():
        key = ed25519.Ed25519PrivateKey.generate()
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, ed25519.Ed25519PrivateKey):
        raise click.UsageError(f"{path} is not an Ed25519 private key")
    return loaded


class ReferenceGuarantor:
    def __init__(
        self,
        key: ed25519.Ed25519PrivateKey,
        uscc: str,
        kind: g.GuarantorKind,
        platform_key: ed25519.Ed25519PublicKey | None,
        platform_url: str | None,
    ) -> None:
        self.key, self.uscc, self.kind = key, uscc, kind
        self.platform_key, self.platform_url = platform_key, platform_url
        self.guarantees: dict[str, dict[str, Any]] = {}
        self.answers: dict[str, dict[str, Any]] = {}  # by message key: a repeat gets the same answer
        self.numbers = itertools.count(1)

    def _platform(self) -> ed25519.Ed25519PublicKey:
        if self.platform_key is None and self.platform_url:
            answer = httpx.get(f"{self.platform_url}/api/v1/platform/receipt-key", timeout=10).json()
            self.platform_key = parse_platform_public(answer["public_key"])
        if self.platform_key is None:
            raise HTTPException(status_code=503, detail="the platform's key is not known")
        return self.platform_key

    def _signed(self, kind: g.MessageKind, body: dict[str, Any]) -> dict[str, Any]:
        return g.sign(self.key, kind, self.uscc, datetime.now(UTC), body)

    def handle(self, message: Any) -> dict[str, Any]:
        try:
            body = g.verify(message, self._platform())
        except g.MessageError as exc:
            raise HTTPException(status_code=401, detail=str(exc)) from exc
        kind = message.get("kind")
        if kind == g.MessageKind.application:
            return self._issue(body)
        number = str(body.get("number", ""))
        if kind == g.MessageKind.verification:
            status = self.guarantees.get(number, {}).get("status", "unknown")
            return self._signed(g.MessageKind.verification, {"number": number, "status": status})
        if kind in (g.MessageKind.claim, g.MessageKind.release):
            key = str(body.get("key", ""))
            if key not in self.answers:
                if number in self.guarantees:
                    self.guarantees[number]["status"] = "claimed" if kind == g.MessageKind.claim else "released"
                answer = {"number": number, "key": key, "done": number in self.guarantees}
                if kind == g.MessageKind.claim:
                    answer["paid"] = body.get("amount") if number in self.guarantees else "0.00"
                self.answers[key] = self._signed(g.MessageKind(kind), answer)
            return self.answers[key]
        raise HTTPException(status_code=422, detail=f"unknown message kind {kind!r}")

    def _issue(self, application: dict[str, Any]) -> dict[str, Any]:
        number = f"G{self.uscc[-6:]}{next(self.numbers):06d}"
        body = {
            "number": number,
            "form": g.FORM_OF[self.kind],
            "guarantor": self.uscc,
            "tender": str(application.get("tender", "")),
            "lot": str(application.get("lot", "")),
            "beneficiary": str(application.get("beneficiary", "")),
            "applicant": str(application.get("applicant", "")),
            "amount": str(application.get("amount", "")),
            "valid_from": str(application.get("valid_from") or datetime.now(UTC).date().isoformat()),
            "valid_until": str(application.get("valid_until", "")),
            "issued_at": datetime.now(UTC).isoformat(),
        }
        self.guarantees[number] = {**body, "status": "in_force"}
        return self._signed(g.MessageKind.guarantee, body)


def create_app(guarantor: ReferenceGuarantor) -> Litestar:
    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "guarantor": guarantor.uscc}

    @get("/public-key")
    async def public_key() -> dict[str, str]:
        return {"uscc": guarantor.uscc, "public_key": g.public_key_text(guarantor.key.public_key())}

    @get("/guarantees")
    async def issued() -> list[dict[str, Any]]:
        return list(guarantor.guarantees.values())

    @post("/messages", status_code=200)
    async def messages(data: dict[str, Any]) -> dict[str, Any]:
        return guarantor.handle(data)

    return Litestar([health, public_key, issued, messages])


@click.group()
def guarantor() -> None:
    """The reference guarantor (电子保函) that tests and the demo run beside the platform."""


@guarantor.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8001, type=int)
@click.option("--key", "key_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--uscc", default="91370200MA3C00000X", help="the guarantor's USCC, as registered with the platform")
@click.option("--kind", type=click.Choice([k.value for k in g.GuarantorKind]), default="bank")
@click.option("--platform", "platform_url", default=None, help="the platform's address (its key is fetched from it)")
@click.option("--platform-key", default=None, help="the platform's public key ('ggzy-platform-public/1 …')")
def serve(
    host: str, port: int, key_path: Path, uscc: str, kind: str, platform_url: str | None, platform_key: str | None
) -> None:
    """Serve the reference guarantor's API (POST /messages) until stopped."""
    import uvicorn

    key = load_or_create_key(key_path)
    platform = parse_platform_public(platform_key) if platform_key else None
    app = create_app(ReferenceGuarantor(key, uscc, g.GuarantorKind(kind), platform, platform_url))
    click.echo(f"reference guarantor {uscc} on http://{host}:{port}; public key {g.public_key_text(key.public_key())}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
