"""Signed tree heads as C2SP checkpoints in C2SP signed notes, pure (Ed25519).

The checkpoint is three lines, each ending in a newline: the log's origin, the tree size in
decimal, the root hash in base64. The signed note appends a blank line and one signature line,
"— <key name> <base64(key id ‖ signature)>", where the key id is the first 4 bytes of
SHA-256(key name ‖ "\\n" ‖ 0x01 ‖ public key) and the signature is Ed25519 over the checkpoint,
so existing checkpoint tooling (golang.org/x/mod/sumdb/note, c2sp.org/tlog-checkpoint) reads it.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519_ALGORITHM = b"\x01"


class CheckpointError(ValueError):
    pass


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def _raw(public: ed25519.Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, public: ed25519.Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519_ALGORITHM + _raw(public)).digest()[:4]


def sign_note(text: str, name: str, key: ed25519.Ed25519PrivateKey) -> tuple[str, bytes]:
    """`text` (ending in a newline) as a signed note by key `name`; and the bare signature."""
    signature = key.sign(text.encode())
    stamp = base64.b64encode(key_id(name, key.public_key()) + signature).decode()
    return f"{text}\n\u2014 {name} {stamp}\n", signature


def sign(checkpoint: Checkpoint, key: ed25519.Ed25519PrivateKey) -> tuple[str, bytes]:
    """The checkpoint as a signed note by the key named after its origin; and the bare signature."""
    return sign_note(checkpoint.text(), checkpoint.origin, key)


def verifier_key(name: str, public: ed25519.Ed25519PublicKey) -> str:
    """The note verifier key string: <name>+<key id hex>+<base64(0x01 ‖ public key)>."""
    return f"{name}+{key_id(name, public).hex()}+{base64.b64encode(ED25519_ALGORITHM + _raw(public)).decode()}"


def verify(note: str, origin: str, public: ed25519.Ed25519PublicKey) -> Checkpoint:
    """The checkpoint of a signed note from `origin`, if `public` signed it; else CheckpointError."""
    text, separator, signatures = note.partition("\n\n")
    if not separator:
        raise CheckpointError("not a signed note: no blank line before the signatures")
    text += "\n"
    lines = text.split("\n")
    if len(lines) < 4 or lines[0] != origin or not lines[1].isdigit():
        raise CheckpointError(f"not a checkpoint of {origin}")
    wanted = key_id(origin, public)
    for line in signatures.splitlines():
        dash, _, rest = line.partition(" ")
        name, _, stamp = rest.partition(" ")
        if dash != "\u2014" or name != origin:
            continue
        try:
            raw = base64.b64decode(stamp, validate=True)
        except ValueError:
            continue
        if raw[:4] != wanted:
            continue
        try:
            public.verify(raw[4:], text.encode())
        except InvalidSignature as exc:
            raise CheckpointError("the signature does not verify") from exc
        return Checkpoint(origin, int(lines[1]), base64.b64decode(lines[2]))
    raise CheckpointError(f"no signature by the key of {origin}")
