"""Schema-driven fuzzing (schemathesis) of the whole API as every role and anonymously, against
`ggzy serve` on PostgreSQL: no server error anywhere, and every answer is one the OpenAPI
document names (status code, media type, body schema), so the problems each route gives are
documented for real. Bounded: a few examples per operation, a fixed seed, a time budget."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx

from app.core.actor import Role
from app.core.settings import Settings
from app.identity.models import OrgKind
from tests.conftest import PASSWORD, World, start_server

ST = str(Path(sys.executable).parent / "st")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Streams never end, and a fuzzer that logs itself out or deactivates itself tests nothing more.
EXCLUDED = r"/(events|logout|deactivate)$"


async def test_the_whole_api_as_every_role_gives_no_server_error_and_only_documented_answers(
    settings: Settings, world: World
) -> None:
    org_kind = {Role.agency: OrgKind.agency, Role.bidder: OrgKind.bidder, Role.intermediary: OrgKind.intermediary}
    users = {
        role: await world.user(role, await world.org(org_kind[role]) if role in org_kind else None) for role in Role
    }
    env = {
        "GGZY_DATABASE_URL": settings.database_url,
        "GGZY_DATA_DIR": str(settings.data_dir),
        "GGZY_SECRET_KEY": settings.secret_key,
        "GGZY_SCRYPT_LOG_N": "10",
    }
    base, server = await asyncio.to_thread(start_server, env)
    failures = {}
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            tokens = {}
            for role, user in users.items():
                answer = await http.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
                tokens[role.value] = answer.json()["access_token"]
        for who in [None, *tokens]:
            command = [ST, "run", f"{base}/schema/openapi.json", "--checks", CHECKS, "--max-examples", "5"]
            command += ["--exclude-path-regex", EXCLUDED, "--seed", "20261128", "--workers", "1"]
            command += ["--request-timeout", "10", "--max-time", "9", "--phases", "fuzzing"]  # 7 roles: ~70 s
            # anonymous: a token that is no token (without any, schemathesis tries to sign up by itself)
            command += ["-H", f"Authorization: Bearer {tokens[who] if who else 'not-a-token'}"]
            run = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=300)
            summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-300:]
            print(f"schemathesis as {who or 'anonymous'}: {summary}")
            if run.returncode != 0:
                failures[who or "anonymous"] = run.stdout[-6000:]
        # The open data feed, anonymously and at length: its cursor and window from every angle.
        command = [ST, "run", f"{base}/schema/openapi.json", "--checks", CHECKS, "--max-examples", "60"]
        command += ["--include-path-regex", "^/api/v1/ocds/", "--seed", "20261207", "--workers", "1"]
        command += ["--request-timeout", "10", "--max-time", "15", "--phases", "fuzzing"]
        command += ["-H", "Authorization: Bearer not-a-token"]
        run = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=300)
        print(f"schemathesis on the OCDS feed: {run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ''}")
        if run.returncode != 0:
            failures["ocds feed"] = run.stdout[-6000:]
    finally:
        server.terminate()
        await asyncio.to_thread(server.wait, 10)
    assert failures == {}, "\n\n".join(f"== as {who}\n{out}" for who, out in failures.items())
