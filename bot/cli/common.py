"""What every `coachbot` command shares: exit codes, argument types, the database and the
workspace a command acts on."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time

from bot.clock import SystemClock
from bot.config import Settings
from bot.slack.outbox import SendingUnavailable
from bot.store.engine import Database

EXIT_PROBLEM = 1
EXIT_CONFIG = 2

# `commands.add_parser(...)` lives on this; argparse does not name the type publicly.
Subcommands = argparse._SubParsersAction


def database(settings: Settings, migrated: bool = True) -> Database:
    """The configured database, brought to the latest schema first (cheap when it is)."""
    from bot.store import migrate

    db = Database.from_url(settings.database_url)
    if migrated:
        migrate.upgrade(db.engine)
    return db


def team(args: argparse.Namespace, settings: Settings) -> str:
    """The workspace a command acts on: --workspace, else as `default_team` finds it."""
    return args.workspace or default_team(settings)


def default_team(settings: Settings) -> str:
    """COACHBOT_WORKSPACE when set; else, with a bot token, the token's own workspace (so the
    data lands where Slack's requests will look for it); else the local default."""
    from bot.config import DEFAULT_WORKSPACE
    from bot.slack.team import SlackSetupError, whoami

    if settings.workspace != DEFAULT_WORKSPACE or not settings.slack_bot_token:
        return settings.workspace
    try:
        identity = whoami(settings)
    except SlackSetupError as problem:
        raise SendingUnavailable(
            f"{problem}. Or name the workspace with --workspace T0123ABCD."
        ) from problem
    print(f"workspace {identity.team_id} ({identity.team}), from the bot token", file=sys.stderr)
    return identity.team_id


def today(args: argparse.Namespace, settings: Settings) -> date:
    return args.as_of or SystemClock().now().astimezone(settings.zone).date()


def instant(text: str) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(17, 0), tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2026-11-23 or a time like 2026-11-23T14:00:00Z, got {text!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-03-31, got {text!r}") from None
