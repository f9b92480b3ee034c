"""Settings read from GGZY_* environment variables, with defaults that run safely on a laptop.

The data directory (`GGZY_DATA_DIR`, default `var/`) holds the embedded SQLite file, the
generated secret key and the blob store. The secret is never a constant in code: unless
`GGZY_SECRET_KEY` is set, it is generated once and kept in `<data dir>/secret_key` (mode 0600).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from app.core.clock import Clock, ShiftedClock, SystemClock

MIN_SECRET_BYTES = 32
DEFAULT_SCRYPT_LOG_N = 15


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    timezone: str = "Asia/Shanghai"
    # scrypt cost as log2(N); 2**15 with r=8 uses 32 MiB per hash.
    scrypt_log_n: int = 15
    token_ttl_minutes: int = 8 * 60
    max_document_bytes: int = 200 * 1024**2
    max_bid_bytes: int = 4 * 1024**3
    debug: bool = False
    # Run the scheduler's sweeps inside the web process. Defaults to on for the embedded SQLite
    # mode (one process) and off with PostgreSQL, where `ggzy scheduler` runs them.
    scheduler_in_app: bool | None = None
    # The sign-in cookie is `Secure` (sent over HTTPS only) unless the embedded SQLite demo runs
    # on plain http://127.0.0.1; GGZY_SECURE_COOKIES says otherwise either way.
    secure_cookies: bool | None = None
    # Addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated, e.g.
    # "10.0.0.5,10.0.0.6"); empty: the direct peer is the client, whatever it claims.
    trusted_proxies: str = ""
    # Live auctions: at most this many bids per bidder and auction in each window.
    auction_bids_per_window: int = 20
    auction_bid_window: timedelta = timedelta(seconds=10)
    # Expert draws: an expert older than this on the draw date is not drawn (aged exactly 70 is),
    # and one who sat on a committee of the same tenderee within this many days is not drawn.
    expert_age_cap: int = 70
    expert_recent_days: int = 180
    # An expert draw's commitment is published this long before the draw (experts.draw).
    draw_commit_lead: timedelta = timedelta(minutes=10)
    # Days the candidate winners stay published (公示), per project type ("construction=5,goods=3");
    # at least 3 (implementing regulations art. 54), and 3 for a type not named.
    publicity_days: str = ""
    # Open Contracting data: the ocid prefix registered with the Open Contracting Partnership
    # ("ocds-" and 6 characters), and the address the platform is reached at (URIs in the export).
    ocds_prefix: str = "ocds-ggzy00"
    public_url: str = "http://127.0.0.1:8000"
    # Signed tree heads of the audit log: at most one per this many seconds (and on demand).
    tree_head_seconds: int = 60
    # PostgreSQL connections each web process keeps open (up to 10 more in a burst, closed after):
    # a bid waiting for an auction's row lock holds one, and a connection opened under load costs
    # its set-up and every statement prepared again.
    db_pool_size: int = 20
    # The settlement bank (结算银行) that holds cash bid bonds: the master account its virtual
    # sub-accounts (子账户) hang from, the secret that signs its messages both ways (derived from the
    # secret key unless GGZY_BANK_SECRET is set), and its demand-deposit rates, `YYYY-MM-DD:rate,…`
    # (default: the People's Bank benchmark 0.35 % since 2015-10-24).
    bond_master_account: str = "37010100000000"
    bank_secret_text: str = ""
    demand_deposit_rates: str = "2015-10-24:0.0035"
    # Tests only: every process reads "now" as the system clock plus the seconds in this file.
    clock_shift_file: Path | None = None

    @property
    def log_origin(self) -> str:
        """The audit log's name in its checkpoints (C2SP origin): the platform's host and /audit."""
        return urlsplit(self.public_url).netloc + "/audit"

    def clock(self) -> Clock:
        """The one clock of a process: the system's, or shifted for an end-to-end test."""
        return SystemClock() if self.clock_shift_file is None else ShiftedClock(self.clock_shift_file)

    def publicity_days_for(self, project_type: str) -> int:
        days = dict(item.split("=", 1) for item in self.publicity_days.split(",") if "=" in item)
        return max(3, int(days.get(project_type, "3")))

    @property
    def tz(self) -> ZoneInfo:  # where dates are shown and working days counted
        return ZoneInfo(self.timezone)

    @property
    def share_secret(self) -> bytes:
        """The secret that seals custody shares handed in at an opening, derived from the
        secret key so that nothing of it is in the database."""
        return hashlib.sha256(b"ggzy handed-in shares/1\x00" + self.secret_key.encode()).digest()

    @property
    def offer_secret(self) -> bytes:
        """The secret that seals rounds auctions' initial offers at rest until the start
        (bidding.market.sealed_offers), derived from the secret key: nothing of it is in the database."""
        return hashlib.sha256(b"ggzy initial offers/1\x00" + self.secret_key.encode()).digest()

    @property
    def person_id_key(self) -> bytes:
        """The key of the hash kept instead of a resident ID (app.core.resident_id), derived
        from the secret key: a leaked database alone cannot test numbers against it."""
        return hashlib.sha256(b"ggzy person id/1\x00" + self.secret_key.encode()).digest()

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def bank_secret(self) -> bytes:
        """The HMAC key of the settlement bank's messages: GGZY_BANK_SECRET, or derived from the secret key."""
        if self.bank_secret_text:
            return self.bank_secret_text.encode()
        return hashlib.sha256(b"ggzy settlement bank/1\x00" + self.secret_key.encode()).digest()

    @property
    def receipt_key_path(self) -> Path:
        return self.data_dir / "receipt_signing_key.pem"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def cookie_is_secure(self) -> bool:
        return not self.is_sqlite if self.secure_cookies is None else self.secure_cookies

    @property
    def runs_scheduler_in_app(self) -> bool:
        return self.is_sqlite if self.scheduler_in_app is None else self.scheduler_in_app

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("GGZY_DATA_DIR", "var")).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        database_url = env.get("GGZY_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'ggzy.sqlite3'}"
        timezone = env.get("GGZY_TIMEZONE", "Asia/Shanghai")
        ZoneInfo(timezone)  # fail at start-up, not at the first deadline
        secret_key = env.get("GGZY_SECRET_KEY") or load_or_create_secret(data_dir / "secret_key")
        if len(secret_key.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"GGZY_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long")
        scrypt_log_n = int(env.get("GGZY_SCRYPT_LOG_N", str(DEFAULT_SCRYPT_LOG_N)))
        if scrypt_log_n < DEFAULT_SCRYPT_LOG_N and _flag(env.get("GGZY_TESTING")) is not True:
            raise ValueError(f"GGZY_SCRYPT_LOG_N below {DEFAULT_SCRYPT_LOG_N} is for tests only (GGZY_TESTING=1)")
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=env.get("GGZY_REDIS_URL") or None,
            secret_key=secret_key,
            timezone=timezone,
            scrypt_log_n=scrypt_log_n,
            token_ttl_minutes=int(env.get("GGZY_TOKEN_TTL_MINUTES", str(8 * 60))),
            max_document_bytes=int(env.get("GGZY_MAX_DOCUMENT_MB", "200")) * 1024**2,
            max_bid_bytes=int(env.get("GGZY_MAX_BID_MB", "4096")) * 1024**2,
            debug=_flag(env.get("GGZY_DEBUG")) is True,
            scheduler_in_app=_flag(env.get("GGZY_SCHEDULER_IN_APP")),
            secure_cookies=_flag(env.get("GGZY_SECURE_COOKIES")),
            trusted_proxies=env.get("GGZY_TRUSTED_PROXIES", "").strip(),
            expert_age_cap=int(env.get("GGZY_EXPERT_AGE_CAP", "70")),
            expert_recent_days=int(env.get("GGZY_EXPERT_RECENT_DAYS", "180")),
            draw_commit_lead=timedelta(minutes=int(env.get("GGZY_DRAW_COMMIT_MINUTES", "10"))),
            publicity_days=_publicity_days(env.get("GGZY_PUBLICITY_DAYS", "")),
            ocds_prefix=_ocds_prefix(env.get("GGZY_OCDS_PREFIX", "ocds-ggzy00")),
            public_url=env.get("GGZY_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            tree_head_seconds=int(env.get("GGZY_TREE_HEAD_SECONDS", "60")),
            db_pool_size=_at_least_one("GGZY_DB_POOL_SIZE", env.get("GGZY_DB_POOL_SIZE", "20")),
            bond_master_account=_digits(
                "GGZY_BOND_MASTER_ACCOUNT", env.get("GGZY_BOND_MASTER_ACCOUNT", "37010100000000")
            ),
            bank_secret_text=env.get("GGZY_BANK_SECRET", ""),
            demand_deposit_rates=_rates(env.get("GGZY_DEMAND_DEPOSIT_RATES", "2015-10-24:0.0035")),
            clock_shift_file=_clock_shift_file(env),
        )


def _digits(name: str, value: str) -> str:
    if not value.isdigit() or not 6 <= len(value) <= 24:
        raise ValueError(f"{name}: {value!r} is not an account number of 6 to 24 digits")
    return value


def _rates(value: str) -> str:
    """`YYYY-MM-DD:rate,…`, or a start-up error (the parse is bidding.bonds.rules.parse_rates's)."""
    for item in filter(None, (i.strip() for i in value.split(","))):
        day, _, rate = item.partition(":")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) is None or re.fullmatch(r"0(\.\d+)?", rate) is None:
            raise ValueError(f"GGZY_DEMAND_DEPOSIT_RATES: {item!r} is not YYYY-MM-DD:rate (e.g. 2015-10-24:0.0035)")
    return value.replace(" ", "")


