"""Running Alembic from code: the CLI's `ggzy db ...` verbs and the tests use these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advanced_alchemy.types import GUID
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

import migrations


def compare_type(context: Any, _inspected: Any, _column: Any, inspected_type: Any, metadata_type: Any) -> bool | None:
    """Autogenerate's type comparison, minus one false alarm: SQLite reflects advanced-alchemy's
    GUID (stored as BINARY(16)) as NUMERIC, which is the same column, not a change."""
    if context.dialect.name == "sqlite" and isinstance(metadata_type, GUID):
        return False
    return None  # Alembic's default comparison


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    # Kept out of the ini options, where '%' in a password would need escaping.
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
