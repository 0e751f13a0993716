"""`coachbot worker`, `run-job`, `failures` and `roleplays`: the scheduled work, run on its
schedule or now, and what an admin looks up when something went wrong."""

from __future__ import annotations

import argparse
import sys

from bot.cli import common
from bot.cli.common import EXIT_CONFIG, EXIT_PROBLEM, Subcommands, instant
from bot.clock import SystemClock
from bot.config import Settings
from bot.logs import configure_logging


def add_worker(commands: Subcommands) -> None:
    worker = commands.add_parser(
        "worker", help="run the scheduled jobs (one active worker at a time)"
    )
    worker.set_defaults(handler=run_worker)


def add_failures(commands: Subcommands) -> None:
    failures = commands.add_parser(
        "failures", help="recent Slack requests that failed, or the one a user's reference names"
    )
    failures.add_argument("reference", nargs="?", help="the reference the user was given")
    failures.add_argument("--limit", type=int, default=20, help="how many recent ones (20)")
    failures.set_defaults(handler=run_failures)


def add_run_job(commands: Subcommands) -> None:
    job = commands.add_parser("run-job", help="run one scheduled job now")
    job.add_argument(
        "name",
        help="directory, recompute, plan_drafts, nudges, digests, reviews, pairing, "
        "roleplay_idle, mentoring_reminders",
    )
    job.add_argument(
        "--as-of",
        type=instant,
        help="the job's now: 2026-11-23 (17:00 UTC that day) or 2026-11-23T14:00:00Z",
    )
    job.set_defaults(handler=run_run_job)


def add_roleplays(commands: Subcommands) -> None:
    idle = commands.add_parser("roleplays", help="close role-plays nobody answered for a while")
    idle.add_argument("action", choices=["close-idle"])
    idle.add_argument("--minutes", type=int, default=30, help="idle minutes before closing (30)")
    idle.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    idle.set_defaults(handler=run_roleplays)


def run_worker(_args: argparse.Namespace, settings: Settings) -> int:
    import logging

    from jobs.registry import configured_jobs
    from jobs.worker import run_worker as run_scheduled_jobs

    try:
        jobs = configured_jobs()  # before taking the lead, so a bad schedule never runs
    except ValueError as problem:
        print(problem, file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(logging.INFO)
    migrate_db = common.database(settings)  # schema first, before the job store creates its table
    migrate_db.dispose()
    run_scheduled_jobs(settings, jobs=jobs)
    return 0


def run_run_job(args: argparse.Namespace, settings: Settings) -> int:
    from jobs.registry import JOBS, run_job

    if args.name not in JOBS:
        print(f"unknown job {args.name!r}; jobs: {', '.join(JOBS)}", file=sys.stderr)
        return EXIT_PROBLEM
    print(run_job(args.name, settings, args.as_of or SystemClock().now()))
    return 0


def run_failures(args: argparse.Namespace, settings: Settings) -> int:
    """What an admin looks up when a user reports "something went wrong (reference …)"."""
    from bot.slack.errors import recent_failures

    db = common.database(settings)
    try:
        found = recent_failures(db, args.reference, args.limit)
    finally:
        db.dispose()
    if not found:
        print(
            f"no failure with reference {args.reference!r} (kept 30 days)"
            if args.reference
            else "no failed Slack requests in the last 30 days"
        )
        return EXIT_PROBLEM if args.reference else 0
    for failure in found:
        print(
            f"{failure.occurred_at:%Y-%m-%d %H:%M:%S} UTC  ref {failure.reference}  "
            f"team {failure.team_id or '-'}  user {failure.user_id or '-'}  {failure.kind}\n"
            f"    {failure.error}"
        )
    return 0


def run_roleplays(args: argparse.Namespace, settings: Settings) -> int:
    from bot.delivery.once import deliver_all
    from bot.services import operators, roleplays
    from bot.services.roleplay_messages import idle_notes
    from bot.slack.outbox import finish, sending_client

    db = common.database(settings)
    team = common.team(args, settings)
    workspace_id = operators.workspace_id(db, team)
    if workspace_id is None:
        print(f"No data for workspace {team!r}: no role-plays to close.")
        return 0
    client = sending_client(settings, db, team_id=team)
    closed = roleplays.close_idle(db, workspace_id, SystemClock().now(), args.minutes)
    deliver_all(db, client, workspace_id, idle_notes(client, closed), SystemClock().now)
    print(f"Closed {len(closed)} idle role-play(s).")
    finish(client, "coachbot preview: closed role-plays")
    return 0
