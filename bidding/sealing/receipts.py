"""Submission receipts (回执), pure: the platform signs what it received and when, with its own
Ed25519 key, and anyone holding the platform's public key can check a receipt offline.

A receipt is JSON: {"format": "ggzy-receipt/1", "bid", "tender", "bidder", "sha256" (of the
whole file), "payload_sha256" (the signed content's digest, see docs/envelope.md), "size",
"received_at", "platform_key", "signature"}; the signature (base64) covers the canonical JSON
of every other field (sorted keys, no spaces, UTF-8).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from bidding.sealing.keys import KeyFormatError, _b64decode, fingerprint

FORMAT = "ggzy-receipt/1"
PLATFORM_PUBLIC_PREFIX = "ggzy-platform-public/1"


class ReceiptError(ValueError):
    pass


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_receipt(key: ed25519.Ed25519PrivateKey, fields: dict[str, Any]) -> dict[str, Any]:
    body = {"format": FORMAT, **fields, "platform_key": fingerprint(key.public_key().public_bytes_raw())}
    return {**body, "signature": base64.b64encode(key.sign(_canonical(body))).decode()}


def verify_receipt(receipt: dict[str, Any], platform_public: ed25519.Ed25519PublicKey) -> None:
    body = {name: value for name, value in receipt.items() if name != "signature"}
    if body.get("format") != FORMAT:
        raise ReceiptError(f"not a {FORMAT} receipt")
    if body.get("platform_key") != fingerprint(platform_public.public_bytes_raw()):
        raise ReceiptError("this receipt was signed with another platform key")
    try:
        platform_public.verify(base64.b64decode(str(receipt.get("signature", "")), validate=True), _canonical(body))
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise ReceiptError("the receipt's signature does not verify: it was altered or forged") from exc


def platform_public_text(public: ed25519.Ed25519PublicKey) -> str:
    return f"{PLATFORM_PUBLIC_PREFIX} {base64.b64encode(public.public_bytes_raw()).decode()}"


def parse_platform_public(text: str) -> ed25519.Ed25519PublicKey:
    parts = text.strip().split()
    if len(parts) != 2 or parts[0] != PLATFORM_PUBLIC_PREFIX:
        raise KeyFormatError(f"the platform key reads '{PLATFORM_PUBLIC_PREFIX} <base64>'")
    return ed25519.Ed25519PublicKey.from_public_bytes(_b64decode(parts[1], "platform key"))
