"""Shared fixtures: a migrated database per test (SQLite, or PostgreSQL when asked) and a clock.

Set COACHBOT_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test to run the whole
suite against PostgreSQL. With CI=true an unreachable PostgreSQL fails the run; elsewhere the
database tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.clock import FixedClock
from bot.config import Settings
from bot.store import migrate
from bot.store.base import Base
from bot.store.engine import Database, make_engine

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _no_real_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a developer's real Slack credentials or settings."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "COACHBOT_")) and name != "COACHBOT_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.delenv("DATABASE_URL", raising=False)


def _unreachable(url: str, reason: str) -> None:
    message = f"PostgreSQL at {url} is not reachable: {reason}"
    if IN_CI:
        pytest.fail(message + " (CI=true: a missing database is a failure, not a skip)")
    pytest.skip(message)


def _check_postgres(url: str) -> None:
    engine = make_engine(url, pool_pre_ping=False)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as error:  # any driver error means "not reachable" here
        _unreachable(url, str(error).splitlines()[0])
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for the session: a SQLite template file, or a clean PostgreSQL."""
    url = os.environ.get("COACHBOT_TEST_DATABASE_URL", "").strip()
    if url:
        _check_postgres(url)
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(engine)
        engine.dispose()
        yield url
        return
    template = tmp_path_factory.mktemp("template") / "coachbot.db"
    engine = make_engine(f"sqlite:///{template}")
    migrate.upgrade(engine)
    engine.dispose()
    yield f"sqlite-template:{template}"


def fresh_database(database_backend: str, folder: Path) -> str:
    """An empty, migrated database: a copy of the SQLite template, or PostgreSQL emptied."""
    if database_backend.startswith("sqlite-template:"):
        copy = folder / "coachbot.db"
        shutil.copy(database_backend.split(":", 1)[1], copy)
        return f"sqlite:///{copy}"
    engine = make_engine(database_backend)
    tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return database_backend


@pytest.fixture
def database_url(database_backend: str, tmp_path: Path) -> str:
    """A URL to an empty, migrated database of its own for this test."""
    return fresh_database(database_backend, tmp_path)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))


@pytest.fixture
def pg_url() -> str:
    """PostgreSQL for tests that need it whatever the suite's backend (locks, two workers)."""
    url = os.environ.get("COACHBOT_TEST_DATABASE_URL", "").strip() or PG_DEFAULT
    _check_postgres(url)
    return url


@pytest.fixture
def slack_app(db: Database, settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[Any]:
    """The real app over HTTP, serving the Acme org (tests/helpers.py ACME), with the Slack
    stub behind it. Test modules with another org define their own."""
    from tests.slackapp import acme_app

    with acme_app(db, settings, clock, tmp_path) as app:
        yield app
