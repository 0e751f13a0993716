"""`coachbot pair` and `coachbot playbook`: mentors and peer groups from the strongest reps,
and what those reps do differently."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import common
from bot.cli.common import EXIT_PROBLEM, Subcommands, iso_date
from bot.clock import SystemClock
from bot.config import Settings
from bot.vocabulary import SKILLS


def add_pair(commands: Subcommands) -> None:
    pair = commands.add_parser("pair", help="a mentor pairing round: invitations and peer groups")
    pair.add_argument("--as-of", type=iso_date, help="date of the round (default today)")
    pair.add_argument("--send", action="store_true", help="send invitations (Slack or preview)")
    pair.add_argument("--capacity", type=int, default=2, help="mentees per mentor (2)")
    pair.add_argument("--expiry-days", type=int, default=5, help="days to answer an invitation (5)")
    pair.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    pair.set_defaults(handler=run_pair)


def add_playbook(commands: Subcommands) -> None:
    book = commands.add_parser("playbook", help="what top performers do differently in a skill")
    book.add_argument("skill", choices=SKILLS)
    book.add_argument("--as-of", type=iso_date, help="date (default today)")
    book.add_argument("--out", type=Path, help="write the Markdown here instead of printing it")
    book.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    book.set_defaults(handler=run_playbook)


def run_pair(args: argparse.Namespace, settings: Settings) -> int:
    from bot.clock import iso_week
    from bot.delivery.once import deliver_all
    from bot.services import operators, pairing, pairing_messages
    from bot.services.assessments import assessment_config
    from bot.slack.outbox import finish, sending_client

    db = common.database(settings)
    team = common.team(args, settings)
    today = common.today(args, settings)
    now = SystemClock().now()
    config = assessment_config(settings)
    try:
        expired = pairing.expire(db, team, today, now)
        result = pairing.run_round(db, team, today, now, config, args.capacity, args.expiry_days)
    except pairing.PairingError as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    if expired:
        print(f"{len(expired)} unanswered invitation(s) expired; their mentees were matched again.")
    for pairing_id in result.invited:
        d = pairing.pairing_details(db, pairing_id)
        print(f"invite {d['mentor_name']} to mentor {d['mentee_name']} on {d['skill']}")
    for group_id in result.groups:
        g = pairing.group_details(db, group_id)
        members = ", ".join(m["name"] for m in g["members"])
        print(f"peer group on {g['skill']} led by {g['leader_name']}: {members}")
    if not result.invited and not result.groups:
        print("Nobody new to pair: every rep with a priority gap has a mentor")
        print("or nobody is credibly strong in it.")
    if args.send:
        client = sending_client(settings, db, team_id=team)
        # Keyed like the pairing job's messages, so the worker never sends them again.
        week = iso_week(now)
        outgoing = [pairing_messages.invitation(client, db, p) for p in result.invited] + [
            pairing_messages.group_introduction(client, db, g, week) for g in result.groups
        ]
        workspace_id = operators.known_workspace_id(db, team)
        deliver_all(db, client, workspace_id, outgoing, SystemClock().now)
        if page := finish(client, "coachbot preview: mentor pairing"):
            print(f"Preview: {page}")
    return 0


def run_playbook(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.playbooks import PlaybookError, playbook_for, playbook_markdown

    try:
        playbook = playbook_for(
            common.database(settings),
            common.team(args, settings),
            args.skill,
            common.today(args, settings),
            settings.stages,
        )
    except PlaybookError as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    text = playbook_markdown(playbook)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0
