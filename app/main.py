"""The app factory: `create_app()` wires settings, database, Redis and live events, auth, errors and routes.

Without `GGZY_REDIS_URL` the service runs as one process with in-process live events; with it,
live events cross web workers through Redis. Nothing here assumes it is the only worker. In
the embedded SQLite mode the app also runs the scheduler's sweeps (see `app.scheduler`).
"""

from __future__ import annotations

import asyncio

from advanced_alchemy.extensions.litestar import AsyncSessionConfig, SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from redis.asyncio import Redis

from app.console.pages import TEMPLATES
from app.core.arrival import stamp_arrival
from app.core.blobs import LocalBlobStore
from app.core.bodies import check_request
from app.core.chronograph import Chronograph
from app.core.clock import Clock
from app.core.csrf import csrf_protection
from app.core.db import make_engine, make_session_factory
from app.core.deps import dependencies
from app.core.headers import security_headers
from app.core.live import LiveHub
from app.core.openapi import document_problems
from app.core.problems import EXCEPTION_HANDLERS
from app.core.ratelimit import RateLimiter
from app.core.redis_guard import RedisGuard
from app.core.settings import Settings, load_or_create_receipt_key
from app.core.tasks import BackgroundTasks
from app.identity.auth import make_jwt_auth
from app.routes import ROUTE_HANDLERS
from app.scheduler import build_scheduler
from app.wiring import CALENDAR_LISTENERS, chronograph_steps, domain_dependencies, domain_events, housekeeping


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    clock = clock or settings.clock()
    pool = {} if settings.is_sqlite else {"pool_size": settings.db_pool_size, "max_overflow": 10}
    engine = make_engine(settings.database_url, **pool)
    alchemy = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_dependency_key="db_session",
        session_config=AsyncSessionConfig(expire_on_commit=False),
    )
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    redis_guard = RedisGuard(redis) if redis is not None else None  # every request path's Redis calls
    hub = LiveHub(redis_guard)
    sessions = make_session_factory(engine)
    blobs = LocalBlobStore(settings.blob_dir)
    jwt_auth = make_jwt_auth(
        settings.secret_key,
        settings.token_ttl_minutes,
        lambda connection: alchemy.provide_session(connection.app.state, connection.scope),
        secure_cookie=settings.cookie_is_secure,
    )

    chronograph = (
        Chronograph(sessions, clock, chronograph_steps(settings, sessions, blobs, hub))
        if settings.runs_scheduler_in_app
        else None
    )
    scheduler = (
        build_scheduler(chronograph, housekeeping(settings, sessions, clock, blobs))
        if chronograph is not None
        else None
    )

    async def start_background_work() -> None:
        await asyncio.to_thread(blobs.clean_staging)  # uploads cut off when a worker was killed
        await hub.start()
        if scheduler is not None:
            scheduler.start()

    background = BackgroundTasks()

    async def stop_background_work() -> None:
        await hub.stop()  # ends every live stream, so shutdown does not wait on watchers
        # An interrupted decryption keeps its committed bids; the scheduler resumes the rest.
        await background.cancel_all()
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
        if chronograph is not None:
            await chronograph.stop()
        if redis is not None:
            await redis.aclose()

    app = Litestar(
        route_handlers=ROUTE_HANDLERS,
        plugins=[
            SQLAlchemyPlugin(config=alchemy),
        ],
        on_app_init=[jwt_auth.on_app_init],
        dependencies={
            **dependencies(
                settings,
                clock,
                sessions,
                blobs,
                load_or_create_receipt_key(settings.receipt_key_path),
                hub,
                RateLimiter(clock, redis_guard),
                background,
                CALENDAR_LISTENERS,
                domain_events(settings),
            ),
            **domain_dependencies(settings),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[stamp_arrival, security_headers, csrf_protection],
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        before_request=check_request,
        state=State(
            {
                "settings": settings,
                "clock": clock,
                "engine": engine,
                "redis": redis,
                "live": hub,
                "jwt_auth": jwt_auth,
                "scheduler": scheduler,
            }
        ),
        openapi_config=OpenAPIConfig(
            title="ggzy",
            version="0.1.0",
            description="Public resource trading (公共资源交易) platform API",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        on_startup=[start_background_work],
        on_shutdown=[stop_background_work],
        debug=settings.debug,
    )
    document_problems(app)
    return app
