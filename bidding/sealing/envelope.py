"""The sealed bid envelope (数字信封), format `ggzy-sealed-bid/1`, pure. The spec is docs/envelope.md.

A sealed bid is one file: a text header (suite, tender, bidder, time, the recipient and signer
key fingerprints, the HPKE-wrapped file key), then sections — the bid declaration first, then
each document — each encrypted as a stream of 64 KiB AES-256-GCM chunks with a per-section
nonce prefix, the chunk counter and a last-chunk flag in the nonce, then a trailer with the
SHA-256 of everything between header and trailer and the bidder's Ed25519 signature.

Everything streams through fixed-size buffers, so a file of any size seals, inspects and opens
in bounded memory. `inspect` checks a file without any key but the bidder's public one (what
the platform does at submission); `open_envelope` decrypts it with the tender's opening key.
Every refusal is an `EnvelopeError` with a stable `code` and a reason a bidder can act on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO, Protocol

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bidding.sealing.keys import BidderPublicKey, OpeningPrivateKey, OpeningPublicKey, OpeningSuite

VERSION = "ggzy-sealed-bid/1"
MAGIC = (VERSION + "\n").encode()
HEADER_END = b"---\n"
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
PREFIX_SIZE = 7
SECTION_MARK, SIGN_MARK = b"SECT", b"SIGN"
KIND_DECLARATION, KIND_DOCUMENT = 0, 1
MAX_HEADER_BYTES = 16 * 1024
MAX_DECLARATION_BYTES = 1024 * 1024
_CHUNK_HEAD = struct.Struct(">IBI")  # counter, last flag, ciphertext length
_HEADER_FIELDS = ("suite", "tender", "bidder", "created", "recipient", "signer", "key", "sections")


class EnvelopeError(ValueError):
    """Why a file is not an acceptable sealed bid; `code` is stable, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Header:
    suite: OpeningSuite
    tender: str
    bidder: str
    created: datetime
    recipient: str  # fingerprint of the tender's opening public key
    signer: str  # fingerprint of the bidder's signing key
    wrapped_key: bytes
    sections: int
    raw: bytes

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.raw).digest()

    @property
    def hpke_info(self) -> bytes:
        return hpke_info(self.tender, self.bidder)


@dataclass(frozen=True)
class DocumentEntry:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Declaration:
    """The bid declaration (投标函要素) read out at the opening (唱标)."""

    price: Decimal
    currency: str = "CNY"
    duration_days: int | None = None
    fields: dict[str, str] = field(default_factory=dict)
    credit_commitment: str = ""
    documents: tuple[DocumentEntry, ...] = ()

    def to_json(self) -> bytes:
        body = {
            "price": str(self.price),
            "currency": self.currency,
            "duration_days": self.duration_days,
            "fields": self.fields,
            "credit_commitment": self.credit_commitment,
            "documents": [{"name": d.name, "size": d.size, "sha256": d.sha256} for d in self.documents],
        }
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Declaration:
        try:
            body = json.loads(raw)
            price = Decimal(body["price"])
            if not isinstance(body["price"], str) or not price.is_finite() or price <= 0:
                raise ValueError("the price must be a positive decimal string")
            documents = tuple(
                DocumentEntry(str(d["name"]), int(d["size"]), str(d["sha256"])) for d in body["documents"]
            )
            duration = body.get("duration_days")
            return cls(
                price=price,
                currency=str(body.get("currency", "CNY")),
                duration_days=int(duration) if duration is not None else None,
                fields={str(k): str(v) for k, v in dict(body.get("fields", {})).items()},
                credit_commitment=str(body.get("credit_commitment", "")),
                documents=documents,
            )
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise EnvelopeError("declaration_invalid", f"the bid declaration cannot be read: {exc}") from exc


@dataclass(frozen=True)
class Inspection:
    """What the platform learns from a sealed file without decrypting it."""

    header: Header
    payload_sha256: str
    size: int