def _at_least_one(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name}: {value!r} is not a whole number of at least 1")
    return int(value)


def _clock_shift_file(env: dict[str, str]) -> Path | None:
    value = env.get("GGZY_CLOCK_SHIFT_FILE")
    if not value:
        return None
    if _flag(env.get("GGZY_TESTING")) is not True:
        raise ValueError("GGZY_CLOCK_SHIFT_FILE moves the server's clock: it is for tests only (GGZY_TESTING=1)")
    return Path(value)


def _ocds_prefix(value: str) -> str:
    """An ocid prefix as the Open Contracting Partnership assigns them, or a start-up error."""
    if re.fullmatch(r"ocds-[a-z0-9]{6}", value) is None:
        raise ValueError(f"GGZY_OCDS_PREFIX: {value!r} is not 'ocds-' and 6 lowercase letters or digits")
    return value


def _publicity_days(value: str) -> str:
    """`type=days,…` with whole days of at least 3, or a start-up error."""
    for item in filter(None, (i.strip() for i in value.split(","))):
        kind, _, days = item.partition("=")
        if not kind or not days.isdigit() or int(days) < 3:
            raise ValueError(f"GGZY_PUBLICITY_DAYS: {item!r} is not project_type=days with days ≥ 3")
    return value.replace(" ", "")


def _flag(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.lower() in {"1", "true", "yes", "on"}


def create_once(path: Path, make: Callable[[], bytes]) -> bytes:
    """The contents of `path`, creating it (mode 0600) with `make()` on first use. Several workers
    may race at first start: each writes a candidate to its own temporary file and hard-links it
    into place, which succeeds for exactly one of them, so all end up with the same contents."""
    if not path.exists():
        candidate = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(make())
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_bytes()


def load_or_create_secret(path: Path) -> str:
    """The generated secret key kept at `path` (never a constant in code)."""
    return create_once(path, lambda: (secrets.token_urlsafe(48) + "\n").encode()).decode().strip()


def load_or_create_receipt_key(path: Path) -> ed25519.Ed25519PrivateKey:
    """The platform's receipt-signing key, made on first use and shared by every worker."""

    def make() -> bytes:
        return ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    key = serialization.load_pem_private_key(create_once(path, make), password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return key
