"""The verifiable random draw (随机抽取) of an intermediary, pure.

When the request is posted the platform picks a random seed and publishes only its commitment,
SHA-256(seed). After registration closes it draws among the eligible registrants, sorted by
USCC: winner = candidates[int(SHA-256(seed ‖ "|".join(candidates))) mod n], and reveals the
seed. Anyone can then check the commitment and redo the draw; the seed was fixed before anyone
registered, so nobody could steer the outcome by choosing when or in what order to register.
"""

from __future__ import annotations

import hashlib
import secrets


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    return hashlib.sha256(bytes.fromhex(seed)).hexdigest()


def draw(seed: str, candidates: list[str]) -> str:
    if not candidates:
        raise ValueError("a draw needs at least one candidate")
    ordered = sorted(candidates)
    digest = hashlib.sha256(bytes.fromhex(seed) + "|".join(ordered).encode()).digest()
    return ordered[int.from_bytes(digest, "big") % len(ordered)]


def verify(seed: str, published_commitment: str, candidates: list[str], winner: str) -> bool:
    return commitment(seed) == published_commitment and draw(seed, candidates) == winner
