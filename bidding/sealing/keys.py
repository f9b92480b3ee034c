"""Keys of sealed bidding, pure: the tender's opening key pair (HPKE recipient) in its two
suites, and the bidder's Ed25519 signing key, with their text encodings and fingerprints.

Text forms are one line, so they travel in files, forms and API bodies alike:
    ggzy-opening-public/1 x25519 <base64 raw public key>
    ggzy-opening-public/1 mlkem768x25519 <base64 ML-KEM-768 public key ‖ X25519 public key>
    ggzy-bidder-public/1 <base64 Ed25519 public key>
    ggzy-custody-public/1 <base64 X25519 public key>
A fingerprint is the SHA-256 (hex) of a public key's raw bytes. An opening private key's raw
form (the secret the custodians split) is the X25519 key, or the ML-KEM seed ‖ the X25519 key.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, mlkem, x25519

OPENING_PUBLIC_PREFIX = "ggzy-opening-public/1"
BIDDER_PUBLIC_PREFIX = "ggzy-bidder-public/1"
_MLKEM768_PUBLIC_BYTES, _MLKEM_SEED_BYTES, _X25519_BYTES = 1184, 64, 32


class KeyFormatError(ValueError):
    """A key that cannot be read: the message says what is wrong with it."""


class OpeningSuite(enum.StrEnum):
    x25519 = "x25519"  # DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM
    mlkem768x25519 = "mlkem768x25519"  # ML-KEM-768 + X25519 hybrid (post-quantum), HKDF-SHA256, AES-256-GCM

    @property
    def hpke_suite(self) -> hpke.Suite:
        kem = hpke.KEM.X25519 if self is OpeningSuite.x25519 else hpke.KEM.MLKEM768_X25519
        return hpke.Suite(kem, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


HpkePublicKey = x25519.X25519PublicKey | hpke.MLKEM768X25519PublicKey
HpkePrivateKey = x25519.X25519PrivateKey | hpke.MLKEM768X25519PrivateKey


def fingerprint(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError(f"{what}: not valid base64") from exc


@dataclass(frozen=True)
class OpeningPublicKey:
    suite: OpeningSuite
    raw: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.raw)

    def text(self) -> str:
        return f"{OPENING_PUBLIC_PREFIX} {self.suite} {base64.b64encode(self.raw).decode()}"

    @classmethod
    def parse(cls, text: str) -> OpeningPublicKey:
        parts = text.strip().split()
        if len(parts) != 3 or parts[0] != OPENING_PUBLIC_PREFIX:
            raise KeyFormatError(f"an opening public key reads '{OPENING_PUBLIC_PREFIX} <suite> <base64>'")
        try:
            suite = OpeningSuite(parts[1])
        except ValueError as exc:
            raise KeyFormatError(f"unknown suite {parts[1]!r}: use x25519 or mlkem768x25519") from exc
        key = cls(suite, _b64decode(parts[2], "opening public key"))
        key.hpke_key()  # refuse a key of the wrong length now, not at sealing
        return key

    def hpke_key(self) -> HpkePublicKey:
        try:
            if self.suite is OpeningSuite.x25519:
                return x25519.X25519PublicKey.from_public_bytes(self.raw)
            if len(self.raw) != _MLKEM768_PUBLIC_BYTES + _X25519_BYTES:
                raise ValueError("wrong length")
            return hpke.MLKEM768X25519PublicKey(
                mlkem.MLKEM768PublicKey.from_public_bytes(self.raw[:_MLKEM768_PUBLIC_BYTES]),
                x25519.X25519PublicKey.from_public_bytes(self.raw[_MLKEM768_PUBLIC_BYTES:]),
            )
        except ValueError as exc:
            raise KeyFormatError(f"not a {self.suite} public key ({len(self.raw)} bytes)") from exc


@dataclass(frozen=True)
class OpeningPrivateKey:
    """The tender's opening private key. Never stored: split among custodians at publication."""

    suite: OpeningSuite
    raw: bytes

    @classmethod
    def generate(cls, suite: OpeningSuite = OpeningSuite.x25519) -> OpeningPrivateKey:
        x_raw = x25519.X25519PrivateKey.generate().private_bytes_raw()
        if suite is OpeningSuite.x25519:
            return cls(suite, x_raw)
        return cls(suite, mlkem.MLKEM768PrivateKey.generate().private_bytes_raw() + x_raw)

    def hpke_key(self) -> HpkePrivateKey:
        if self.suite is OpeningSuite.x25519:
            return x25519.X25519PrivateKey.from_private_bytes(self.raw)
        return hpke.MLKEM768X25519PrivateKey(
            mlkem.MLKEM768PrivateKey.from_seed_bytes(self.raw[:_MLKEM_SEED_BYTES]),
            x25519.X25519PrivateKey.from_private_bytes(self.raw[_MLKEM_SEED_BYTES:]),
        )

    def public_key(self) -> OpeningPublicKey:
        key = self.hpke_key()
        if isinstance(key, x25519.X25519PrivateKey):
            return OpeningPublicKey(self.suite, key.public_key().public_bytes_raw())
        mlkem_public = mlkem.MLKEM768PrivateKey.from_seed_bytes(self.raw[:_MLKEM_SEED_BYTES]).public_key()
        x_public = x25519.X25519PrivateKey.from_private_bytes(self.raw[_MLKEM_SEED_BYTES:]).public_key()
        return OpeningPublicKey(self.suite, mlkem_public.public_bytes_raw() + x_public.public_bytes_raw())


