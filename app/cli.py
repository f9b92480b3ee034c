"""The `ggzy` command line. Each command's module is imported only when that command runs, so
the bidders' and custodians' tools (`ggzy keygen`, `seal`, `submit`, `receipt`, `custody`,
`opening`, `auction watch`) and the evaluation's checks (`draw verify`, `evaluation compute`) start without
the server's stack."""

from __future__ import annotations

import importlib
from typing import Any

import click

COMMANDS = {
    "serve": "app.cli_server:serve",
    "db": "app.cli_server:db",
    "org": "app.cli_server:org",
    "user": "app.cli_server:user",
    "calendar": "app.cli_server:calendar",
    "period": "app.cli_server:period_group",
    "audit": "app.cli_server:audit_group",
    "scheduler": "app.cli_server:scheduler",
    "demo": "app.cli_server:demo",
    "experts": "app.cli_server:experts",
    "credit": "app.cli_server:credit",
    "bonds": "app.cli_server:bonds",
    "export": "app.cli_server:export_group",
    "draw": "experts.tools:draw",
    "evaluation": "experts.tools:evaluation",
    "keygen": "bidding.sealing.client:keygen",
    "seal": "bidding.sealing.client:seal",
    "submit": "bidding.sealing.client:submit",
    "receipt": "bidding.sealing.client:receipt",
    "custody": "bidding.sealing.client:custody",
    "opening": "bidding.sealing.client:opening",
    "auction": "bidding.market.auction.watch:auction",
    "guarantor": "bidding.bonds.reference_guarantor:guarantor",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute = COMMANDS[cmd_name].split(":")
        command: Any = getattr(importlib.import_module(module_name), attribute)
        return command  # type: ignore[no-any-return]


@click.group(cls=LazyGroup)
def main() -> None:
    """ggzy: public resource trading (公共资源交易) platform."""
