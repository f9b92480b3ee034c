"""What a handler can ask for, by name: the database session, the clock, the settings, the actor,
the blob store,
the platform's receipt-signing key.

Handlers annotate parameters with these aliases (`db_session: DbSession`); `dependencies()`
builds the providers `create_app` registers under the same names.
"""

from __future__ import annotations

from typing import Annotated, Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.blobs import LocalBlobStore
from app.clock import Clock
from app.live import Broadcaster
from app.ratelimit import RateLimiter
from app.settings import Settings
from bidding.opening import Opening

DbSession = NamedDependency[AsyncSession]
ClockDep = NamedDependency[Clock]
SettingsDep = NamedDependency[Settings]
ActorDep = NamedDependency[Actor]
BlobsDep = NamedDependency[LocalBlobStore]
ReceiptKeyDep = NamedDependency[ed25519.Ed25519PrivateKey]
OpeningDep = NamedDependency[Opening]
LimiterDep = NamedDependency[RateLimiter]

Limit = Annotated[int, QueryParameter(ge=1, le=500, description="page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000_000, description="items to skip")]


def client_ip(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


def dependencies(
    settings: Settings,
    clock: Clock,
    blobs: LocalBlobStore,
    receipt_key: ed25519.Ed25519PrivateKey,
    broadcaster: Broadcaster,
    limiter: RateLimiter,
) -> dict[str, Provide]:
    def provide_actor(request: Request[Any, Any, Any]) -> Actor:
        return Actor.of(request.user, client_ip(request))

    return {
        "clock": Provide(lambda: clock, sync_to_thread=False),
        "settings": Provide(lambda: settings, sync_to_thread=False),
        "actor": Provide(provide_actor, sync_to_thread=False),
        "blobs": Provide(lambda: blobs, sync_to_thread=False),
        "receipt_key": Provide(lambda: receipt_key, sync_to_thread=False),
        "limiter": Provide(lambda: limiter, sync_to_thread=False),
        # a fresh one per request: it carries the events to broadcast after the request's commit
        "opening": Provide(
            lambda: Opening(clock, settings.tz, blobs, broadcaster, settings.share_secret), sync_to_thread=False
        ),
    }
