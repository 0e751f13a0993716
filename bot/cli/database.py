"""`coachbot db` and `coachbot workspace`: the schema, and data stored under the wrong team."""

from __future__ import annotations

import argparse
import sys

from bot.cli import common
from bot.cli.common import EXIT_PROBLEM, Subcommands
from bot.config import Settings


def add_db(commands: Subcommands) -> None:
    db = commands.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade", "current"], help="migrate to the latest schema")
    db.set_defaults(handler=run_db)


def add_workspace(commands: Subcommands) -> None:
    space = commands.add_parser("workspace", help="move CRM data stored under the wrong team id")
    space.add_argument("action", choices=["move"])
    space.add_argument("source", metavar="FROM", help="the team id the data sits under")
    space.add_argument("target", metavar="TO", help="the Slack team id it belongs to")
    space.set_defaults(handler=run_workspace)


def run_db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import migrate

    db = common.database(settings, migrated=False)
    if args.action == "upgrade":
        migrate.upgrade(db.engine)
    print(
        f"schema revision: {migrate.current_revision(db.engine)} (latest {migrate.head_revision()})"
    )
    return 0


def run_workspace(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.workspaces import WorkspaceMoveError, move_workspace

    try:
        with common.database(settings).begin() as session:
            moved = move_workspace(session, args.source, args.target)
    except WorkspaceMoveError as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    print(f"workspace {args.source} is now {args.target}: {moved}")
    return 0
