"""The `coachbot` command: what admins and operators run.

Each command group lives in its own module here and adds its subcommands to the parser; a
subcommand names the function that runs it (`handler`, given the settings, or
`before_settings` for the few that must run without them)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli.common import EXIT_CONFIG, EXIT_PROBLEM
from bot.cli.parser import build_parser
from bot.config import ConfigError, load_settings
from bot.ingest.problems import ImportRejected
from bot.slack.outbox import SendingUnavailable

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _read_dotenv()
    if before_settings := getattr(args, "before_settings", None):
        return before_settings()
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG
    try:
        return args.handler(args, settings)
    except ImportRejected as rejected:
        print(rejected.log.summary(), file=sys.stderr)
        return EXIT_PROBLEM
    except SendingUnavailable as unavailable:
        print(unavailable, file=sys.stderr)
        return EXIT_PROBLEM


def _read_dotenv() -> None:
    """Settings from ./.env when it exists (as .env.example promises); the environment wins."""
    from dotenv import load_dotenv

    env_file = Path.cwd() / ".env"
    if env_file.is_file():
        load_dotenv(env_file, override=False)
