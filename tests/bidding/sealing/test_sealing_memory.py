"""Sealing and opening a 2 GiB document each stay under 64 MiB resident memory.

Both run as their own processes (the bidder's `ggzy seal`, and an opener) so their peak RSS is
their own; the document is a sparse file, so only the sealed file takes disk space.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import GGZY

VECTORS = Path(__file__).parent / "vectors"
LIMIT_MIB = 64
SIZE = 2 * 1024**3

OPENER = """
import base64, sys
from pathlib import Path
from bidding.sealing.envelope import open_envelope
from bidding.sealing.keys import BidderPublicKey, OpeningPrivateKey, OpeningPublicKey
public = OpeningPublicKey.parse(Path(sys.argv[1] + ".pub").read_text())
private = OpeningPrivateKey(public.suite, base64.b64decode(Path(sys.argv[1] + ".secret").read_text()))
class Discard:
    def write(self, data):
        return len(data)
with open(sys.argv[2], "rb") as sealed:
    opened = open_envelope(sealed, tender="big", bidder="914403001922038216", opening_key=private,
        bidder_key=BidderPublicKey.parse(Path(sys.argv[3]).read_text()), document_sink=lambda i, e: Discard())
print(opened.declaration.documents[0].size)
"""


# A forked child's peak RSS counts the image it was forked from, before exec: measured from
# pytest it would include pytest. A small wrapper runs the command and reports its child's peak.
MEASURE = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(f"\\nexit={code} peak_kib={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
"""


def peak_rss_mib(args: list[str]) -> tuple[int, float, str]:
    """Run `args`, returning its exit status, its peak RSS in MiB and its output."""
    result = subprocess.run([sys.executable, "-c", MEASURE, *args], capture_output=True, text=True, check=True)
    output, _, tail = result.stdout.rpartition("\nexit=")
    code, _, peak = tail.strip().partition(" peak_kib=")
    return int(code), int(peak) / 1024, output + result.stderr


def test_a_2_gib_document_seals_and_opens_in_bounded_memory(tmp_path: Path) -> None:
    document = tmp_path / "施工组织设计.pdf"
    with document.open("wb") as handle:
        handle.truncate(SIZE)
    sealed = tmp_path / "bid.sealed"
    status, seal_mib, output = peak_rss_mib(
        [
            GGZY, "seal", "--tender", "big", "--bidder", "914403001922038216",
            "--tender-key", str(VECTORS / "opening-x25519.pub"), "--signing-key", str(VECTORS / "bidder.pem"),
            "--price", "99000000.00", "--document", str(document), "--out", str(sealed),
        ]
    )  # fmt: skip
    assert status == 0, output
    assert sealed.stat().st_size > SIZE
    status, open_mib, output = peak_rss_mib(
        [sys.executable, "-c", OPENER, str(VECTORS / "opening-x25519"), str(sealed), str(VECTORS / "bidder.pub")]
    )
    sealed.unlink()
    assert status == 0, output
    assert output.strip() == str(SIZE)
    assert 10 < seal_mib < LIMIT_MIB, f"sealing peaked at {seal_mib:.1f} MiB"
    assert 10 < open_mib < LIMIT_MIB, f"opening peaked at {open_mib:.1f} MiB"
