"""The database goes away in the middle of a job (PostgreSQL, as in production): the job fails
loudly, what it leaves is only the claim on the message it was sending, and the next run,
with the database back, completes with no duplicate and no one skipped."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.clock import FixedClock
from bot.config import Settings
from bot.slack.client import retry_handlers
from bot.store import migrate
from bot.store.engine import Database, make_engine
from bot.store.models import Delivery, Person
from jobs import nudges
from jobs.context import JobContext
from tests.helpers import ORG, run, write
from tests.slack.stub import SlackStub

FAULT_DB = "coachbot_fault"
MONDAY = datetime(2026, 11, 23, 18, tzinfo=UTC)  # every rep's Monday nudge is due
PEOPLE = (
    "email,name,role,manager_email,team,timezone,slack_user_id\n"
    "mia@acme.example,Mia Manager,manager,,East,America/New_York,U0MIA\n"
    "ann@acme.example,Ann Archer,rep,mia@acme.example,East,America/New_York,U0ANN\n"
    "bob@acme.example,Bob Baker,rep,mia@acme.example,East,America/Los_Angeles,U0BOB\n"
    "lou@acme.example,Lou London,rep,mia@acme.example,East,Europe/London,U0LOU\n"
)
REPS = ("U0ANN", "U0BOB", "U0LOU")


def _connections(admin: Engine, allowed: bool) -> None:
    """Let clients in, or shut the database: no new connections, and every open one cut."""
    with admin.connect() as connection:
        connection.execute(text(f"ALTER DATABASE {FAULT_DB} ALLOW_CONNECTIONS {allowed}"))
        if not allowed:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": FAULT_DB},
            )


@pytest.fixture
def fault_db(pg_url: str) -> Iterator[tuple[str, Engine]]:
    """A PostgreSQL database of its own (so shutting it touches no other test)."""
    admin = make_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": FAULT_DB}
        )
    if exists:
        _connections(admin, False)
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {FAULT_DB}"))
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {FAULT_DB}"))
    url = make_url(pg_url).set(database=FAULT_DB).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield url, admin
    finally:
        _connections(admin, False)
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {FAULT_DB}"))
        admin.dispose()


def test_the_database_going_away_mid_job_fails_it_loudly_and_the_next_run_completes(
    fault_db: tuple[str, Engine], tmp_path: Path
) -> None:
    url, admin = fault_db
    settings = Settings(database_url=url, send_threads=1)
    db = Database.from_url(url)
    clock = FixedClock(MONDAY)
    files = dict(ORG, **{"people.csv": PEOPLE})
    run(db, settings, clock, *(write(tmp_path, name, body) for name, body in files.items()))
    with db.begin() as session:
        people = session.scalars(select(Person).where(Person.slack_user_id.in_(REPS))).all()
        assert len(people) == 3
    slack_now = {"now": MONDAY}
    with SlackStub(clock=lambda: slack_now["now"]) as stub:
        client = WebClient(
            token="xoxb-test", base_url=stub.base_url, retry_handlers=retry_handlers()
        )
        # Slack takes the first nudge and, while its answer is on the way, the database goes.
        stub.delay_next("chat.postMessage", 2)
        shut = threading.Thread(
            target=lambda: (
                stub.wait_for("chat.postMessage", timeout=30),
                _connections(admin, False),
            )
        )
        shut.start()
        with pytest.raises(OperationalError):
            nudges.run(JobContext(settings, db, client, MONDAY))
        shut.join(30)
        first = stub.calls_to("chat.postMessage")[0].channel
        assert len(stub.calls_to("chat.postMessage")) == 1  # nobody else was sent to

        _connections(admin, True)
        db.dispose()  # the pool's connections died with the database
        with db.begin() as session:
            [claim] = session.scalars(select(Delivery)).all()
        assert claim.status == "sending" and stub.dm_channel(claim.recipient) == first

        # The next hourly run completes: the first nudge is found in its DM, not re-sent.
        later = MONDAY + timedelta(hours=1)
        slack_now["now"] = later
        summary = nudges.run(JobContext(replace(settings), db, client, later))
        assert summary == "nudges: 2 sent, 1 already sent, 0 failed"
        assert {u: len(stub.messages(stub.dm_channel(u))) for u in REPS} == dict.fromkeys(REPS, 1)
    with db.begin() as session:
        assert {d.status for d in session.scalars(select(Delivery))} == {"sent"}
    db.dispose()
