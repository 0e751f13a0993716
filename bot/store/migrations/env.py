"""Alembic environment: run by `coachbot db upgrade` (bot/store/migrate.py), never by hand."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.store import models  # noqa: F401  (registers the tables on Base.metadata)
from bot.store.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through bot.store.migrate, which passes a connection")
run_migrations(connection)