@dataclass(frozen=True)
class OpenedBid:
    inspection: Inspection
    declaration: Declaration


class DocumentSink(Protocol):
    def write(self, data: bytes, /) -> object: ...


def hpke_info(tender: str, bidder: str) -> bytes:
    return f"{VERSION} tender={tender} bidder={bidder}".encode()


def _section_key(file_key: bytes, prefix: bytes, index: int) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=prefix, info=f"{VERSION} section {index}".encode())
    return AESGCM(hkdf.derive(file_key))


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, int(last))


def _aad(header_digest: bytes, index: int) -> bytes:
    return header_digest + struct.pack(">I", index)


def _signed_message(header_digest: bytes, payload_digest: bytes) -> bytes:
    return f"{VERSION} signature\n".encode() + header_digest + payload_digest


# -- sealing ----------------------------------------------------------------------------------------


def _blocks(reader: BinaryIO) -> Iterator[bytes]:
    while block := reader.read(CHUNK_SIZE):
        yield block


def digest_file(reader: BinaryIO) -> tuple[int, str]:
    """Size and SHA-256 of a document, streamed (the declaration lists both)."""
    digest, size = hashlib.sha256(), 0
    for block in _blocks(reader):
        digest.update(block)
        size += len(block)
    return size, digest.hexdigest()


class _HashingWriter:
    def __init__(self, out: BinaryIO) -> None:
        self.out, self.digest, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.size += len(data)


def _write_section(
    out: _HashingWriter, file_key: bytes, header_digest: bytes, index: int, kind: int, blocks: Iterator[bytes]
) -> None:
    prefix = os.urandom(PREFIX_SIZE)
    cipher, aad = _section_key(file_key, prefix, index), _aad(header_digest, index)
    out.write(SECTION_MARK + bytes([kind]) + prefix)
    counter, current = 0, next(blocks, b"")
    while True:
        following = next(blocks, None)
        last = following is None
        ciphertext = cipher.encrypt(_nonce(prefix, counter, last), current, aad)
        out.write(_CHUNK_HEAD.pack(counter, int(last), len(ciphertext)) + ciphertext)
        if following is None:
            return
        counter, current = counter + 1, following


def seal(
    out: BinaryIO,
    *,
    tender: str,
    bidder: str,
    opening_key: OpeningPublicKey,
    signing_key: ed25519.Ed25519PrivateKey,
    declaration: Declaration,
    documents: list[tuple[str, Callable[[], BinaryIO]]],
    created: datetime,
) -> Inspection:
    """Write a sealed bid to `out`. Each document is (name, opener); it is read twice, once to
    list its size and digest in the declaration and once to encrypt it, never held whole."""
    entries = []
    for name, opener in documents:
        with opener() as reader:
            size, sha256 = digest_file(reader)
        entries.append(DocumentEntry(name, size, sha256))
    declaration = Declaration(
        declaration.price,
        declaration.currency,
        declaration.duration_days,
        declaration.fields,
        declaration.credit_commitment,
        tuple(entries),
    )
    file_key = os.urandom(32)
    wrapped = opening_key.suite.hpke_suite.encrypt(file_key, opening_key.hpke_key(), info=hpke_info(tender, bidder))
    signer = BidderPublicKey(signing_key.public_key().public_bytes_raw())
    values = {
        "suite": opening_key.suite.value,
        "tender": tender,
        "bidder": bidder,
        "created": created.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "recipient": opening_key.fingerprint,
        "signer": signer.fingerprint,
        "key": base64.b64encode(wrapped).decode(),
        "sections": str(1 + len(documents)),
    }
    header = MAGIC + "".join(f"{name}: {values[name]}\n" for name in _HEADER_FIELDS).encode() + HEADER_END
    header_digest = hashlib.sha256(header).digest()
    out.write(header)
    payload = _HashingWriter(out)
    json_blocks = (block for block in [declaration.to_json()])
    _write_section(payload, file_key, header_digest, 0, KIND_DECLARATION, json_blocks)
    for index, (_name, opener) in enumerate(documents, start=1):
        with opener() as reader:
            _write_section(payload, file_key, header_digest, index, KIND_DOCUMENT, _blocks(reader))
    payload_digest = payload.digest.digest()
    out.write(SIGN_MARK + payload_digest + signing_key.sign(_signed_message(header_digest, payload_digest)))
    parsed = _parse_header(header)
    return Inspection(parsed, payload_digest.hex(), len(header) + payload.size + len(SIGN_MARK) + 32 + 64)


