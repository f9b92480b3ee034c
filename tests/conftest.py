"""Test fixtures: real PostgreSQL and Redis on 127.0.0.1, and the embedded SQLite backend.

The session migrates one template database per backend (PostgreSQL `ggzy_test`, created by
the test command, and a SQLite file); every test gets its own copy, so tests never see each
other's rows and the append-only audit table never needs cleaning. Tests marked with the
`backend` fixture run once on each backend; the clock is frozen and moved by hand.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import x25519
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app import migrate
from app.core.actor import Actor, Role
from app.core.clock import FrozenClock
from app.core.db import make_engine, make_session_factory
from app.core.settings import Settings
from app.core.uscc import ALPHABET, make_uscc
from app.identity import service as identity
from app.identity.models import Organization, OrgKind, User
from app.identity.schemas import OrgCreate, UserCreate
from app.main import create_app
from bidding.bids import registry
from bidding.bids.registry import KeyPurpose
from bidding.sealing.keys import CustodyPublicKey, generate_custody_key

T = TypeVar("T")

os.environ["GGZY_TESTING"] = "1"  # lets the servers the tests start use a cheap scrypt cost
PG_SERVER = os.environ.get("GGZY_TEST_PG_SERVER", "postgres@127.0.0.1:5432")
# One template per pytest-xdist worker (gw0, gw1, …): the workers never share a database.
PG_TEMPLATE = os.environ.get("GGZY_TEST_DATABASE", "ggzy_test") + (
    f"_{os.environ['PYTEST_XDIST_WORKER']}" if "PYTEST_XDIST_WORKER" in os.environ else ""
)
REDIS_URL = os.environ.get("GGZY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "correct horse battery"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday morning in Shanghai: the frozen "now" of every test unless it moves the clock.
TEST_NOW = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


def random_uscc() -> str:
    """A valid, practically unique enterprise USCC."""
    return make_uscc("91", "420100", "MA" + "".join(secrets.choice(ALPHABET) for _ in range(6)))


GGZY = str(Path(sys.executable).parent / "ggzy")


def run_ggzy(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `ggzy` command as an operator would, with `env` over the current environment."""
    return subprocess.run(
        [GGZY, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=120, check=False
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], *command: str, log: Path | None = None) -> tuple[str, subprocess.Popen[bytes]]:
    """Start `ggzy serve` (or another serving command) on a free port; return once /health answers.
    What it prints goes to `log` when given."""
    port = free_port()
    output = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [GGZY, *(command or ("serve",)), "--port", str(port)],
        env={**os.environ, **env},
        stdout=output,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/health", timeout=2)
            return base, process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise AssertionError(f"{' '.join(command or ('serve',))} did not come up on {base}")


def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking or asyncio.run-based code (Alembic, admin SQL) away from the test's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


def pg_url(database: str, driver: str = "postgresql+asyncpg") -> str:
    return f"{driver}://{PG_SERVER}/{database}"


def pg_admin(*statements: str) -> None:
    async def _run() -> None:
        connection = await asyncpg.connect(pg_url("postgres", "postgresql"))
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    in_thread(asyncio.run, _run())


