"""docker-compose.yml (no Docker engine here): its shape, and that every command it runs exists."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_roles() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "scheduler"}
    assert services["migrate"]["restart"] == "no"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["scheduler"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_ggzy_services_share_settings_that_the_app_reads() -> None:
    settings_source = (ROOT / "app" / "core" / "settings.py").read_text()
    for name in ("migrate", "web", "scheduler"):
        environment = COMPOSE["services"][name]["environment"]
        assert environment["GGZY_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert environment["GGZY_REDIS_URL"].startswith("redis://")
        for variable in environment:
            assert f'"{variable}"' in settings_source, f"{variable} is not read by app/core/settings.py"
    # Behind a load balancer the client is named by its X-Forwarded-For, believed from it alone:
    # the operator must say which addresses it has (compose refuses to start without them).
    trusted = COMPOSE["services"]["web"]["environment"]["GGZY_TRUSTED_PROXIES"]
    assert trusted.startswith("${GGZY_TRUSTED_PROXIES:?")


def test_every_ggzy_command_in_compose_exists() -> None:
    runner = CliRunner()
    for name, service in COMPOSE["services"].items():
        command = service.get("command", [])
        if command[:1] == ["ggzy"]:
            result = runner.invoke(main, [*command[1:], "--help"])
            assert result.exit_code == 0, f"{name}: {' '.join(command)}: {result.output}"


def test_the_image_installs_every_package_the_service_imports() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("app", "bidding", "credit", "experts", "migrations"):
        assert f"COPY {package} ./{package}" in dockerfile
