"""The sealed bid format against its test vectors (tests/vectors/), and its properties:
every broken file is refused with its own reason, by inspection and by opening alike."""

from __future__ import annotations

import base64
import io
import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bidding.sealing.envelope import Declaration, EnvelopeError, inspect, open_envelope, seal
from bidding.sealing.keys import (
    BidderPublicKey,
    OpeningPrivateKey,
    OpeningPublicKey,
    OpeningSuite,
    bidder_public_key,
    generate_bidder_key,
    load_bidder_key_pem,
)

pytestmark = pytest.mark.pure  # pure rules: no database, no web; `scripts/test -m pure`

VECTORS = Path(__file__).parent / "vectors"
MANIFEST = json.loads((VECTORS / "manifest.json").read_text())
BIDDER_KEY = BidderPublicKey.parse((VECTORS / "bidder.pub").read_text())


def _opening(name: str) -> tuple[OpeningPublicKey, OpeningPrivateKey]:
    public = OpeningPublicKey.parse((VECTORS / f"{name}.pub").read_text())
    return public, OpeningPrivateKey(public.suite, base64.b64decode((VECTORS / f"{name}.secret").read_text()))


def _collect() -> tuple[dict[str, io.BytesIO], object]:
    received: dict[str, io.BytesIO] = {}

    def sink(_index: int, entry: object) -> io.BytesIO:
        received[entry.name] = io.BytesIO()  # type: ignore[attr-defined]
        return received[entry.name]  # type: ignore[attr-defined]

    return received, sink


@pytest.mark.parametrize("vector", MANIFEST["vectors"], ids=[v["file"] for v in MANIFEST["vectors"]])
def test_each_vector_is_accepted_or_refused_with_its_own_reason(vector: dict[str, str]) -> None:
    public, private = _opening(vector["opening_key"])
    data = (VECTORS / vector["file"]).read_bytes()
    binding = {"tender": MANIFEST["tender"], "bidder": MANIFEST["bidder"], "bidder_key": BIDDER_KEY}
    received, sink = _collect()
    if vector["expect"] is None:
        inspection = inspect(io.BytesIO(data), opening_key=public, **binding)  # type: ignore[arg-type]
        assert inspection.size == len(data)
        opened = open_envelope(io.BytesIO(data), opening_key=private, document_sink=sink, **binding)  # type: ignore[arg-type]
        assert opened.declaration.price == Decimal(MANIFEST["declaration"]["price"])
        assert opened.declaration.duration_days == MANIFEST["declaration"]["duration_days"]
        assert opened.declaration.credit_commitment.startswith("本单位承诺")
        assert {name: len(buf.getvalue()) for name, buf in received.items()} == {"技术标.pdf": 153_600}
        return
    with pytest.raises(EnvelopeError) as inspected:
        inspect(io.BytesIO(data), opening_key=public, **binding)  # type: ignore[arg-type]
    with pytest.raises(EnvelopeError) as opened_error:
        open_envelope(io.BytesIO(data), opening_key=private, document_sink=sink, **binding)  # type: ignore[arg-type]
    assert inspected.value.code == opened_error.value.code == vector["expect"], str(inspected.value)


def test_the_refusals_are_all_different() -> None:
    codes = [v["expect"] for v in MANIFEST["vectors"] if v["expect"]]
    assert len(codes) == len(set(codes))


def test_a_bid_sealed_to_another_opening_key_is_refused() -> None:
    data = (VECTORS / "good.bid").read_bytes()
    other = OpeningPrivateKey.generate().public_key()
    with pytest.raises(EnvelopeError, match="another opening key") as refused:
        inspect(
            io.BytesIO(data),
            tender=MANIFEST["tender"],
            bidder=MANIFEST["bidder"],
            opening_key=other,
            bidder_key=BIDDER_KEY,
        )
    assert refused.value.code == "wrong_recipient"


def test_the_wrong_tender_is_named_in_the_reason() -> None:
    data = (VECTORS / "wrong-tender.bid").read_bytes()
    public, _ = _opening("opening-x25519")
    with pytest.raises(EnvelopeError, match=f"not for tender {MANIFEST['tender']}"):
        inspect(
            io.BytesIO(data),
            tender=MANIFEST["tender"],
            bidder=MANIFEST["bidder"],
            opening_key=public,
            bidder_key=BIDDER_KEY,
        )


def test_the_committed_signing_key_reads_back() -> None:
    key = load_bidder_key_pem((VECTORS / "bidder.pem").read_bytes())
    assert bidder_public_key(key) == BIDDER_KEY


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=200_000), max_size=3),
    suite=st.sampled_from(list(OpeningSuite)),
    price=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2),
)
def test_any_documents_round_trip(sizes: list[int], suite: OpeningSuite, price: Decimal) -> None:
    opening, signer = OpeningPrivateKey.generate(suite), generate_bidder_key()
    documents = {f"doc{i}.bin": os.urandom(size) for i, size in enumerate(sizes)}
    out = io.BytesIO()
    sealed = seal(
        out,
        tender="t",
        bidder=MANIFEST["bidder"],
        opening_key=opening.public_key(),
        signing_key=signer,
        declaration=Declaration(price),
        documents=[(name, lambda content=content: io.BytesIO(content)) for name, content in documents.items()],
        created=datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert sealed.size == len(out.getvalue())
    received, sink = _collect()
    opened = open_envelope(
        io.BytesIO(out.getvalue()),
        tender="t",
        bidder=MANIFEST["bidder"],
        opening_key=opening,
        bidder_key=bidder_public_key(signer),
        document_sink=sink,  # type: ignore[arg-type]
    )
    assert opened.declaration.price == price
    assert {name: buf.getvalue() for name, buf in received.items()} == documents
    assert opened.inspection.payload_sha256 == sealed.payload_sha256


@pytest.mark.parametrize("vector", [v for v in MANIFEST["vectors"] if v["expect"]], ids=lambda v: v["file"])
def test_opening_against_the_recorded_digest_still_refuses_every_broken_file(vector: dict[str, str]) -> None:
    """The platform opens with the payload digest it recorded at receipt instead of rehashing:
    every broken vector must still be refused."""
    public, private = _opening(vector["opening_key"])
    recorded = inspect(
        io.BytesIO((VECTORS / "good.bid").read_bytes()),
        tender=MANIFEST["tender"],
        bidder=MANIFEST["bidder"],
        opening_key=_opening("opening-x25519")[0],
        bidder_key=BIDDER_KEY,
    ).payload_sha256
    _received, sink = _collect()
    with pytest.raises(EnvelopeError):
        open_envelope(
            io.BytesIO((VECTORS / vector["file"]).read_bytes()),
            tender=MANIFEST["tender"],
            bidder=MANIFEST["bidder"],
            opening_key=private,
            bidder_key=BIDDER_KEY,
            document_sink=sink,  # type: ignore[arg-type]
            signed_payload_sha256=recorded,
        )
    assert public.suite is private.suite
