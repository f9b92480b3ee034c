"""Write the sealed-bid test vectors in this folder: one good file per suite and broken ones,
each listed in manifest.json with the refusal code any implementation must give.

The keys here are test keys, published on purpose. Run again only to change the format:
    .venv/bin/python -m tests.vectors.make_vectors
"""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from bidding.sealing.envelope import CHUNK_SIZE, MAGIC, SIGN_MARK, TAG_SIZE, Declaration, seal
from bidding.sealing.keys import OpeningPrivateKey, OpeningSuite, bidder_key_pem, bidder_public_key, generate_bidder_key

HERE = Path(__file__).parent
TENDER = "0b6f3c52-7d0e-4c55-9a43-3f0d6a1e2b71"
OTHER_TENDER = "5d2e9a10-41c7-4e0f-8f6b-c2a7d9e31f04"
BIDDER = "914403001922038216"
DOCUMENT = bytes(range(256)) * 600  # 153,600 bytes: three chunks, the last one short
CREATED = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _sealed(opening: OpeningPrivateKey, signer: object, tender: str = TENDER) -> bytes:
    out = io.BytesIO()
    seal(
        out,
        tender=tender,
        bidder=BIDDER,
        opening_key=opening.public_key(),
        signing_key=signer,  # type: ignore[arg-type]
        declaration=Declaration(
            Decimal("8236500.00"),
            duration_days=365,
            fields={"项目经理": "张工"},
            credit_commitment="本单位承诺所提交材料真实有效。",
        ),
        documents=[("技术标.pdf", lambda: io.BytesIO(DOCUMENT))],
        created=CREATED,
    )
    return out.getvalue()


def _first_document_chunk(data: bytes) -> int:
    """Offset of section 1's first chunk head (after the declaration section)."""
    start = data.index(b"SECT", data.index(b"---\n") + 4 + 4)  # the second section mark
    return start + 4 + 1 + 7


def main() -> None:
    opening = OpeningPrivateKey.generate(OpeningSuite.x25519)
    hybrid = OpeningPrivateKey.generate(OpeningSuite.mlkem768x25519)
    bidder, intruder = generate_bidder_key(), generate_bidder_key()
    good = _sealed(opening, bidder)
    head = _first_document_chunk(good)
    full = 9 + CHUNK_SIZE + TAG_SIZE
    reordered = good[:head] + good[head + full : head + 2 * full] + good[head : head + full] + good[head + 2 * full :]
    flipped = bytearray(good)
    flipped[head + 9 + 1000] ^= 0x01
    files = {
        "good.bid": (good, None, "a valid sealed bid"),
        "good-mlkem768x25519.bid": (_sealed(hybrid, bidder), None, "a valid sealed bid, post-quantum hybrid suite"),
        "truncated.bid": (good[: head + full + 5000], "truncated", "cut inside the document's second chunk"),
        "reordered.bid": (reordered, "chunk_reordered", "the document's first two chunks swapped"),
        "bitflip.bid": (bytes(flipped), "content_altered", "one bit flipped in the document's ciphertext"),
        "wrong-tender.bid": (_sealed(opening, bidder, OTHER_TENDER), "wrong_tender", "sealed for another tender"),
        "wrong-bidder-key.bid": (
            _sealed(opening, intruder),
            "wrong_signer",
            "signed with a key the bidder never registered",
        ),
        "unsigned.bid": (good[: good.rindex(SIGN_MARK)], "unsigned", "the signature trailer removed"),
        "not-a-bid.bid": (b"%PDF-1.7\n" + MAGIC[:4], "not_a_sealed_bid", "a plain PDF"),
    }
    for name, (data, _code, _what) in files.items():
        (HERE / name).write_bytes(data)
    (HERE / "opening-x25519.pub").write_text(opening.public_key().text() + "\n")
    (HERE / "opening-x25519.secret").write_text(base64.b64encode(opening.raw).decode() + "\n")
    (HERE / "opening-mlkem768x25519.pub").write_text(hybrid.public_key().text() + "\n")
    (HERE / "opening-mlkem768x25519.secret").write_text(base64.b64encode(hybrid.raw).decode() + "\n")
    (HERE / "bidder.pem").write_bytes(bidder_key_pem(bidder))
    (HERE / "bidder.pub").write_text(bidder_public_key(bidder).text() + "\n")
    manifest = {
        "tender": TENDER,
        "bidder": BIDDER,
        "bidder_key": "bidder.pub",
        "declaration": {
            "price": "8236500.00",
            "duration_days": 365,
            "documents": [{"name": "技术标.pdf", "size": len(DOCUMENT)}],
        },
        "vectors": [
            {
                "file": name,
                "expect": code,
                "what": what,
                "opening_key": "opening-mlkem768x25519" if "mlkem" in name else "opening-x25519",
            }
            for name, (_data, code, what) in files.items()
        ],
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
