"""Signed notes and checkpoints (`app.core.checkpoint`) against the example of Go's
golang.org/x/mod/sumdb/note documentation, and tampering refused."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from app.core.checkpoint import Checkpoint, CheckpointError, sign, sign_note, verifier_key, verify

pytestmark = pytest.mark.pure

# From the note package's documentation: the key pair, the text, and its signed note.
PRIVATE = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
SIGNATURE_LINE = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
)


def test_a_note_signed_as_the_go_note_package_signs_it() -> None:
    seed = base64.b64decode(PRIVATE.split("+", 4)[4])[1:]
    key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    assert verifier_key("PeterNeumann", key.public_key()) == VERIFIER
    note, _ = sign_note(TEXT, "PeterNeumann", key)
    assert note == f"{TEXT}\n{SIGNATURE_LINE}\n"


def test_a_checkpoint_verifies_and_a_changed_one_does_not() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    head = Checkpoint("ggzy.example/audit", 12, bytes(range(32)))
    note, _ = sign(head, key)
    assert note.startswith(
        "ggzy.example/audit\n12\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n\u2014 ggzy.example/audit "
    )
    assert verify(note, "ggzy.example/audit", key.public_key()) == head
    with pytest.raises(CheckpointError, match="does not verify"):
        verify(note.replace("\n12\n", "\n13\n"), "ggzy.example/audit", key.public_key())
    with pytest.raises(CheckpointError, match="no signature"):
        verify(note, "ggzy.example/audit", ed25519.Ed25519PrivateKey.generate().public_key())
    with pytest.raises(CheckpointError):
        verify(note, "other.example/audit", key.public_key())