@pytest.fixture(scope="session")
def pg_template() -> str:
    pg_admin(f'DROP DATABASE IF EXISTS "{PG_TEMPLATE}" WITH (FORCE)', f'CREATE DATABASE "{PG_TEMPLATE}"')
    in_thread(migrate.upgrade, pg_url(PG_TEMPLATE))
    return PG_TEMPLATE


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    in_thread(migrate.upgrade, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def fresh_pg_database() -> Iterator[Callable[[], str]]:
    """Make empty (unmigrated) PostgreSQL databases; dropped after the test."""
    made: list[str] = []

    def make() -> str:
        name = f"ggzy_t_{uuid.uuid4().hex[:12]}"
        pg_admin(f'CREATE DATABASE "{name}"')
        made.append(name)
        return name

    yield make
    for name in made:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["postgresql", "sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own for this test, on the backend the test asked for."""
    kind = request.getfixturevalue("backend") if "backend" in request.fixturenames else "postgresql"
    if kind == "sqlite":
        path = tmp_path / "ggzy.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"ggzy_t_{uuid.uuid4().hex[:12]}"
    pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield pg_url(name)
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def own_redis() -> Iterator[Any]:
    """A Redis server of the test's own (tests/redis_server.py), stopped at the end."""
    from tests.redis_server import OwnRedis

    server = OwnRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(TEST_NOW)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        redis_url=None if database_url.startswith("sqlite") else REDIS_URL,
        secret_key=f"test-secret-{uuid.uuid4().hex}",
        scrypt_log_n=10,
        scheduler_in_app=False,  # tests run sweeps themselves, at the clock they set
        secure_cookies=False,  # the test client speaks plain http
    )


@pytest.fixture
def app(settings: Settings, clock: FrozenClock) -> Litestar:
    return create_app(settings, clock)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


def server_env(settings: Settings) -> dict[str, str]:
    """The environment of `ggzy serve` and `ggzy scheduler` on this test's PostgreSQL database and Redis."""
    return {
        "GGZY_DATABASE_URL": settings.database_url,
        "GGZY_REDIS_URL": REDIS_URL,
        "GGZY_DATA_DIR": str(settings.data_dir),
        "GGZY_SECRET_KEY": settings.secret_key,
        "GGZY_SCRYPT_LOG_N": "10",
    }


@pytest.fixture
def two_servers(settings: Settings) -> Iterator[list[str]]:
    """Two `ggzy serve` processes on this test's PostgreSQL database and Redis: two web workers."""
    started = [start_server(server_env(settings)) for _ in range(2)]
    yield [base for base, _ in started]
    for _base, process in started:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def scheduler_process(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """`ggzy scheduler` on this test's database: what moves objects on in time next to `two_servers`."""
    process = subprocess.Popen([GGZY, "scheduler"], env={**os.environ, **server_env(settings)})
    yield process
    process.terminate()
    process.wait(timeout=10)


class World:
    """Direct access to the test's database through the services, for arranging a scene."""

    def __init__(self, settings: Settings, clock: FrozenClock) -> None:
        self.settings, self.clock = settings, clock
        self.engine = make_engine(settings.database_url)
        self.sessions = make_session_factory(self.engine)

    async def org(
        self,
        kind: OrgKind = OrgKind.bidder,
        name: str | None = None,
        legal_representative: str | None = None,
        legal_representative_id: str | None = None,
    ) -> Organization:
        uscc = random_uscc()
        async with self.sessions() as session:
            data = OrgCreate(
                uscc=uscc,
                name=name or f"测试单位{uscc[8:16]}",
                kind=kind,
                legal_representative=legal_representative,
                legal_representative_id=legal_representative_id,
            )
            return await identity.create_org(
                session, self.clock, Actor.system("test"), data, self.settings.person_id_key
            )

    async def user(self, role: Role, org: Organization | None = None, username: str | None = None) -> User:
        async with self.sessions() as session:
            data = UserCreate(
                username=username or f"{role.value}-{uuid.uuid4().hex[:8]}",
                password=PASSWORD,
                roles=[role],
                org_uscc=org.uscc if org else None,
            )
            return await identity.create_user(
                session, self.clock, Actor.system("test"), data, self.settings.scrypt_log_n
            )

    async def custody_key(self, user: User) -> x25519.X25519PrivateKey:
        """Register a custody key for `user` (a custodian of opening keys); return its private half."""
        private = generate_custody_key()
        public = CustodyPublicKey(private.public_key().public_bytes_raw()).text()
        async with self.sessions() as session:
            await registry.register(session, self.clock, Actor.of(user), KeyPurpose.custody, str(user.id), public)
        return private

    async def trading_centre_custodian(self) -> tuple[User, x25519.X25519PrivateKey]:
        centre = await self.org(OrgKind.trading_centre, "江城市公共资源交易中心")
        admin = await self.user(Role.admin, centre)
        return admin, await self.custody_key(admin)

    async def close(self) -> None:
        await self.engine.dispose()


@pytest.fixture
async def world(settings: Settings, clock: FrozenClock) -> AsyncIterator[World]:
    w = World(settings, clock)
    yield w
    await w.close()


async def login(client: AsyncTestClient[Litestar], username: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign in through the API and return the Authorization header a client would send."""
    response = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.cookies.clear()  # tests say who they are through the header they pass
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