# -- reading ----------------------------------------------------------------------------------------


def _parse_header(raw: bytes) -> Header:
    lines = raw[len(MAGIC) : -len(HEADER_END)].decode("ascii", errors="replace").split("\n")[:-1]
    if [line.split(": ", 1)[0] for line in lines] != list(_HEADER_FIELDS):
        raise EnvelopeError("bad_header", f"the header must list {', '.join(_HEADER_FIELDS)}, in that order")
    values = dict(line.split(": ", 1) for line in lines)
    try:
        suite = OpeningSuite(values["suite"])
        created = datetime.fromisoformat(values["created"])
        wrapped = base64.b64decode(values["key"], validate=True)
        sections = int(values["sections"])
    except (ValueError, binascii.Error) as exc:
        raise EnvelopeError("bad_header", f"the header cannot be read: {exc}") from exc
    if sections < 1 or created.tzinfo is None:
        raise EnvelopeError("bad_header", "the header needs at least one section and a UTC creation time")
    return Header(
        suite,
        values["tender"],
        values["bidder"],
        created,
        values["recipient"],
        values["signer"],
        wrapped,
        sections,
        raw,
    )


class _CountingReader:
    """Counts the bytes read, so the size of a streamed file is known without a second look."""

    def __init__(self, reader: BinaryIO) -> None:
        self.reader, self.count = reader, 0

    def read(self, size: int) -> bytes:
        data = self.reader.read(size)
        self.count += len(data)
        return data

    def readline(self, limit: int) -> bytes:
        data = self.reader.readline(limit)
        self.count += len(data)
        return data


def read_header(reader: BinaryIO | _CountingReader) -> Header:
    first = reader.readline(len(MAGIC))
    if first != MAGIC:
        raise EnvelopeError("not_a_sealed_bid", f"not a sealed bid: a sealed bid starts with '{VERSION}'")
    raw = first
    while not raw.endswith(b"\n" + HEADER_END):
        line = reader.readline(MAX_HEADER_BYTES)
        if not line:
            raise EnvelopeError("truncated", "the file ends inside its header")
        raw += line
        if len(raw) > MAX_HEADER_BYTES:
            raise EnvelopeError("bad_header", f"the header is longer than {MAX_HEADER_BYTES} bytes")
    return _parse_header(raw)


def _read_exactly(reader: _CountingReader, size: int, hasher: Any, what: str) -> bytes:
    data = reader.read(size)
    if len(data) != size:
        raise EnvelopeError("truncated", f"the file is truncated: it ends inside {what}")
    if hasher is not None:
        hasher.update(data)
    return data


@dataclass(frozen=True)
class _Chunk:
    section: int
    kind: int
    prefix: bytes
    counter: int
    last: bool
    ciphertext: bytes


