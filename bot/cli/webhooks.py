"""`coachbot webhook add|list|remove|test`: the endpoints coachbot posts a workspace's
events to, signed (docs/webhooks.md)."""

from __future__ import annotations

import argparse
import sys

from bot.cli import common
from bot.cli.common import EXIT_PROBLEM, Subcommands
from bot.clock import SystemClock
from bot.config import Settings
from bot.render.sentences import sentence
from bot.vocabulary import WEBHOOK_EVENTS


def add_webhook(commands: Subcommands) -> None:
    hooks = commands.add_parser("webhook", help="webhooks: events posted to your systems")
    actions = hooks.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an endpoint; its signing secret is printed once")
    add.add_argument("url", help="where to POST, http:// or https://")
    add.add_argument(
        "--events",
        required=True,
        help=f"comma-separated, of {', '.join(WEBHOOK_EVENTS)}; or '*' for all",
    )
    add.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    add.set_defaults(handler=run_add)
    listing = actions.add_parser("list", help="the workspace's webhooks and their deliveries")
    listing.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    listing.set_defaults(handler=run_list)
    remove = actions.add_parser("remove", help="stop sending to a webhook (see list)")
    remove.add_argument("id", type=int, help="the webhook's id, as `webhook list` shows it")
    remove.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    remove.set_defaults(handler=run_remove)
    test = actions.add_parser("test", help="send a webhook.test event now and say how it went")
    test.add_argument("id", type=int, help="the webhook's id, as `webhook list` shows it")
    test.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    test.set_defaults(handler=run_test)


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.webhooks import WebhookError, register, webhook_cipher

    try:
        cipher = webhook_cipher(settings.token_keys)  # before anything else: no key, no secret
        team_id = common.team(args, settings)
        added = register(
            common.database(settings),
            cipher,
            team_id,
            args.url,
            args.events.split(","),
            SystemClock().now(),
        )
    except WebhookError as error:
        print(error, file=sys.stderr)
        return EXIT_PROBLEM
    print(
        sentence(
            "webhook_created", id=added.id, team_id=team_id, events=added.events, url=added.url
        ),
        file=sys.stderr,
    )
    print(added.secret)  # stdout, alone: `coachbot webhook add … > secret.txt` keeps just it
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.webhooks import WebhookError, list_webhooks

    team_id = common.team(args, settings)
    try:
        hooks = list_webhooks(common.database(settings), team_id)
    except WebhookError as error:
        print(error, file=sys.stderr)
        return EXIT_PROBLEM
    if not hooks:
        print(sentence("webhooks_none", team_id=team_id))
        return 0
    print(f"{'id':>4} {'state':<8} {'created':<17} {'waiting':>7} {'failed':>6}  events / url")
    for hook in hooks:
        state = "removed" if hook.disabled_at else "active"
        created = hook.created_at.strftime("%Y-%m-%d %H:%M")
        events = ",".join(hook.events)
        print(
            f"{hook.id:>4} {state:<8} {created:<17} {hook.pending:>7} {hook.failed:>6}  "
            f"{events} {hook.url}"
        )
    return 0


def run_remove(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.webhooks import WebhookError, remove

    team_id = common.team(args, settings)
    try:
        url, cancelled = remove(common.database(settings), team_id, args.id, SystemClock().now())
    except WebhookError as error:
        print(error, file=sys.stderr)
        return EXIT_PROBLEM
    print(sentence("webhook_removed", id=args.id, url=url, cancelled=cancelled))
    return 0


def run_test(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.webhooks import WebhookError, send_test, webhook_cipher

    try:
        cipher = webhook_cipher(settings.token_keys)
        team_id = common.team(args, settings)
        sent = send_test(common.database(settings), cipher, team_id, args.id, SystemClock().now())
    except WebhookError as error:
        print(error, file=sys.stderr)
        return EXIT_PROBLEM
    if sent.outcome == "delivered":
        print(
            sentence(
                "webhook_test_delivered", id=args.id, event_id=sent.event_id, status=sent.status
            )
        )
        return 0
    print(
        sentence("webhook_test_failed", id=args.id, event_id=sent.event_id, error=sent.error),
        file=sys.stderr,
    )
    return EXIT_PROBLEM
