"""`coachbot import` and `coachbot people`: CRM exports in, people matched to Slack."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import common
from bot.cli.common import EXIT_PROBLEM, Subcommands
from bot.clock import SystemClock
from bot.config import Settings
from bot.ingest.importer import FileReport, ImportRequest
from bot.ingest.mapping import FORMATS
from bot.slack.outbox import SendingUnavailable
from bot.store.engine import Database
from bot.vocabulary import RECORD_KINDS, plural


def add_import(commands: Subcommands) -> None:
    imp = commands.add_parser("import", help="import CRM exports (CSV)")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument("--format", choices=FORMATS, default="native", help="the export's source")
    imp.add_argument("--mapping", type=Path, help="YAML or TOML column/value mapping file")
    imp.add_argument("--kind", choices=RECORD_KINDS, help="what the files hold (default: header)")
    imp.add_argument("--encoding", default="utf-8", help="file encoding (default utf-8)")
    imp.add_argument("--workspace", help="Slack team id to import into (COACHBOT_WORKSPACE)")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.add_argument(
        "--no-slack",
        action="store_true",
        help="do not match people to Slack after the import (the daily job still will)",
    )
    imp.set_defaults(handler=run_import)


def add_people(commands: Subcommands) -> None:
    people = commands.add_parser("people", help="people matched to Slack, and who is not")
    people.add_argument(
        "action",
        choices=["unmatched", "sync"],
        help="unmatched: list who has no Slack account; sync: match by email now",
    )
    people.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    people.set_defaults(handler=run_people)


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.imports import import_files

    team = common.team(args, settings)
    request = ImportRequest(
        paths=args.files,
        team_id=team,
        format=args.format,
        mapping=args.mapping,
        kind=args.kind,
        encoding=args.encoding,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    db = common.database(settings)
    reports = import_files(db, settings, request, SystemClock())
    print_reports(reports)
    if not args.no_slack:
        match_to_slack(settings, db, team)
    return 0


def match_to_slack(settings: Settings, db: Database, team: str) -> None:
    """After an import: people matched to Slack now, welcomed, and the admins told."""
    from bot.slack.outbox import sending_client
    from jobs.context import JobContext
    from jobs.directory_sync import run as sync_directory

    if not (settings.slack_bot_token or settings.oauth):
        print(
            "Slack is not configured yet: once it is, the worker matches people to Slack by "
            "email every night (or run `coachbot people sync`)."
        )
        return
    try:
        client = sending_client(settings, db, team_id=team)
    except SendingUnavailable as unavailable:
        print(f"people not matched to Slack: {unavailable}")
        return
    print(sync_directory(JobContext(settings, db, client, SystemClock().now(), team_id=team)))


def run_people(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import operators
    from bot.services.directory import unmatched

    db = common.database(settings)
    team = common.team(args, settings)
    if args.action == "sync":
        match_to_slack(settings, db, team)
        return 0
    workspace_id = operators.workspace_id(db, team)
    if workspace_id is None:
        print(f"no data for workspace {team!r}: import CRM files first", file=sys.stderr)
        return EXIT_PROBLEM
    missing = unmatched(db, workspace_id)
    if not missing:
        print(f"everyone active in workspace {team} is matched to a Slack account")
        return 0
    who = plural(len(missing), "person", "people")
    verb = "has" if len(missing) == 1 else "have"
    print(f"{who} in workspace {team} {verb} no Slack account with their email:")
    for ref in missing:
        print(f"  {ref.name} <{ref.email}> ({ref.role})")
    print(
        "Fix the email in the CRM and import again, or in the person's Slack profile; the "
        "daily directory job (or `coachbot people sync`) matches them then."
    )
    return 0


def print_reports(reports: list[FileReport]) -> None:
    for report in reports:
        print(
            f"{report.name}: {report.rows} {report.kind} rows "
            f"({report.created} new, {report.updated} updated)"
        )
        if report.ignored_columns:
            print(f"  columns not used: {', '.join(report.ignored_columns)}")
