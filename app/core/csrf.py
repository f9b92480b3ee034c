"""Cross-site request forgery protection for browser pages, without burdening API clients.

Two checks on every unsafe request (POST, PUT, PATCH, DELETE):

* **Origin**: a request a browser marks as coming from another site (`Origin` naming another
  host, or `Sec-Fetch-Site: cross-site`) is refused, whatever it carries. Command-line and API
  clients send neither header, so they pass.
* **Double-submit token**: a request signed in by the browser cookie (no `Authorization`
  header) must carry the header `X-CSRF-Token` equal to the `ggzy_csrf` cookie, which the
  console sets and renders into each page. A bearer-token client never needs it.

The console's forms all submit through `console.js`, which adds the header.
"""

from __future__ import annotations

import hmac
import json
import secrets
from urllib.parse import urlsplit

from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPResponseStartEvent, Receive, Scope, Send

from app.core.problems import PROBLEM_MEDIA_TYPE, Forbidden, prefers_chinese

CSRF_COOKIE = "ggzy_csrf"
CSRF_HEADER = "x-csrf-token"
AUTH_COOKIE = "ggzy_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _cookies(headers: Headers) -> dict[str, str]:
    jar: dict[str, str] = {}
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            jar[name] = value
    return jar


def refusal(method: str, headers: Headers) -> str | None:
    """Why this request must be refused as a possible forgery, or None (pure)."""
    if method not in UNSAFE:
        return None
    if headers.get("sec-fetch-site") == "cross-site":
        return "a cross-site request may not change anything here"
    origin = headers.get("origin")
    if origin is not None and origin != "null" and urlsplit(origin).netloc != headers.get("host", ""):
        return "a request from another origin may not change anything here"
    if origin == "null":
        return "a request from an opaque origin may not change anything here"
    if "authorization" in headers:
        return None
    jar = _cookies(headers)
    if AUTH_COOKIE not in jar or not jar[AUTH_COOKIE]:
        return None
    expected, given = jar.get(CSRF_COOKIE, ""), headers.get(CSRF_HEADER, "")
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        return "a request signed in by the browser cookie needs the X-CSRF-Token header of the page"
    return None


def csrf_protection(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            reason = refusal(str(scope.get("method", "GET")), Headers.from_scope(scope))
            if reason is not None:
                await _forbidden(send, reason, Headers.from_scope(scope))
                return
        await app(scope, receive, send)

    return middleware


async def _forbidden(send: Send, reason: str, request_headers: Headers) -> None:
    problem = Forbidden(reason, zh="页面已过期，请刷新页面后重试", slug="csrf")
    chinese = prefers_chinese(request_headers.get("accept-language", ""))
    payload = json.dumps(problem.body(chinese)).encode()
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(payload)).encode()),
        (b"content-language", problem.language(chinese).encode()),
    ]
    start: HTTPResponseStartEvent = {"type": "http.response.start", "status": 403, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": payload, "more_body": False})
