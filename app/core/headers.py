"""Security headers on every response: no MIME sniffing, no framing by other sites, a content
security policy for pages, and HSTS when the platform is reached by a name or address other
than loopback (the embedded demo on http://127.0.0.1 is not forced to HTTPS).

The Swagger UI under /schema loads its script from its own CDN, so it gets no CSP of ours.
"""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "testserver", "testserver.local"})
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def _host(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"host":
            host = value.decode("latin-1")
            return host.rsplit(":", 1)[0] if not host.endswith("]") else host
    server: Any = scope.get("server")
    return str(server[0]) if server else ""


def security_headers(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        loopback = _host(scope) in LOOPBACK

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                if not path.startswith("/schema"):
                    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                if not loopback:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
