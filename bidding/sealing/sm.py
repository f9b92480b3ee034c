"""国密 primitives for the SM suite, through `cryptography` on the system OpenSSL (no home-made
cipher code): SM3 digests (GB/T 32905—2016) and SM4 in GCM mode (GB/T 32907—2016; GCM as in
GB/T 36624 and RFC 8998), with the same shape as the AES-GCM the envelope uses today (a 96-bit
nonce, a 128-bit tag appended to the ciphertext) so that a suite can swap one for the other.

Issue 32 builds the SM suite of the sealed-bid envelope on these: SM2 for the content key and the
signatures is not here yet (its library is still to be chosen), nor is the envelope's SM layout.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SM4_KEY_BYTES = 16
GCM_NONCE_BYTES = 12
GCM_TAG_BYTES = 16


class SmTagMismatch(ValueError):
    """The ciphertext, its nonce or its associated data were altered (or the key is another)."""


def sm3(data: bytes) -> bytes:
    """The SM3 digest of `data` (32 bytes)."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _check(key: bytes, nonce: bytes) -> None:
    if len(key) != SM4_KEY_BYTES:
        raise ValueError(f"an SM4 key is {SM4_KEY_BYTES} bytes")
    if len(nonce) != GCM_NONCE_BYTES:
        raise ValueError(f"an SM4-GCM nonce is {GCM_NONCE_BYTES} bytes here")


def sm4_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """The ciphertext of `plaintext` under SM4-GCM, its tag appended."""
    _check(key, nonce)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return ciphertext + encryptor.tag


def sm4_gcm_decrypt(key: bytes, nonce: bytes, sealed: bytes, aad: bytes = b"") -> bytes:
    """The plaintext of `sealed` (ciphertext and tag), or SmTagMismatch when anything was altered."""
    _check(key, nonce)
    if len(sealed) < GCM_TAG_BYTES:
        raise SmTagMismatch("shorter than its tag")
    ciphertext, tag = sealed[:-GCM_TAG_BYTES], sealed[-GCM_TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(ciphertext) + decryptor.finalize()
    except Exception as exc:  # cryptography's InvalidTag
        raise SmTagMismatch("the SM4-GCM tag does not verify: altered, or another key") from exc
