"""Opening throughput: seal N bids of M MB, then open them the way the opening does (stream,
verify, decrypt, check, write documents to the blob store) and compare with the raw in-memory
AES-256-GCM + SHA-256 rate of the same bytes, measured in the same run. Prints peak RSS.

    .venv/bin/python -m bench.opening [--bids 100] [--megabytes 50]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.core.blobs import LocalBlobStore
from bidding.bids.models import Bid
from bidding.opening.service import OPENING_WORKERS, Outcome, _open_one
from bidding.sealing.envelope import CHUNK_SIZE, Declaration, seal
from bidding.sealing.keys import OpeningPrivateKey, bidder_public_key, generate_bidder_key

BIDDER = "914403001922038216"


def raw_rate(megabytes: int) -> float:
    """MB/s of AES-256-GCM decryption plus SHA-256 over the same bytes, 64 KiB at a time, in memory."""
    cipher, nonce, chunk = AESGCM(os.urandom(32)), os.urandom(12), os.urandom(CHUNK_SIZE)
    sealed = cipher.encrypt(nonce, chunk, b"")
    rounds = megabytes * 1024 * 1024 // CHUNK_SIZE
    digest = hashlib.sha256()
    started = time.perf_counter()
    for _ in range(rounds):
        digest.update(cipher.decrypt(nonce, sealed, b""))
    return megabytes / (time.perf_counter() - started)


def main(bids: int, megabytes: int, workers: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        document = root / "technical.pdf"
        with document.open("wb") as handle:
            for _ in range(megabytes):
                handle.write(os.urandom(1024 * 1024))
        opening = OpeningPrivateKey.generate()
        signer = generate_bidder_key()
        tender = uuid.uuid4()
        blobs = LocalBlobStore(root / "blobs")
        rows = []
        started = time.perf_counter()
        for _ in range(bids):
            sealed_path = root / f"{uuid.uuid4().hex}.sealed"
            with sealed_path.open("wb") as out:
                inspection = seal(
                    out,
                    tender=str(tender),
                    bidder=BIDDER,
                    opening_key=opening.public_key(),
                    signing_key=signer,
                    declaration=Declaration(Decimal("1000000.00")),
                    documents=[("technical.pdf", lambda: document.open("rb"))],
                    created=datetime.now(UTC),
                )
            with sealed_path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            final = blobs.path(digest)
            final.parent.mkdir(parents=True, exist_ok=True)
            sealed_path.replace(final)
            receipt = {"payload_sha256": inspection.payload_sha256}
            rows.append(Bid(id=uuid.uuid4(), tender_id=tender, bidder_uscc=BIDDER, sha256=digest, receipt=receipt))
        seal_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(lambda bid: _open_one(blobs, bid, opening, bidder_public_key(signer)), rows))
        assert all(r.outcome is Outcome.opened for r in results), [r.reason for r in results]
        open_seconds = time.perf_counter() - started
    baseline = raw_rate(min(megabytes * 4, 2048))
    total = bids * megabytes
    opened = total / open_seconds
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bids={bids} of {megabytes} MB ({total} MB in all), opened by {workers} worker thread(s)")
    print(f"baseline  raw AES-256-GCM + SHA-256 in memory   {baseline:8.1f} MB/s")
    print(f"opening   verify + decrypt + store documents     {opened:8.1f} MB/s  ({opened / baseline:.0%} of baseline)")
    print(f"sealing   (the bidder's side, for reference)     {total / seal_seconds:8.1f} MB/s")
    print(f"peak RSS of this process                         {peak:8.1f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=100)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument(
        "--workers", type=int, default=OPENING_WORKERS, help="bids opened at once (the service opens 2)"
    )
    arguments = parser.parse_args()
    main(arguments.bids, arguments.megabytes, arguments.workers)
