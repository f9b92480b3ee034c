"""Sealed initial offers of a rounds auction (中介超市竞价的首轮密封报价): what an intermediary
offers while registering stays unreadable until the auction starts.

An offer is sealed at rest with AES-256-GCM under a key derived from the platform's secret (not
in the database) and the request, bound to the request and the organization, so a copy of the
database or a curious administrator reads nothing. What the audit trail keeps is a commitment:
SHA-256 over a random 32-byte salt and the offer, so nobody can test prices against it (a bare
hash of a price is reversed in a fraction of a second); at the start the platform opens every
offer and records the openings (price and salt), against which each commitment can be checked.
Pure: no web, no database.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from decimal import Decimal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SALT_BYTES = 32


class OfferUnreadable(Exception):
    """A sealed offer that this platform's secret does not open (altered, or another platform's)."""


@dataclass(frozen=True)
class SealedOffer:
    sealed: str  # base64 of nonce + ciphertext of salt ‖ price
    commitment: str  # hex SHA-256 over the salt and the offer


@dataclass(frozen=True)
class OpenedOffer:
    price: Decimal
    salt: str  # hex: with the price, opens the commitment


def commitment(request_id: str, org_uscc: str, price: Decimal, salt: bytes) -> str:
    message = b"ggzy initial offer/1\x00" + f"{request_id}\x00{org_uscc}\x00{price:.2f}\x00".encode() + salt
    return hashlib.sha256(message).hexdigest()


def _key(secret: bytes, request_id: str) -> AESGCM:
    info = b"ggzy initial offer key/1 " + request_id.encode()
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret))


def seal(secret: bytes, request_id: str, org_uscc: str, price: Decimal) -> SealedOffer:
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(12)
    bound = f"{request_id}\x00{org_uscc}".encode()
    ciphertext = _key(secret, request_id).encrypt(nonce, salt + f"{price:.2f}".encode(), bound)
    return SealedOffer(base64.b64encode(nonce + ciphertext).decode(), commitment(request_id, org_uscc, price, salt))


def unseal(secret: bytes, request_id: str, org_uscc: str, sealed: str) -> OpenedOffer:
    raw = base64.b64decode(sealed)
    bound = f"{request_id}\x00{org_uscc}".encode()
    try:
        plain = _key(secret, request_id).decrypt(raw[:12], raw[12:], bound)
    except (InvalidTag, ValueError) as exc:
        raise OfferUnreadable(f"the initial offer of {org_uscc} cannot be opened with this platform's secret") from exc
    return OpenedOffer(Decimal(plain[SALT_BYTES:].decode()), plain[:SALT_BYTES].hex())
