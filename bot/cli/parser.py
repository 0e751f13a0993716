"""The `coachbot` argument parser: each command group's module adds its own subcommands."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.cli import (
    api_keys,
    assess,
    database,
    demo,
    effectiveness,
    imports,
    pairing,
    plans,
    serve,
    setup,
    webhooks,
    worker,
)
from bot.cli.common import Subcommands

# In the order `coachbot --help` lists them (which is not grouped by module).
SUBCOMMANDS: tuple[Callable[[Subcommands], None], ...] = (
    database.add_db,
    imports.add_import,
    imports.add_people,
    demo.add_demo_data,
    assess.add_assess,
    serve.add_serve,
    plans.add_plans,
    plans.add_checkpoints,
    effectiveness.add_effectiveness,
    pairing.add_pair,
    pairing.add_playbook,
    setup.add_doctor,
    database.add_workspace,
    worker.add_worker,
    setup.add_keygen,
    worker.add_failures,
    worker.add_run_job,
    worker.add_roleplays,
    api_keys.add_api_key,
    webhooks.add_webhook,
    demo.add_demo,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coachbot", description="Coach B2B sales reps from their own CRM data, in Slack."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(commands)
    return parser
