"""What a handler can ask for, by name: the database session and its factory, the clock, the
settings, the actor, when the request arrived, the blob store, the live hub, the rate limiter, the background tasks, the
platform's receipt-signing key, the calendar's listeners and the domain events' listeners.

Handlers annotate parameters with these aliases (`db_session: DbSession`); `dependencies()`
builds the providers `create_app` registers under the same names. A domain that needs more
(e.g. the opening's context) declares its provider on its own controller from these.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.actor import Actor
from app.core.arrival import arrived_at
from app.core.blobs import LocalBlobStore
from app.core.calendar.service import CalendarListener
from app.core.clock import Clock
from app.core.events import DomainEvents
from app.core.gates import AfterBid, Gate
from app.core.live import LiveHub
from app.core.ratelimit import RateLimiter
from app.core.settings import Settings
from app.core.tasks import BackgroundTasks

DbSession = NamedDependency[AsyncSession]
SessionsDep = NamedDependency[async_sessionmaker[AsyncSession]]
ClockDep = NamedDependency[Clock]
SettingsDep = NamedDependency[Settings]
ActorDep = NamedDependency[Actor]
BlobsDep = NamedDependency[LocalBlobStore]
ReceiptKeyDep = NamedDependency[ed25519.Ed25519PrivateKey]
LiveDep = NamedDependency[LiveHub]
LimiterDep = NamedDependency[RateLimiter]
TasksDep = NamedDependency[BackgroundTasks]
CalendarListenersDep = NamedDependency[Sequence[CalendarListener]]
EventsDep = NamedDependency[DomainEvents]
# The credit gate before a bid is taken or an intermediary registers (app.core.gates), from app.wiring.
CreditGateDep = NamedDependency[Gate]
AfterBidDep = NamedDependency[AfterBid]

Limit = Annotated[int, QueryParameter(ge=1, le=500, description="page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000_000, description="items to skip")]
# An upload's file name (`?filename=`): no path, no control characters.
Filename = Annotated[
    str,
    QueryParameter(
        min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f/\\]+$", description="the file's name, no path"
    ),
]


ArrivedAtDep = NamedDependency[datetime]  # when the request arrived (app.core.arrival)


def client_ip(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


def dependencies(
    settings: Settings,
    clock: Clock,
    sessions: async_sessionmaker[AsyncSession],
    blobs: LocalBlobStore,
    receipt_key: ed25519.Ed25519PrivateKey,
    live: LiveHub,
    limiter: RateLimiter,
    tasks: BackgroundTasks,
    calendar_listeners: Sequence[CalendarListener],
    events: DomainEvents,
) -> dict[str, Provide]:
    def provide_actor(request: Request[Any, Any, Any]) -> Actor:
        return Actor.of(request.user, client_ip(request))

    def constant(value: object) -> Provide:
        return Provide(lambda: value, sync_to_thread=False)

    return {
        "clock": constant(clock),
        "settings": constant(settings),
        "sessions": constant(sessions),
        "actor": Provide(provide_actor, sync_to_thread=False),
        "arrived_at": Provide(arrived_at, sync_to_thread=False),
        "blobs": constant(blobs),
        "receipt_key": constant(receipt_key),
        "live": constant(live),
        "limiter": constant(limiter),
        "tasks": constant(tasks),
        "calendar_listeners": constant(calendar_listeners),
        "events": constant(events),
    }
