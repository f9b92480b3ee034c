"""A signed-in session with a ggzy server, for the command-line tools run on users' machines
(`ggzy submit`, `custody`, `opening share`, `opening watch`, `auction watch`) and the demo's cast.

Standard library only, so the tools start small: JSON calls with the bearer token, streamed
uploads, and server-sent events read line by line. A refusal becomes a `click.ClickException`
that reads as the platform's problem details (status, machine code, detail, every bad field).
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import click

SERVER = click.option("--server", help="the platform's address, e.g. https://ggzy.example")
USERNAME = click.option("--username", help="your platform login (password from GGZY_PASSWORD or a prompt)")


def refusal(status: int, body: bytes, reason: str) -> str:
    """A refusal as an operator reads it: the HTTP status, the machine code (`content_altered`,
    `bid-deadline-passed`, …) for scripts, and the detail and every bad field for people."""
    try:
        problem = json.loads(body)
    except ValueError:
        return f"the platform refused ({status}): {reason}"
    code = problem.get("code") or str(problem.get("type", "")).rsplit("/", 1)[-1] or "-"
    fields = "; ".join(f"{p['name']}: {p['reason']}" for p in problem.get("invalid-params", []))
    return f"the platform refused ({status} {code}): {problem.get('detail', reason)}" + (
        f" [{fields}]" if fields else ""
    )


class Refused(click.ClickException):
    """The platform answered with a problem; `http_status` lets a caller wait for a 404 to turn into 200."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = status


@dataclass(frozen=True)
class ServerEvent:
    kind: str
    data: dict[str, Any]


def parse_events(lines: Iterator[bytes]) -> Iterator[ServerEvent]:
    """Server-sent events from the lines of a stream: `event:` names the kind, `data:` lines are
    joined into one JSON document, a blank line ends the event, `:` lines are comments."""
    kind, data = "message", list[str]()
    for raw in lines:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield ServerEvent(kind, json.loads("\n".join(data)))
            kind, data = "message", list[str]()
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                kind = value
            elif field == "data":
                data.append(value)


class Platform:
    """A signed-in session with a ggzy server."""

    def __init__(self, server: str, username: str, password: str) -> None:
        self.server = server.rstrip("/")
        self.token = ""
        login = self._call(
            "POST", "/api/v1/auth/login", json.dumps({"username": username, "password": password}).encode()
        )
        self.token = str(login["access_token"])

    def _request(
        self, method: str, path: str, body: bytes | BinaryIO | None = None, binary: bool = False
    ) -> urllib.request.Request:
        request = urllib.request.Request(self.server + path, data=body, method=method)  # noqa: S310
        json_body = isinstance(body, bytes) and not binary
        request.add_header("Content-Type", "application/json" if json_body else "application/octet-stream")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        return request

    def _call(
        self,
        method: str,
        path: str,
        body: bytes | BinaryIO | None = None,
        size: int | None = None,
        binary: bool = False,
    ) -> Any:
        request = self._request(method, path, body, binary)
        if size is not None:
            request.add_header("Content-Length", str(size))
        try:
            with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise Refused(exc.code, refusal(exc.code, exc.read(), str(exc.reason))) from exc
        except urllib.error.URLError as exc:
            raise click.ClickException(f"cannot reach {self.server}: {exc.reason}") from exc

    def get(self, path: str) -> Any:
        return self._call("GET", path)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._call("POST", path, json.dumps(body).encode())

    def upload(self, path: str, file: Path) -> Any:
        with file.open("rb") as handle:
            return self._call("POST", path, handle, file.stat().st_size)

    def upload_bytes(self, path: str, content: bytes) -> Any:
        return self._call("POST", path, content, binary=True)

    def events(self, path: str, timeout: float = 60) -> Iterator[ServerEvent]:
        """Follow a server-sent event stream until the server ends it (after its terminal event).
        Each connection replays the stream from its start: a caller that reconnects skips the
        sequence numbers it has seen."""
        request = self._request("GET", path)
        request.add_header("Accept", "text/event-stream")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                yield from parse_events(iter(response.readline, b""))
        except urllib.error.HTTPError as exc:
            raise Refused(exc.code, refusal(exc.code, exc.read(), str(exc.reason))) from exc


def sign_in(server: str, username: str) -> Platform:
    """Sign in with the password from GGZY_PASSWORD, or ask for it."""
    password = os.environ.get("GGZY_PASSWORD") or click.prompt(f"password for {username}", hide_input=True)
    return Platform(server, username, password)


class Feed:
    """A stream followed in a background thread, so a live display keeps ticking while it waits.
    A dropped connection is reopened; the replayed events it has already passed on are skipped
    (by kind and sequence number). `events()` drains what has arrived; `ended` is set after a
    terminal event, `error` when the platform refuses the stream."""

    def __init__(self, platform: Platform, path: str, terminal: frozenset[str], retry_seconds: float = 2) -> None:
        self.platform, self.path, self.terminal, self.retry_seconds = platform, path, terminal, retry_seconds
        self.ended = threading.Event()
        self.error: str | None = None
        self._inbox: queue.SimpleQueue[ServerEvent] = queue.SimpleQueue()
        self._seen: set[tuple[str, int]] = set()
        threading.Thread(target=self._run, name=f"feed {path}", daemon=True).start()

    def _run(self) -> None:
        while not self.ended.is_set():
            try:
                for event in self.platform.events(self.path):
                    key = (event.kind, int(event.data.get("seq", -1)))
                    if key[1] >= 0 and key in self._seen:
                        continue
                    self._seen.add(key)
                    self._inbox.put(event)
                    if event.kind in self.terminal:
                        self.ended.set()
                        return
            except Refused as exc:
                self.error = exc.message
                self.ended.set()
                return
            except (OSError, click.ClickException, ValueError):
                pass  # the connection dropped: reopen it after a pause
            time.sleep(self.retry_seconds)

    def events(self) -> list[ServerEvent]:
        out = []
        while not self._inbox.empty():
            out.append(self._inbox.get())
        return out
