"""A Redis server of a test's own, to stop, start and stall (`DEBUG SLEEP`) without touching the
suite's shared Redis (the `own_redis` fixture of tests/conftest.py)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time

import pytest
import redis

from tests.conftest import free_port

needs_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server installed")


class OwnRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
                *("--enable-debug-command", "local"),
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stall(self, seconds: float) -> threading.Thread:
        """Make the server answer nobody for `seconds` (it stays up and keeps every connection);
        returns at once, with the thread that waits for the stall to end."""
        client = redis.Redis(port=self.port, socket_timeout=seconds + 10)
        thread = threading.Thread(target=lambda: client.execute_command("DEBUG", "SLEEP", seconds), daemon=True)
        thread.start()
        time.sleep(0.05)  # the server is asleep once the command has reached it
        return thread
