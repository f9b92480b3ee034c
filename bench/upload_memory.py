"""Does a filing document upload stream? Peak server memory for a large upload vs a tiny one.

Starts `ggzy serve` on embedded SQLite in a scratch directory, signs in as an agency, uploads
a 1 KiB document (the baseline) and then a large one generated on the fly, and prints the
server's peak resident memory (VmHWM) after each, with the upload throughput.

    .venv/bin/python -m bench.upload_memory [--megabytes 1024]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

GGZY = str(Path(sys.executable).parent / "ggzy")
AGENCY_USCC = "914403001922038216"


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def chunks(total: int, size: int = 1024 * 1024) -> Iterator[bytes]:
    block = os.urandom(size)
    sent = 0
    while sent < total:
        piece = block[: min(size, total - sent)]
        sent += len(piece)
        yield piece


def main(megabytes: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "GGZY_DATA_DIR": scratch,
            "GGZY_MAX_DOCUMENT_MB": str(megabytes + 1),
            "GGZY_SCRYPT_LOG_N": "12",
        }
        env.pop("GGZY_DATABASE_URL", None)
        for args in (
            ["db", "upgrade"],
            ["org", "create", "--uscc", AGENCY_USCC, "--name", "bench agency", "--kind", "agency"],
            [
                "user",
                "create",
                "--username",
                "agent",
                "--password",
                "bench password",
                "--role",
                "agency",
                "--org",
                AGENCY_USCC,
            ],
        ):
            subprocess.run([GGZY, *args], env=env, check=True, capture_output=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [GGZY, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx.get(f"{base}/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            token = httpx.post(f"{base}/api/v1/auth/login", json={"username": "agent", "password": "bench password"})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            filing = httpx.post(
                f"{base}/api/v1/filings", json={"project_name": "bench", "project_type": "other"}, headers=headers
            )
            url = f"{base}/api/v1/filings/{filing.json()['id']}/documents?kind=other&filename=big.bin"
            httpx.post(url, content=b"x" * 1024, headers=headers).raise_for_status()
            baseline = peak_rss_mib(server.pid)
            started = time.perf_counter()
            response = httpx.post(url, content=chunks(megabytes * 1024 * 1024), headers=headers, timeout=600)
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            after = peak_rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"server peak RSS after a 1 KiB upload      {baseline:8.1f} MiB   (baseline)")
    print(f"server peak RSS after a {megabytes} MiB upload  {after:8.1f} MiB   (+{after - baseline:.1f} MiB)")
    rate = megabytes / elapsed
    print(f"upload throughput                         {rate:8.1f} MiB/s over loopback (SHA-256 and fsync included)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1024)
    main(parser.parse_args().megabytes)