@dataclass(frozen=True)
class BidderPublicKey:
    raw: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.raw)

    def text(self) -> str:
        return f"{BIDDER_PUBLIC_PREFIX} {base64.b64encode(self.raw).decode()}"

    @classmethod
    def parse(cls, text: str) -> BidderPublicKey:
        parts = text.strip().split()
        if len(parts) != 2 or parts[0] != BIDDER_PUBLIC_PREFIX:
            raise KeyFormatError(f"a bidder public key reads '{BIDDER_PUBLIC_PREFIX} <base64>'")
        raw = _b64decode(parts[1], "bidder public key")
        if len(raw) != 32:
            raise KeyFormatError(f"an Ed25519 public key has 32 bytes, not {len(raw)}")
        return cls(raw)

    def verifier(self) -> ed25519.Ed25519PublicKey:
        return ed25519.Ed25519PublicKey.from_public_bytes(self.raw)


def generate_bidder_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def bidder_public_key(private: ed25519.Ed25519PrivateKey) -> BidderPublicKey:
    return BidderPublicKey(private.public_key().public_bytes_raw())


def bidder_key_pem(private: ed25519.Ed25519PrivateKey, passphrase: bytes | None = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def load_bidder_key_pem(pem: bytes, passphrase: bytes | None = None) -> ed25519.Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
    except (ValueError, TypeError) as exc:
        raise KeyFormatError(f"cannot read the signing key: {exc}") from exc
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise KeyFormatError("the signing key must be an Ed25519 key (make one with `ggzy keygen`)")
    return key


CUSTODY_PUBLIC_PREFIX = "ggzy-custody-public/1"
_SHARE_SUITE = OpeningSuite.x25519.hpke_suite


@dataclass(frozen=True)
class CustodyPublicKey:
    """A custodian's X25519 key: the tender's key shares are encrypted to it."""

    raw: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.raw)

    def text(self) -> str:
        return f"{CUSTODY_PUBLIC_PREFIX} {base64.b64encode(self.raw).decode()}"

    @classmethod
    def parse(cls, text: str) -> CustodyPublicKey:
        parts = text.strip().split()
        if len(parts) != 2 or parts[0] != CUSTODY_PUBLIC_PREFIX:
            raise KeyFormatError(f"a custody public key reads '{CUSTODY_PUBLIC_PREFIX} <base64>'")
        raw = _b64decode(parts[1], "custody public key")
        if len(raw) != 32:
            raise KeyFormatError(f"an X25519 public key has 32 bytes, not {len(raw)}")
        return cls(raw)


def share_info(tender: str, index: int) -> bytes:
    return f"ggzy-custody/1 tender={tender} share={index}".encode()


def encrypt_share(mnemonic: str, custodian: CustodyPublicKey, tender: str, index: int) -> str:
    recipient = x25519.X25519PublicKey.from_public_bytes(custodian.raw)
    return base64.b64encode(_SHARE_SUITE.encrypt(mnemonic.encode(), recipient, info=share_info(tender, index))).decode()


def decrypt_share(ciphertext: str, private: x25519.X25519PrivateKey, tender: str, index: int) -> str:
    try:
        return _SHARE_SUITE.decrypt(base64.b64decode(ciphertext), private, info=share_info(tender, index)).decode()
    except Exception as exc:  # InvalidTag, ValueError: either way, not for this key
        raise KeyFormatError("this share was not encrypted to this custody key") from exc


def generate_custody_key() -> x25519.X25519PrivateKey:
    return x25519.X25519PrivateKey.generate()


def custody_key_pem(private: x25519.X25519PrivateKey, passphrase: bytes | None = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def load_custody_key_pem(pem: bytes, passphrase: bytes | None = None) -> x25519.X25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
    except (ValueError, TypeError) as exc:
        raise KeyFormatError(f"cannot read the custody key: {exc}") from exc
    if not isinstance(key, x25519.X25519PrivateKey):
        raise KeyFormatError("a custody key is an X25519 key (make one with `ggzy keygen --custody`)")
    return key
