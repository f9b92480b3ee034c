"""The command line as an operator uses it: migrate, create users and orgs, run the demo."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.demo_show import DEFAULT_LEAD_SECONDS, cues
from tests.conftest import run_ggzy, start_server


@pytest.fixture
def fresh_env(tmp_path: Path) -> dict[str, str]:
    """A new installation: an empty data directory, the embedded SQLite default."""
    env = {"GGZY_DATA_DIR": str(tmp_path / "var"), "GGZY_SCRYPT_LOG_N": "12"}
    env.pop("GGZY_DATABASE_URL", None)
    return env


def test_operator_migrates_then_creates_an_org_and_users(fresh_env: dict[str, str]) -> None:
    assert run_ggzy(fresh_env, "db", "upgrade").returncode == 0
    admin = run_ggzy(
        fresh_env, "user", "create", "--username", "root", "--password", "a long password", "--role", "admin"
    )
    assert admin.returncode == 0 and "created user root (admin)" in admin.stdout

    bad_org = run_ggzy(
        fresh_env, "org", "create", "--uscc", "914403001922038217", "--name", "某公司", "--kind", "bidder"
    )
    assert bad_org.returncode == 2
    assert "character 18 (check character) should be '6', got '7'" in bad_org.stderr

    good_org = run_ggzy(
        fresh_env, "org", "create", "--uscc", "914403001922038216", "--name", "某公司", "--kind", "bidder"
    )
    assert good_org.returncode == 0
    bidder = run_ggzy(
        fresh_env, "user", "create", "--username", "li.wei", "--password", "a long password", "--role", "bidder",
        "--org", "914403001922038216",
    )  # fmt: skip
    assert bidder.returncode == 0
    orphan = run_ggzy(
        fresh_env, "user", "create", "--username", "wu.fang", "--password", "a long password", "--role", "bidder"
    )
    assert orphan.returncode == 2 and "org_uscc" in orphan.stderr

    verified = run_ggzy(fresh_env, "audit", "verify")
    assert verified.returncode == 0 and "audit log OK: 3 leaves recomputed" in verified.stdout


def test_demo_loads_once_prints_logins_and_serves(fresh_env: dict[str, str]) -> None:
    loaded = run_ggzy(fresh_env, "demo", "--no-serve")
    assert loaded.returncode == 0, loaded.stderr
    for login in ("admin", "supervisor", "agency1", "agency2", *[f"bidder{i}" for i in range(1, 7)], "expert1"):
        assert login in loaded.stdout
    assert run_ggzy(fresh_env, "demo", "--no-serve").returncode == 0  # a second run changes nothing

    base, server = start_server(fresh_env, "demo", "--no-show")
    try:
        health = httpx.get(f"{base}/health", timeout=5)
        assert health.status_code == 200 and health.json()["database"]["ok"] is True
        token = httpx.post(f"{base}/api/v1/auth/login", json={"username": "bidder1", "password": "ggzy-demo-2026"})
        assert token.status_code == 200
        me = httpx.get(f"{base}/api/v1/users/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        assert me.json()["roles"] == ["bidder"]
        bidder = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert httpx.get(f"{base}/api/v1/orgs", headers=bidder).status_code == 403
        expert = httpx.post(f"{base}/api/v1/auth/login", json={"username": "expert7", "password": "ggzy-demo-2026"})
        profile = httpx.get(
            f"{base}/api/v1/experts/me", headers={"Authorization": f"Bearer {expert.json()['access_token']}"}
        )
        assert profile.json()["specialties"] == ["economics.cost"] and profile.json()["status"] == "active"
        tenders = httpx.get(f"{base}/api/v1/tenders", headers=bidder).json()
        assert [t["project_code"] for t in tenders["items"]] == ["JC-2026-1101"]
        agent = httpx.post(f"{base}/api/v1/auth/login", json={"username": "agency1", "password": "ggzy-demo-2026"})
        agency = {"Authorization": f"Bearer {agent.json()['access_token']}"}
        filings = httpx.get(f"{base}/api/v1/filings", headers=agency).json()["items"]
        assert {f["project_code"]: f["status"] for f in filings} == {
            "JC-2026-1101": "accepted",
            "JC-2026-1102": "submitted",
            "JC-2026-1103": "draft",
        }
        draft = next(f["id"] for f in filings if f["status"] == "draft")
        notice = httpx.post(f"{base}/api/v1/filings/{draft}/submit", headers=agency)
        assert notice.status_code == 422 and len(notice.json()["deficiencies"]) == 4
        [request] = httpx.get(f"{base}/api/v1/service-requests", headers=agency).json()["items"]
        assert request["status"] == "registering" and request["category"] == "COST"
        fourth = httpx.post(
            f"{base}/api/v1/auth/login", json={"username": "intermediary4", "password": "ggzy-demo-2026"}
        )
        joined = httpx.post(
            f"{base}/api/v1/service-requests/{request['id']}/registrations",
            headers={"Authorization": f"Bearer {fourth.json()['access_token']}"},
        )
        assert joined.status_code == 201, joined.text
    finally:
        server.terminate()
        server.wait(timeout=10)

    verified = run_ggzy(fresh_env, "audit", "verify")
    assert verified.returncode == 0 and "audit log OK" in verified.stdout


def test_the_demo_stages_an_opening_and_an_auction_to_watch_minutes_after_start_up(
    fresh_env: dict[str, str], tmp_path: Path
) -> None:
    """Compressed to 15 s: the cast submits three bids, the opening starts, two custodians hand in
    their shares from var/demo-keys/, the bids are read out; two intermediaries bid in the auction."""
    log = tmp_path / "demo.log"
    base, server = start_server(fresh_env, "demo", "--show-in", "15", log=log)
    try:
        printed = log.read_text()
        assert f"watch both in the supervision hall: {base}/console" in printed
        opening = re.search(rf"{base}/console/openings/([0-9a-f-]+)", printed)
        auction = re.search(rf"{base}/console/auctions/([0-9a-f-]+)", printed)
        assert opening and auction, printed
        page = httpx.get(f"{base}/public/tenders/{opening[1]}")
        assert page.status_code == 200 and "演示" in page.text

        officer = httpx.post(f"{base}/api/v1/auth/login", json={"username": "supervisor", "password": "ggzy-demo-2026"})
        headers = {"Authorization": f"Bearer {officer.json()['access_token']}"}
        deadline = time.monotonic() + 90
        state: dict[str, Any] = {}
        while time.monotonic() < deadline and not state.get("record"):
            answer = httpx.get(f"{base}/api/v1/tenders/{opening[1]}/opening/", headers=headers)
            state = answer.json() if answer.status_code == 200 else {}
            time.sleep(1)
        assert state.get("record"), f"no opening record: {state} / {log.read_text()}"
        assert sorted(r["price"] for r in state["results"]) == ["472300.00", "486500.00", "491800.00"]
        assert state["shares_from"] == [] and state["key_rebuilt_at"]  # the shares went with the key

        view = httpx.get(f"{base}/api/v1/service-requests/{auction[1]}/auction", headers=headers).json()
        assert view["standings"] and Decimal(view["standings"][0]["price"]) < Decimal("80000.00")
        assert "demo: supervisor handed in a share (2 of 2)" in log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_shows_cues_open_in_three_minutes_and_extend_the_auction_with_late_bids() -> None:
    start = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    plan = cues(start, DEFAULT_LEAD_SECONDS)
    assert plan.opening == start + timedelta(minutes=3) == plan.bidding_starts
    assert plan.opening < plan.shares[0] < plan.shares[1] < plan.opening + timedelta(minutes=1)
    assert start < plan.registration_closes < plan.bidding_starts < plan.bidding_ends < plan.max_end
    last_two_minutes = [
        at for at in plan.rival_bids if plan.bidding_ends - timedelta(minutes=2) <= at < plan.bidding_ends
    ]
    assert last_two_minutes, "no rival bid falls where it extends the auction"
