"""Settings: safe defaults, and a secret that is generated once, kept private, never constant."""

from __future__ import annotations

import stat
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.clock import SystemClock
from app.core.settings import Settings, load_or_create_secret


def test_defaults_put_sqlite_and_the_secret_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env({"GGZY_DATA_DIR": str(tmp_path / "var")})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'var' / 'ggzy.sqlite3'}"
    assert settings.redis_url is None and settings.timezone == "Asia/Shanghai"
    secret_file = tmp_path / "var" / "secret_key"
    assert secret_file.read_text().strip() == settings.secret_key and len(settings.secret_key) >= 48
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_the_generated_secret_survives_a_restart_and_differs_per_installation(tmp_path: Path) -> None:
    first = Settings.from_env({"GGZY_DATA_DIR": str(tmp_path / "a")})
    again = Settings.from_env({"GGZY_DATA_DIR": str(tmp_path / "a")})
    other = Settings.from_env({"GGZY_DATA_DIR": str(tmp_path / "b")})
    assert first.secret_key == again.secret_key != other.secret_key


def test_an_explicit_secret_wins_and_nothing_is_written(tmp_path: Path) -> None:
    settings = Settings.from_env({"GGZY_DATA_DIR": str(tmp_path), "GGZY_SECRET_KEY": "from-the-vault-" + "v" * 32})
    assert settings.secret_key == "from-the-vault-" + "v" * 32 and not (tmp_path / "secret_key").exists()


def test_workers_starting_together_agree_on_one_secret(tmp_path: Path) -> None:
    with ProcessPoolExecutor(4) as pool:
        secrets = set(pool.map(load_or_create_secret, [tmp_path / "secret_key"] * 16))
    assert len(secrets) == 1 and "" not in secrets
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_a_short_secret_or_a_cheap_password_hash_is_refused_outside_tests(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Settings.from_env({"GGZY_DATA_DIR": str(tmp_path), "GGZY_SECRET_KEY": "short"})
    with pytest.raises(ValueError, match="for tests only"):
        Settings.from_env({"GGZY_DATA_DIR": str(tmp_path), "GGZY_SCRYPT_LOG_N": "10"})
    cheap = Settings.from_env({"GGZY_DATA_DIR": str(tmp_path), "GGZY_SCRYPT_LOG_N": "10", "GGZY_TESTING": "1"})
    assert cheap.scrypt_log_n == 10


def test_the_cookie_is_secure_except_in_the_embedded_demo(tmp_path: Path) -> None:
    demo = Settings.from_env({"GGZY_DATA_DIR": str(tmp_path)})
    production = Settings.from_env({"GGZY_DATA_DIR": str(tmp_path), "GGZY_DATABASE_URL": "postgresql+asyncpg://x/y"})
    assert demo.cookie_is_secure is False and production.cookie_is_secure is True


def test_the_clock_shift_is_refused_outside_tests_and_moves_the_clock_inside(tmp_path: Path) -> None:
    shift = tmp_path / "shift"
    base = {"GGZY_DATA_DIR": str(tmp_path), "GGZY_CLOCK_SHIFT_FILE": str(shift)}
    with pytest.raises(ValueError, match="tests only"):
        Settings.from_env(base)
    clock = Settings.from_env(base | {"GGZY_TESTING": "1"}).clock()
    shift.write_text(str(3 * 86400))
    assert clock.now() - datetime.now(UTC) > timedelta(days=3) - timedelta(minutes=1)
    assert isinstance(Settings.from_env({"GGZY_DATA_DIR": str(tmp_path)}).clock(), SystemClock)


def test_the_ocid_prefix_is_checked_at_start_up(tmp_path: Path) -> None:
    assert (
        Settings.from_env({"GGZY_DATA_DIR": str(tmp_path), "GGZY_OCDS_PREFIX": "ocds-a1b2c3"}).ocds_prefix
        == "ocds-a1b2c3"
    )
    with pytest.raises(ValueError, match="GGZY_OCDS_PREFIX"):
        Settings.from_env({"GGZY_DATA_DIR": str(tmp_path), "GGZY_OCDS_PREFIX": "ggzy"})


def test_the_connection_pool_size_is_read_and_checked_at_start_up(tmp_path: Path) -> None:
    assert Settings.from_env({"GGZY_DATA_DIR": str(tmp_path)}).db_pool_size == 20
    assert Settings.from_env({"GGZY_DATA_DIR": str(tmp_path), "GGZY_DB_POOL_SIZE": "35"}).db_pool_size == 35
    for bad in ("0", "-3", "lots"):
        with pytest.raises(ValueError, match="GGZY_DB_POOL_SIZE"):
            Settings.from_env({"GGZY_DATA_DIR": str(tmp_path), "GGZY_DB_POOL_SIZE": bad})
