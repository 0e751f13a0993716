"""The generated org as the server benchmarks (bench/slack_latency.py, bench/load.py) serve
it: generated or reused, the people who send the requests, and the snapshots the nightly job
would have stored.

Run as a script (`python bench/_served_org.py URL AS_OF`) it is the child process that stores
the snapshots: run_assessments() as the nightly job runs it, its time and peak memory printed
as JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _harness import peak_rss
from _orgs import (
    TEAM_ID,
    Sizes,
    database_label,
    prepare,
    report_database,
    sizes_from,
    stored_params,
)
from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.engine import make_url

from bot.coaching.assessment import AssessmentConfig
from bot.store.engine import Database, make_engine
from bot.store.models import AssessmentSnapshot, Person, Workspace
from bot.vocabulary import DEFAULT_STAGES

MAX_DATA_AGE_DAYS = 7  # reuse a stored org whose data ends at most this long ago


@dataclass(frozen=True)
class Rep:
    """A person who sends requests: a rep, or a manager."""

    person_id: int
    slack_user_id: str
    email: str
    name: str
    timezone: str


# --- the org ----------------------------------------------------------------------------------


def stored_sizes(url: str) -> dict[str, Any] | None:
    """The parameters of the org already in the database, if any."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return None
    engine = make_engine(url)
    try:
        stored = stored_params(engine)
    finally:
        engine.dispose()
    return (stored or {}).get("sizes")


def choose_sizes(args: argparse.Namespace, today: date) -> Sizes:
    """The org's Sizes; the data ends today, or on the date of a stored org of the same
    sizes whose data is at most MAX_DATA_AGE_DAYS old (so a rerun does not regenerate it)."""
    if args.data_as_of:
        return sizes_from(args, date.fromisoformat(args.data_as_of))
    stored = None if args.regenerate else stored_sizes(args.database_url)
    if stored and stored.get("as_of"):
        ended = date.fromisoformat(stored["as_of"])
        candidate = sizes_from(args, ended)
        if 0 <= (today - ended).days <= MAX_DATA_AGE_DAYS and candidate.params() == stored:
            return candidate
    return sizes_from(args, today)


def prepare_org(args: argparse.Namespace, today: date) -> Sizes:
    """The org of the sizes asked for, generated or reused; says which."""
    sizes = choose_sizes(args, today)
    generated, counts = prepare(args.database_url, sizes, args.regenerate)
    print(
        f"org          : {counts['people']:,} people ({sizes.reps:,} reps), "
        f"{counts['deals']:,} deals, {counts['activities']:,} activities, "
        f"{counts['feedback']:,} feedback; data up to {sizes.as_of}"
    )
    report_database(database_label(args.database_url), generated)
    return sizes


# --- the people -------------------------------------------------------------------------------


def workspace_id(session: Any) -> int:
    found = session.scalar(select(Workspace.id).where(Workspace.team_id == TEAM_ID))
    if found is None:
        raise SystemExit(f"no workspace {TEAM_ID} in the database")
    return int(found)


def link_slack_ids(db: Database) -> int:
    """Give every person without a Slack user id a deterministic one (one UPDATE); the
    generator sets them, so this normally changes nothing. Returns the rows changed."""
    with db.begin() as session:
        workspace = workspace_id(session)
        done = session.execute(
            update(Person)
            .where(Person.workspace_id == workspace, Person.slack_user_id.is_(None))
            .values(slack_user_id=literal("UL") + cast(Person.id, String))
        )
        return int(done.rowcount or 0)


def pick_reps(db: Database, count: int, role: str = "rep") -> list[Rep]:
    """`count` different active people of `role`, spread evenly over the org."""
    with db.begin() as session:
        rows = session.execute(
            select(Person.id, Person.slack_user_id, Person.email, Person.name, Person.timezone)
            .where(
                Person.workspace_id == workspace_id(session),
                Person.role == role,
                Person.active.is_(True),
            )
            .order_by(Person.id)
        ).all()
    if len(rows) < count:
        raise SystemExit(
            f"{count} requests need {count} different active people with the role {role}; "
            f"the org has {len(rows)}: ask for fewer requests or more --reps"
        )
    picked = [rows[i * len(rows) // count] for i in range(count)]
    return [Rep(r.id, r.slack_user_id, r.email, r.name, r.timezone or "UTC") for r in picked]


# --- the snapshots ----------------------------------------------------------------------------


def server_today(now: datetime) -> date:
    """The date the server's clock shows: COACHBOT_TIMEZONE is not passed on, so UTC."""
    return now.astimezone(ZoneInfo("UTC")).date()


def snapshot_dates(users: list[Rep]) -> list[date]:
    """The server's today; `/coach me` looks for a snapshot no later than the user's own
    date, so when a user's zone is still on the day before, that date too."""
    today = server_today(datetime.now(UTC))
    local = {datetime.now(ZoneInfo(u.timezone)).date() for u in users}
    return sorted({today} | {d for d in local if d < today})


def snapshot_marker(db: Database) -> tuple[int, str]:
    """How many snapshots the workspace has and when the last was written: if the server
    assesses during the run (a snapshot missed), this changes."""
    with db.begin() as session:
        count, last = session.execute(
            select(func.count(), func.max(AssessmentSnapshot.created_at)).where(
                AssessmentSnapshot.workspace_id == workspace_id(session)
            )
        ).one()
    return int(count), str(last)


def snapshots_now(url: str) -> tuple[int, str]:
    """snapshot_marker() of the database at `url`."""
    db = Database.from_url(url)
    try:
        return snapshot_marker(db)
    finally:
        db.dispose()


def have_snapshots(url: str, reps: list[Rep], as_of: date) -> bool:
    """Does every chosen rep have a snapshot for `as_of` already (--reuse-snapshots)?"""
    db = Database.from_url(url)
    try:
        with db.begin() as session:
            found = session.scalar(
                select(func.count()).where(
                    AssessmentSnapshot.workspace_id == workspace_id(session),
                    AssessmentSnapshot.person_id.in_([r.person_id for r in reps]),
                    AssessmentSnapshot.as_of == as_of,
                    AssessmentSnapshot.window_days == AssessmentConfig().window_days,
                )
            )
    finally:
        db.dispose()
    return found == len(reps)


def child_assess(url: str, as_of: date) -> dict[str, Any]:
    """run_assessments() as the nightly job runs it, in this (child) process."""
    from bot.services.assessments import run_assessments

    db = Database.from_url(url)
    started = time.perf_counter()
    run = run_assessments(
        db, TEAM_ID, as_of, datetime.now(UTC), AssessmentConfig(stages=DEFAULT_STAGES)
    )
    elapsed = time.perf_counter() - started
    db.dispose()
    return {"seconds": elapsed, "assessed": len(run.assessments), "peak": peak_rss()}


def store_snapshots(url: str, as_of: date) -> dict[str, Any]:
    """child_assess() in a fresh child process, so its peak memory is its own."""
    command = [sys.executable, str(Path(__file__).resolve()), url, as_of.isoformat()]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True, timeout=3600)
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    database_url, as_of_text = sys.argv[1:]
    print(json.dumps(child_assess(database_url, date.fromisoformat(as_of_text))))
