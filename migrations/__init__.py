"""Alembic migrations: one linear history. Run with `ggzy db upgrade`."""
