"""`coachbot api-key create|list|revoke`: the keys neighbouring systems call the API with."""

from __future__ import annotations

import argparse
import sys

from bot.cli import common
from bot.cli.common import EXIT_PROBLEM, Subcommands
from bot.clock import SystemClock
from bot.config import Settings
from bot.render.sentences import sentence
from bot.vocabulary import API_SCOPES


def add_api_key(commands: Subcommands) -> None:
    keys = commands.add_parser("api-key", help="API keys for neighbouring systems (docs/api.md)")
    actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key; it is printed once, never again")
    create.add_argument("--name", required=True, help="who uses it, e.g. forecasting")
    create.add_argument(
        "--scope", choices=API_SCOPES, default="read", help="read (default), or write (also reads)"
    )
    create.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    create.set_defaults(handler=run_create)
    listing = actions.add_parser("list", help="the workspace's keys (prefix, name, scope, use)")
    listing.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    listing.set_defaults(handler=run_list)
    revoke = actions.add_parser("revoke", help="revoke a key by its prefix (see list)")
    revoke.add_argument("prefix", help="the key's prefix, as `api-key list` shows it")
    revoke.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    revoke.set_defaults(handler=run_revoke)


def run_create(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.api_keys import ApiKeyError, create_key

    team_id = common.team(args, settings)
    try:
        key = create_key(
            common.database(settings), team_id, args.name, args.scope, SystemClock().now()
        )
    except ApiKeyError as error:
        print(error, file=sys.stderr)
        return EXIT_PROBLEM
    print(
        sentence("api_key_created", name=args.name, scope=args.scope, team_id=team_id),
        file=sys.stderr,
    )
    print(key)
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.api_keys import list_keys

    team_id = common.team(args, settings)
    keys = list_keys(common.database(settings), team_id)
    if not keys:
        print(sentence("api_keys_none", team_id=team_id))
        return 0
    print(f"{'prefix':<14} {'scope':<6} {'created':<17} {'last used':<17} {'state':<8} name")
    for key in keys:
        state = "revoked" if key.revoked_at else "active"
        used = key.last_used_at.strftime("%Y-%m-%d %H:%M") if key.last_used_at else "never"
        created = key.created_at.strftime("%Y-%m-%d %H:%M")
        print(f"{key.prefix:<14} {key.scope:<6} {created:<17} {used:<17} {state:<8} {key.name}")
    return 0


def run_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.api_keys import ApiKeyError, revoke_key

    team_id = common.team(args, settings)
    try:
        key = revoke_key(common.database(settings), team_id, args.prefix, SystemClock().now())
    except ApiKeyError as error:
        print(error, file=sys.stderr)
        return EXIT_PROBLEM
    print(sentence("api_key_revoked", prefix=key.prefix, name=key.name))
    return 0
