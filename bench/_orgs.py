"""The benchmarks' generated org: 5,000 reps, 1,000,000 deals and 5,000,000 activities by
default, written straight into the database with numpy and bulk inserts, and reused while its
parameters match (they are kept in a small table next to the data).

bench/assess.py, bench/slack_latency.py, bench/load.py and bench/fanout.py all work on it; the
rows themselves come from _org_people, _org_deals and _org_activity.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from _org_activity import write_activities, write_feedback
from _org_columns import day_number, next_id
from _org_deals import write_deals, write_stage_events
from _org_people import Target, write_people
from _report import mib
from sqlalchemy import Column, Engine, MetaData, String, Table, Text, delete, insert, select, text
from sqlalchemy.engine import make_url

from bot.store.engine import make_engine
from bot.store.migrate import MIGRATIONS, upgrade
from bot.store.models import Activity, Deal, Feedback, Person, StageEvent, Workspace

TEAM_ID = "TBENCHASSESS"
GENERATOR_VERSION = 1  # bump when the generated shape changes: stored orgs are then rebuilt
AS_OF = date(2026, 11, 20)

params_table = Table(
    "bench_assess_params",
    MetaData(),
    Column("team_id", String(64), primary_key=True),
    Column("params", Text, nullable=False),
)


@dataclass(frozen=True)
class Sizes:
    reps: int
    deals: int
    activities: int
    feedback: int
    seed: int
    as_of: str

    def params(self) -> dict[str, Any]:
        return {**asdict(self), "generator": GENERATOR_VERSION}


def sizes_from(args: argparse.Namespace, as_of: date) -> Sizes:
    """The Sizes the command line asks for (_harness.add_org_sizes), data ending on `as_of`."""
    feedback = args.feedback if args.feedback is not None else args.reps * 8 // 5
    return Sizes(args.reps, args.deals, args.activities, feedback, args.seed, as_of.isoformat())


def migration_hashes() -> dict[str, str]:
    """Each migration file's hash. New migrations are applied to a stored org by upgrade();
    one edited in place since the org was generated means rebuilding it."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        for path in sorted((MIGRATIONS / "versions").glob("*.py"))
    }


def generate(engine: Engine, sizes: Sizes, log: Callable[[str], None]) -> dict[str, int]:
    """Write the org into the database; returns row counts per table."""
    rng = np.random.default_rng(sizes.seed)
    as_of = date.fromisoformat(sizes.as_of)
    stamp = datetime.combine(as_of, datetime.min.time(), UTC)
    tables = {
        name: model.__table__
        for name, model in [
            ("people", Person),
            ("deals", Deal),
            ("stage_events", StageEvent),
            ("activities", Activity),
            ("feedback", Feedback),
        ]
    }
    with engine.begin() as connection:
        workspace = connection.execute(
            insert(Workspace.__table__)
            .values(team_id=TEAM_ID, name="Assessment benchmark", created_at=stamp)
            .returning(Workspace.__table__.c.id)
        ).scalar_one()
        first = {name: next_id(connection, table) for name, table in tables.items()}
    target = Target(engine, tables, first, workspace, stamp, day_number(as_of), log)

    # One generator, drawn from in this order: the same seed gives the same org.
    reps = write_people(target, rng, sizes.reps)
    deals = write_deals(target, rng, reps, sizes.deals)
    events = write_stage_events(target, rng, deals)
    write_activities(target, rng, reps, deals, sizes.activities)
    write_feedback(target, rng, reps, sizes.feedback)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in tables.values():
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )
    return {
        "people": reps.people,
        "deals": sizes.deals,
        "stage_events": events,
        "activities": sizes.activities,
        "feedback": sizes.feedback,
    }


def stored_params(engine: Engine) -> dict[str, Any] | None:
    params_table.create(engine, checkfirst=True)
    with engine.connect() as connection:
        found = connection.scalar(
            select(params_table.c.params).where(params_table.c.team_id == TEAM_ID)
        )
    return json.loads(found) if found else None


def reusable(engine: Engine, wanted: dict[str, Any]) -> dict[str, int] | None:
    """The stored org's row counts when it was generated with these parameters and no
    migration it was built with has changed since."""
    stored = stored_params(engine)
    if not stored or stored.get("sizes") != wanted or "migrations" not in stored:
        return None
    current = migration_hashes()
    if any(current.get(name) != digest for name, digest in stored["migrations"].items()):
        return None
    return stored["counts"]


def drop_org(engine: Engine) -> None:
    """Another size on a shared server: delete the old org. Activities go first, and on
    PostgreSQL the table is vacuumed: activities.deal_id has no index, so each deleted deal
    would otherwise scan every activity row (dead ones too) to set its deal_id to NULL."""
    with engine.begin() as connection:
        connection.execute(delete(params_table).where(params_table.c.team_id == TEAM_ID))
        workspace = connection.scalar(select(Workspace.id).where(Workspace.team_id == TEAM_ID))
        if workspace is None:
            return
        connection.execute(delete(Activity.__table__).where(Activity.workspace_id == workspace))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM activities")
    with engine.begin() as connection:
        connection.execute(delete(Workspace.__table__).where(Workspace.id == workspace))


def prepare(url: str, sizes: Sizes, regenerate: bool) -> tuple[float | None, dict[str, int]]:
    """Make sure the org with these parameters is in the database: (seconds spent generating,
    or None when reused; row counts)."""
    wanted = sizes.params()
    parsed = make_url(url)
    path = Path(parsed.database) if parsed.get_backend_name() == "sqlite" else None
    if path and path.exists():
        engine = make_engine(url)
        stale = regenerate or reusable(engine, wanted) is None
        engine.dispose()
        if stale:
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        built_with = migration_hashes()
        upgrade(engine)
        counts = None if regenerate else reusable(engine, wanted)
        if counts is not None:
            return None, counts
        print(
            f"generating {sizes.reps:,} reps, {sizes.deals:,} deals, "
            f"{sizes.activities:,} activities into {parsed.render_as_string()} ...",
            flush=True,
        )
        started = time.perf_counter()
        drop_org(engine)
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA cache_size=-1000000")  # 1 GB while we write

        def log(message: str) -> None:
            print(f"  {time.perf_counter() - started:6.1f} s  {message}", flush=True)

        counts = generate(engine, sizes, log)
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute(
                insert(params_table).values(
                    team_id=TEAM_ID,
                    params=json.dumps(
                        {"sizes": wanted, "migrations": built_with, "counts": counts}
                    ),
                )
            )
        return time.perf_counter() - started, counts
    finally:
        engine.dispose()


def database_label(url: str) -> str:
    """The database the org is in, with its size now for a SQLite file."""
    parsed = make_url(url)
    where = parsed.render_as_string()
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        where += f" ({mib(Path(parsed.database).stat().st_size)})"
    return where


def report_database(where: str, generated: float | None) -> None:
    """The database_label() and whether the org was generated just now or reused."""
    print(f"database     : {where}")
    print(
        "generated    : "
        + (f"in {generated:.1f} s" if generated else "reused (--regenerate rebuilds it)")
    )