def _chunks(reader: _CountingReader, header: Header, hasher: Any) -> Iterator[_Chunk]:
    """Every chunk in file order, with structure checked as it goes: section marks, chunk order,
    sizes, last-chunk flags, the number of sections. Hashes the payload into `hasher` (or not,
    when it is None)."""
    for index in range(header.sections):
        mark = reader.read(len(SECTION_MARK))
        if mark != SECTION_MARK:
            if not mark or mark == SIGN_MARK:
                raise EnvelopeError(
                    "truncated", f"the file has {index} section(s), its header announces {header.sections}"
                )
            raise EnvelopeError("bad_frame", f"section {index} does not start with a section mark")
        if hasher is not None:
            hasher.update(mark)
        head = _read_exactly(reader, 1 + PREFIX_SIZE, hasher, f"the head of section {index}")
        kind, prefix = head[0], head[1:]
        if kind != (KIND_DECLARATION if index == 0 else KIND_DOCUMENT):
            raise EnvelopeError(
                "bad_frame", f"section {index} has kind {kind}: the declaration comes first, documents after"
            )
        expected = 0
        while True:
            counter, last, length = _CHUNK_HEAD.unpack(
                _read_exactly(reader, _CHUNK_HEAD.size, hasher, f"section {index} before its last chunk")
            )
            if counter != expected:
                raise EnvelopeError(
                    "chunk_reordered", f"section {index}: chunk {counter} stands where chunk {expected} belongs"
                )
            if length > CHUNK_SIZE + TAG_SIZE or length < TAG_SIZE or last > 1:
                raise EnvelopeError("bad_frame", f"section {index}, chunk {counter}: impossible length {length}")
            ciphertext = _read_exactly(reader, length, hasher, f"section {index}, chunk {counter}")
            if not last and length != CHUNK_SIZE + TAG_SIZE:
                raise EnvelopeError("bad_frame", f"section {index}, chunk {counter}: only the last chunk may be short")
            yield _Chunk(index, kind, prefix, counter, bool(last), ciphertext)
            if last:
                break
            expected += 1


def _check_trailer(reader: _CountingReader, header: Header, payload_digest: bytes, bidder_key: BidderPublicKey) -> None:
    mark = reader.read(len(SIGN_MARK))
    if not mark:
        raise EnvelopeError("unsigned", "the file carries no signature: sign it with `ggzy seal`")
    trailer = reader.read(32 + 64)
    if mark != SIGN_MARK or len(trailer) != 96:
        raise EnvelopeError("unsigned", "the signature trailer is missing or cut short")
    if reader.read(1):
        raise EnvelopeError("bad_frame", "there are bytes after the signature")
    signed_digest, signature = trailer[:32], trailer[32:]
    if signed_digest != payload_digest:
        raise EnvelopeError("content_altered", "the encrypted content does not match the signed digest: it was altered")
    if header.signer != bidder_key.fingerprint:
        raise EnvelopeError(
            "wrong_signer",
            f"signed with key {header.signer[:16]}…, but the bidder's registered key is {bidder_key.fingerprint[:16]}…",
        )
    try:
        bidder_key.verifier().verify(signature, _signed_message(header.digest, payload_digest))
    except InvalidSignature as exc:
        raise EnvelopeError("bad_signature", "the signature does not verify with the bidder's registered key") from exc


def _check_binding(header: Header, tender: str, bidder: str, opening_key: OpeningPublicKey) -> None:
    if header.tender != tender:
        raise EnvelopeError("wrong_tender", f"sealed for tender {header.tender}, not for tender {tender}")
    if header.bidder != bidder:
        raise EnvelopeError("wrong_bidder", f"sealed by bidder {header.bidder}, not by {bidder}")
    if header.recipient != opening_key.fingerprint or header.suite != opening_key.suite:
        raise EnvelopeError("wrong_recipient", "sealed to another opening key than this tender's published one")


def inspect(
    reader: BinaryIO, *, tender: str, bidder: str, opening_key: OpeningPublicKey, bidder_key: BidderPublicKey
) -> Inspection:
    """Check a sealed bid without decrypting it: format, binding to this tender and bidder and
    opening key, structure, integrity and the bidder's signature."""
    counted = _CountingReader(reader)
    header = read_header(counted)
    _check_binding(header, tender, bidder, opening_key)
    hasher = hashlib.sha256()
    for _chunk in _chunks(counted, header, hasher):
        pass
    payload_digest = hasher.digest()
    _check_trailer(counted, header, payload_digest, bidder_key)
    return Inspection(header, payload_digest.hex(), counted.count)


