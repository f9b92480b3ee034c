"""The bidders' and custodians' tools against a running platform (embedded mode, real clock):
keygen, seal with the tender key fetched from the server, submit, verify the receipt, fetch a
share, and hand shares in at the opening, which the in-app scheduler starts on time."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.actor import Role
from app.core.clock import FrozenClock
from app.core.settings import Settings
from app.identity.models import OrgKind
from bidding.sealing.keys import custody_key_pem
from tests.bids import tender_closing_at
from tests.conftest import PASSWORD, World, in_thread, run_ggzy, start_server


async def _prepare(
    settings: Settings, tmp_path: Path, deadline: datetime
) -> tuple[str, Any, Any, dict[str, Path], list[Any]]:
    """A tender open for bids until `deadline`, its custodians with key files, three bidders."""
    clock = FrozenClock(datetime.now(UTC))
    world = World(settings, clock)
    agency = await world.org(OrgKind.agency)
    agent, officer = await world.user(Role.agency, agency), await world.user(Role.supervisor)
    await world.trading_centre_custodian()
    keys = {}
    for user in (agent, officer):
        path = tmp_path / f"{user.username}.key"
        path.write_bytes(custody_key_pem(await world.custody_key(user)))
        keys[user.username] = path
    tender_id = str((await tender_closing_at(world, deadline, agent, officer)).id)
    bidders = []
    for _ in range(3):
        org = await world.org(OrgKind.bidder)
        bidders.append((org, await world.user(Role.bidder, org)))
    await world.close()
    return tender_id, agent, officer, keys, bidders


@pytest.mark.parametrize("backend", ["sqlite"])
def test_bidders_and_custodians_use_their_tools_end_to_end(backend: str, settings: Settings, tmp_path: Path) -> None:
    deadline = (datetime.now(UTC) + timedelta(seconds=20)).replace(microsecond=0)
    tender_id, agent, officer, keys, bidders = in_thread(asyncio.run, _prepare(settings, tmp_path, deadline))
    env = {
        "GGZY_DATABASE_URL": settings.database_url,
        "GGZY_DATA_DIR": str(settings.data_dir),
        "GGZY_SECRET_KEY": settings.secret_key,
        "GGZY_PASSWORD": PASSWORD,
        "GGZY_TREE_HEAD_SECONDS": "1",  # the log's heads follow the bids closely
    }
    base, server = start_server(env)
    try:
        document = tmp_path / "商务标.pdf"
        document.write_bytes(b"business proposal " * 1000)
        for i, (org, user) in enumerate(bidders):
            stem = tmp_path / f"bidder{i}"
            assert run_ggzy(env, "keygen", "--out", str(stem)).returncode == 0
            token = httpx.post(
                f"{base}/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
            ).json()["access_token"]
            registered = httpx.post(
                f"{base}/api/v1/keys/bid-signing",
                json={"public_key": Path(f"{stem}.pub").read_text()},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert registered.status_code == 201
            sealed, receipt = tmp_path / f"bid{i}.sealed", tmp_path / f"receipt{i}.json"
            login = ["--server", base, "--username", user.username]
            result = run_ggzy(
                env,
                "seal",
                *login,
                "--tender",
                tender_id,
                "--bidder",
                org.uscc,
                "--signing-key",
                f"{stem}.key",
                "--price",
                f"45000{i}.00",
                "--document",
                str(document),
                "--out",
                str(sealed),
            )
            assert result.returncode == 0, result.stderr
            result = run_ggzy(
                env, "submit", *login, "--tender", tender_id, "--file", str(sealed), "--receipt-out", str(receipt)
            )
            assert result.returncode == 0, result.stderr
            result = run_ggzy(env, "receipt", "verify", str(receipt), "--server", base, "--file", str(sealed))
            assert result.returncode == 0 and "receipt valid" in result.stdout
        # The receipt's audit event is a leaf of the platform's log: proven against a signed head.
        for _ in range(50):
            result = run_ggzy(env, "receipt", "verify", str(receipt), "--server", base)
            if "in the audit log: leaf" in result.stdout:
                break
            time.sleep(0.2)
        assert result.returncode == 0 and "in the audit log: leaf" in result.stdout, result.stdout
        forged = json.loads(receipt.read_text()) | {"received_at": "2000-01-01T00:00:00+00:00"}
        receipt.write_text(json.dumps(forged))
        result = run_ggzy(env, "receipt", "verify", str(receipt), "--server", base)
        assert result.returncode == 1 and "INVALID" in result.stderr
        result = run_ggzy(  # a refusal names its machine code for scripts, and its reason for people
            env, "submit", *login, "--tender", tender_id, "--file", str(receipt), "--receipt-out", str(tmp_path / "x")
        )
        assert result.returncode == 1 and "(422 not_a_sealed_bid)" in result.stderr, result.stderr

        kept = tmp_path / "agency-share.json"
        assert (
            run_ggzy(
                env,
                "custody",
                "fetch",
                "--server",
                base,
                "--username",
                agent.username,
                "--tender",
                tender_id,
                "--out",
                str(kept),
            ).returncode
            == 0
        )
        time.sleep(
            max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 6
        )  # the in-app scheduler starts the opening
        token = httpx.post(
            f"{base}/api/v1/auth/login", json={"username": officer.username, "password": PASSWORD}
        ).json()["access_token"]
        officer_headers = {"Authorization": f"Bearer {token}"}
        state = httpx.get(f"{base}/api/v1/tenders/{tender_id}/opening", headers=officer_headers).json()
        assert state["status"] == "awaiting_shares" and len(state["bidders"]) == 3

        result = run_ggzy(
            env,
            "opening",
            "share",
            "--server",
            base,
            "--username",
            agent.username,
            "--tender",
            tender_id,
            "--custody-key",
            str(keys[agent.username]),
            "--share-file",
            str(kept),
        )
        assert result.returncode == 0 and "1 of 2 shares" in result.stdout, result.stderr
        result = run_ggzy(
            env,
            "opening",
            "share",
            "--server",
            base,
            "--username",
            officer.username,
            "--tender",
            tender_id,
            "--custody-key",
            str(keys[officer.username]),
        )
        assert result.returncode == 0 and "decrypting" in result.stdout, result.stderr
        for _ in range(100):
            state = httpx.get(f"{base}/api/v1/tenders/{tender_id}/opening", headers=officer_headers).json()
            if state["status"] == "read_out":
                break
            time.sleep(0.1)
        assert sorted(r["price"] for r in state["results"]) == ["450000.00", "450001.00", "450002.00"]
    finally:
        server.terminate()
        server.wait(timeout=10)
