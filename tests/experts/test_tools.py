"""The offline tools as a user runs them: `ggzy evaluation compute` on a scoring sheet and
`ggzy draw verify` on a revealed draw, including a tampered snapshot and a wrong seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from experts import draw
from tests.conftest import run_ggzy
from tests.experts.test_draw import PARTIES, RULES, pool

pytestmark = pytest.mark.pure

SHEET = {
    "method": "comprehensive",
    "price": {"formula": "low_price_first", "full": "30", "rounding": "final"},
    "anomaly_threshold": "0.30",
    "candidates": 3,
    "items": [
        {"id": "t1", "max": "40", "group": "technical", "kind": "subjective"},
        {"id": "b1", "max": "10", "group": "business", "kind": "objective"},
        {"id": "q", "kind": "pass_fail"},
    ],
    "bids": [
        {"id": "A", "price": "100.00", "received_at": "2026-12-01T09:00:00+08:00"},
        {"id": "B", "price": "90.00", "received_at": "2026-12-01T09:01:00+08:00"},
        {"id": "C", "price": "120.00", "received_at": "2026-12-01T09:02:00+08:00"},
        {"id": "D", "price": "95.00", "received_at": "2026-12-01T09:03:00+08:00"},
    ],
    "scores": {
        expert: {
            bid: {"t1": t1, "b1": b1, "q": q}
            for bid, t1, b1, q in zip("ABCD", t1s, ["8", "6", "9", "5"], qs, strict=True)
        }
        for expert, t1s, qs in [
            ("e1", ["30", "28", "36", "20"], [True, True, True, False]),
            ("e2", ["32", "28", "38", "20"], [True, True, True, False]),
            ("e3", ["34", "29", "37", "20"], [True, True, False, True]),
        ]
    },
}


def test_evaluation_compute_prints_the_result_computed_by_hand(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.json"
    sheet.write_text(json.dumps(SHEET))
    done = run_ggzy({}, "evaluation", "compute", str(sheet))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["totals"] == {"A": "67.00", "B": "64.33", "C": "68.50"}
    assert result["price_scores"] == {"A": "27.00", "B": "30.00", "C": "22.50"}
    assert result["items"]["B"] == {"t1": "28.33", "b1": "6.00"}
    assert result["ranking"] == ["C", "A", "B"] and result["candidates"] == ["C", "A", "B"]
    assert result["excluded"] == {"D": "failed: q"} and result["anomalies"] == [] and result["ties"] == []


def test_evaluation_compute_lists_every_problem_of_a_bad_sheet(tmp_path: Path) -> None:
    bad = {**SHEET, "method": "auction", "bids": [{"id": "A", "price": "cheap", "received_at": "soon"}]}
    sheet = tmp_path / "bad.json"
    sheet.write_text(json.dumps(bad))
    done = run_ggzy({}, "evaluation", "compute", str(sheet))
    assert done.returncode == 2 and done.stdout == ""
    for where in ("method:", "bids[0].price:", "bids[0].received_at:", "scores.e1.B:"):
        assert where in done.stderr
    (tmp_path / "broken.json").write_text("{")
    assert run_ggzy({}, "evaluation", "compute", str(tmp_path / "broken.json")).returncode == 2


def test_draw_verify_replays_the_draw_and_fails_on_a_changed_byte_or_a_wrong_seed(tmp_path: Path) -> None:
    snapshot_bytes = draw.canonical(draw.snapshot("t-1", RULES, pool(), PARTIES))
    seed = bytes(range(32))
    published = draw.commitment(seed, snapshot_bytes)
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_bytes(snapshot_bytes)
    beacon = ["--entry", "监督随机值 271828", "--head-size", "41", "--head-root", "ab" * 32]
    args = ["draw", "verify", "--snapshot", str(snapshot), "--seed", seed.hex(), "--commitment", published]
    done = run_ggzy({}, *args, *beacon)
    assert done.returncode == 0, done.stderr
    replay = json.loads(done.stdout)
    final = draw.final_seed(seed, draw.Beacon("监督随机值 271828", 41, "ab" * 32))
    expected = draw.outcome_as_dict(draw.draw(json.loads(snapshot_bytes), final))
    assert replay == expected and len(replay["members"]) == 5 and len(replay["reserves"]) == 2
    other_entry = run_ggzy({}, *args, "--entry", "another value", "--head-size", "41", "--head-root", "ab" * 32)
    assert other_entry.returncode == 0 and json.loads(other_entry.stdout) != replay  # the entry moves the draw
    no_beacon = run_ggzy({}, *args)
    assert no_beacon.returncode == 1 and "beacon" in no_beacon.stderr

    snapshot.write_bytes(snapshot_bytes.replace(b"employed_by_bidder", b"employed_by_agency"))
    tampered = run_ggzy({}, *args, *beacon)
    assert tampered.returncode == 1 and "snapshot: its SHA-256" in tampered.stderr

    snapshot.write_bytes(snapshot_bytes)
    wrong_seed = ["draw", "verify", "--snapshot", str(snapshot), "--seed", "00" * 32, "--commitment", published]
    wrong = run_ggzy({}, *wrong_seed, *beacon)
    assert wrong.returncode == 1 and "seed: its SHA-256" in wrong.stderr and "snapshot" not in wrong.stderr
