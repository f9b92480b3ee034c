"""When a request arrived, by the platform's clock, stamped before anything can make it wait
(the database pool, a row lock, Redis): an auction bid's time is the moment the server received
it, so a bid sent before the close is not refused as late because something on the way stalled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request
from litestar.types import ASGIApp, Receive, Scope, Send

SCOPE_KEY = "ggzy.arrived_at"


def stamp_arrival(app: ASGIApp) -> ASGIApp:
    """The outermost middleware: reads the clock once per request, first thing."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = scope["app"].state.clock.now()  # type: ignore[literal-required]
        await app(scope, receive, send)

    return middleware


def arrived_at(request: Request[Any, Any, Any]) -> datetime:
    stamped: datetime = request.scope[SCOPE_KEY]  # type: ignore[literal-required]
    return stamped