def open_envelope(
    reader: BinaryIO,
    *,
    tender: str,
    bidder: str,
    opening_key: OpeningPrivateKey,
    bidder_key: BidderPublicKey,
    document_sink: Callable[[int, DocumentEntry], DocumentSink],
    signed_payload_sha256: str | None = None,
) -> OpenedBid:
    """Decrypt a sealed bid in one streaming pass. Documents go to the sinks as they decrypt;
    if this raises, whatever a sink received must be discarded by the caller.

    With `signed_payload_sha256` (the payload digest recorded when the file was inspected and
    receipted), the ciphertext is not hashed again: every chunk is authenticated by AES-GCM under
    a key bound to this header, the header's digest is in every chunk's associated data and in
    the signature, so any change to the file still fails (docs/envelope.md, "Opening")."""
    counted = _CountingReader(reader)
    header = read_header(counted)
    public = opening_key.public_key()
    _check_binding(header, tender, bidder, public)
    try:
        file_key = header.suite.hpke_suite.decrypt(header.wrapped_key, opening_key.hpke_key(), info=header.hpke_info)
    except (InvalidTag, ValueError) as exc:
        raise EnvelopeError("key_unwrap_failed", "the file key does not open with this tender's opening key") from exc
    hasher = None if signed_payload_sha256 else hashlib.sha256()
    declaration_bytes = bytearray()
    declaration: Declaration | None = None
    cipher: AESGCM | None = None
    sink: DocumentSink | None = None
    document_digest = hashlib.sha256()
    document_size = 0
    for chunk in _chunks(counted, header, hasher):
        if chunk.counter == 0:
            cipher = _section_key(file_key, chunk.prefix, chunk.section)
            if chunk.section > 0:
                assert declaration is not None
                if chunk.section > len(declaration.documents):
                    raise EnvelopeError("bad_frame", "the file holds more documents than its declaration lists")
                sink = document_sink(chunk.section, declaration.documents[chunk.section - 1])
                document_digest, document_size = hashlib.sha256(), 0
        assert cipher is not None
        try:
            plaintext = cipher.decrypt(
                _nonce(chunk.prefix, chunk.counter, chunk.last), chunk.ciphertext, _aad(header.digest, chunk.section)
            )
        except InvalidTag as exc:
            raise EnvelopeError(
                "content_altered",
                f"section {chunk.section}, chunk {chunk.counter} fails authentication: it was altered",
            ) from exc
        if chunk.section == 0:
            declaration_bytes += plaintext
            if len(declaration_bytes) > MAX_DECLARATION_BYTES:
                raise EnvelopeError("declaration_invalid", "the declaration is larger than 1 MiB")
            if chunk.last:
                declaration = Declaration.from_json(bytes(declaration_bytes))
                if len(declaration.documents) != header.sections - 1:
                    raise EnvelopeError(
                        "bad_frame", "the declaration lists another number of documents than the file holds"
                    )
            continue
        assert sink is not None and declaration is not None
        sink.write(plaintext)
        document_digest.update(plaintext)
        document_size += len(plaintext)
        if chunk.last:
            entry = declaration.documents[chunk.section - 1]
            if (document_size, document_digest.hexdigest()) != (entry.size, entry.sha256):
                raise EnvelopeError(
                    "document_mismatch", f"document {entry.name!r} differs from its entry in the declaration"
                )
    payload_digest = hasher.digest() if hasher is not None else bytes.fromhex(signed_payload_sha256 or "")
    _check_trailer(counted, header, payload_digest, bidder_key)
    assert declaration is not None
    return OpenedBid(Inspection(header, payload_digest.hex(), counted.count), declaration)
