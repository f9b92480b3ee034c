"""The 国密 primitives against the standards' own vectors and against OpenSSL's command line (a
tool nobody here wrote): SM3 (GB/T 32905—2016 appendix A) and SM4 (GB/T 32907—2016 appendix A);
SM4-GCM's ciphertext equals `openssl enc -sm4-ctr` from the GCM's first counter block, and any
altered byte fails its tag."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bidding.sealing.sm import SmTagMismatch, sm3, sm4_gcm_decrypt, sm4_gcm_encrypt

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


def test_sm3_gives_the_standards_examples() -> None:
    assert sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3(b"abcd" * 16).hex() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_gives_the_standards_example_on_this_machines_openssl() -> None:
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 (the standard's one-block example)
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm3_agrees_with_openssl_dgst() -> None:
    data = os.urandom(100_003)
    answer = subprocess.run([OPENSSL, "dgst", "-sm3", "-r"], input=data, capture_output=True, check=True)
    assert answer.stdout.split()[0].decode() == sm3(data).hex()


def test_sm4_gcm_ciphertext_agrees_with_openssl_and_any_altered_byte_fails() -> None:
    key, nonce, plaintext, aad = os.urandom(16), os.urandom(12), os.urandom(4099), b"header digest"
    sealed = sm4_gcm_encrypt(key, nonce, plaintext, aad)
    assert len(sealed) == len(plaintext) + 16 and sm4_gcm_decrypt(key, nonce, sealed, aad) == plaintext
    # GCM encrypts as CTR from the counter block nonce || 00000002 (NIST SP 800-38D; RFC 8998)
    command = [OPENSSL, "enc", "-sm4-ctr", "-K", key.hex(), "-iv", (nonce + b"\0\0\0\2").hex(), "-nopad"]
    answer = subprocess.run(command, input=plaintext, capture_output=True, check=True)
    assert answer.stdout == sealed[:-16]
    for altered in (
        bytes([sealed[0] ^ 1]) + sealed[1:],
        sealed[:-1] + bytes([sealed[-1] ^ 1]),
    ):
        with pytest.raises(SmTagMismatch):
            sm4_gcm_decrypt(key, nonce, altered, aad)
    with pytest.raises(SmTagMismatch):
        sm4_gcm_decrypt(key, nonce, sealed, b"another header")
    with pytest.raises(SmTagMismatch):
        sm4_gcm_decrypt(os.urandom(16), nonce, sealed, aad)
    with pytest.raises(ValueError, match="16 bytes"):
        sm4_gcm_encrypt(b"short", nonce, plaintext)
