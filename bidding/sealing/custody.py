"""Custody of a tender's opening key (开标密钥托管), pure: a k-of-n split with SLIP-39 (Shamir
secret sharing with mnemonic words, via shamir-mnemonic) and the checks of each share handed in.

At publication the opening private key is split into n shares (default 2 of 3: the agency, a
supervision officer, the trading centre) and then forgotten. At the opening each custodian hands
in a share; a corrupted share, one from another tender's set, or a second copy of a share
already counted is refused with its reason. With k shares the key is rebuilt and accepted only
if it matches the published public key.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from dataclasses import dataclass

import shamir_mnemonic
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from shamir_mnemonic.share import Share

from bidding.sealing.keys import OpeningPrivateKey, OpeningPublicKey

# SLIP-39 stretches the secret with PBKDF2 (10,000 × 2^e rounds in total); e = 1 keeps a share's
# check under a second on a modest machine while slowing a guesser down.
ITERATION_EXPONENT = 1


class CustodyError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ShareInfo:
    set_id: int  # SLIP-39 identifier, the same for all shares of one key
    index: int  # which of the n shares
    threshold: int  # k


def split(private: OpeningPrivateKey, threshold: int = 2, custodians: int = 3) -> list[str]:
    """n mnemonics, any k of which rebuild `private`."""
    if not 1 <= threshold <= custodians <= 16:
        raise CustodyError("bad_policy", "need 1 <= k <= n <= 16 custodians")
    [group] = shamir_mnemonic.generate_mnemonics(
        1, [(threshold, custodians)], private.raw, b"", True, ITERATION_EXPONENT
    )
    return list(group)


def read_share(mnemonic: str) -> ShareInfo:
    try:
        share = Share.from_mnemonic(" ".join(mnemonic.split()))
    except shamir_mnemonic.MnemonicError as exc:
        raise CustodyError("corrupted", f"the share cannot be read: {exc}") from exc
    return ShareInfo(share.identifier, share.index, share.member_threshold)


def check_share(mnemonic: str, set_id: int, counted: Iterable[int]) -> ShareInfo:
    """A share fit to be counted for the key of set `set_id`, given the indices already counted."""
    info = read_share(mnemonic)
    if info.set_id != set_id:
        raise CustodyError("wrong_set", "this share belongs to another key: not one of this tender's shares")
    if info.index in set(counted):
        raise CustodyError("duplicate", f"share {info.index + 1} has already been handed in")
    return info


def combine(mnemonics: list[str], published: OpeningPublicKey) -> OpeningPrivateKey:
    """Rebuild the opening key from k shares; it must match the tender's published public key."""
    try:
        secret = shamir_mnemonic.combine_mnemonics([" ".join(m.split()) for m in mnemonics])
    except shamir_mnemonic.MnemonicError as exc:
        raise CustodyError("not_combinable", f"the shares do not combine: {exc}") from exc
    private = OpeningPrivateKey(published.suite, secret)
    try:
        matches = private.public_key() == published
    except ValueError:
        matches = False
    if not matches:
        raise CustodyError("wrong_key", "the shares rebuild a key that is not this tender's opening key")
    return private


# -- shares handed in, at rest ---------------------------------------------------------------------
# Between the first share handed in and the published record, the opening must survive a crash
# (the scheduler resumes it), so handed-in shares are kept; never in clear: each is sealed with
# AES-256-GCM under a key derived from the platform's secret (which is not in the database) and
# bound to the tender, and all are deleted when the record is published.


def _handed_in_key(platform_secret: bytes, tender_id: str) -> bytes:
    info = b"ggzy handed-in share/1 " + tender_id.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(platform_secret)


def seal_handed_in(platform_secret: bytes, tender_id: str, mnemonic: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_handed_in_key(platform_secret, tender_id)).encrypt(nonce, mnemonic.encode(), tender_id.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal_handed_in(platform_secret: bytes, tender_id: str, sealed: str) -> str:
    raw = base64.b64decode(sealed)
    try:
        words = AESGCM(_handed_in_key(platform_secret, tender_id)).decrypt(raw[:12], raw[12:], tender_id.encode())
    except InvalidTag as exc:
        raise CustodyError(
            "share_unreadable", "a handed-in share cannot be unsealed with this platform's secret"
        ) from exc
    return words.decode()
