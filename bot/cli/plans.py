"""`coachbot plans` and `coachbot checkpoints`: coaching plans drafted, listed and logged, and
the 30/60/90-day reviews that are due."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli import common
from bot.cli.common import EXIT_PROBLEM, Subcommands, iso_date
from bot.clock import SystemClock
from bot.config import Settings


def add_plans(commands: Subcommands) -> None:
    plans = commands.add_parser("plans", help="coaching plans: draft, list, log coaching time")
    plans.add_argument("action", choices=["draft", "list", "log"])
    plans.add_argument("--as-of", type=iso_date, help="date to act as of (default today)")
    plans.add_argument(
        "--send", action="store_true", help="send drafts to managers (Slack or preview)"
    )
    plans.add_argument("--plan", type=int, help="log: the plan id")
    plans.add_argument("--minutes", type=int, help="log: minutes spent")
    plans.add_argument(
        "--kind",
        default="one_on_one",
        help="log: one_on_one, roleplay, observation, mentoring, training",
    )
    plans.add_argument("--by", help="log: email of the manager who coached")
    plans.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    plans.set_defaults(handler=run_plans)


def add_checkpoints(commands: Subcommands) -> None:
    checkpoints = commands.add_parser(
        "checkpoints", help="run the 30/60/90-day reviews that are due"
    )
    checkpoints.add_argument(
        "--as-of", type=iso_date, help="review as of this date (default today)"
    )
    checkpoints.add_argument("--send", action="store_true", help="send reviews (Slack or preview)")
    checkpoints.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    checkpoints.set_defaults(handler=run_checkpoints)


def run_plans(args: argparse.Namespace, settings: Settings) -> int:
    from bot.delivery.once import deliver_all
    from bot.services import operators, plan_messages, plans
    from bot.services.assessments import assessment_config
    from bot.slack.outbox import finish, sending_client

    db = common.database(settings)
    team = common.team(args, settings)
    today = common.today(args, settings)
    now = SystemClock().now()
    try:
        if args.action == "draft":
            config = assessment_config(settings)
            created = plans.draft_plans(db, team, today, now, config)
            print(f"{len(created)} draft plan(s) waiting for their managers' approval.")
            if args.send and created:
                client = sending_client(settings, db, team_id=team)
                outcomes = deliver_all(
                    db,
                    client,
                    operators.known_workspace_id(db, team),
                    plan_messages.draft_messages(client, db, created),
                    SystemClock().now,
                )
                sent = sum(1 for o in outcomes if o.status == "sent")
                print(f"Sent {sent} draft(s) to managers.")
                if page := finish(client, "coachbot preview: draft plans"):
                    print(f"Preview: {page}")
            ids = created
        elif args.action == "log":
            if args.plan is None or args.minutes is None or not args.by:
                print("plans log needs --plan, --minutes and --by EMAIL", file=sys.stderr)
                return EXIT_PROBLEM
            viewer = operators.operator(db, settings, team, args.by)
            plans.log_session(db, viewer, args.plan, args.kind, args.minutes, today)
            print(f"Logged {args.minutes} minutes of {args.kind} on plan {args.plan}.")
            return 0
        else:
            ids = None
        print(plans_table(plans.list_plans(db, team, ids)))
    except plans.PlanError as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    return 0


def run_checkpoints(args: argparse.Namespace, settings: Settings) -> int:
    from bot.delivery.once import deliver_all
    from bot.services import checkpoints, operators, plan_messages, plans
    from bot.slack.outbox import finish, sending_client

    db = common.database(settings)
    team = common.team(args, settings)
    try:
        due = checkpoints.due_checkpoints(db, team, common.today(args, settings))
    except plans.PlanError as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    client = sending_client(settings, db, team_id=team) if args.send else None
    for checkpoint_id in due:
        review = checkpoints.run_checkpoint(
            db, team, checkpoint_id, SystemClock().now(), settings.stages
        )
        found = checkpoints.checkpoint_for_delivery(db, checkpoint_id)
        name = found["plan"]["rep_name"]
        print(f"{name}, day {review.day}: suggests {review.decision} - {review.reason}")
        if client is not None:  # keyed like the reviews job's, so the worker will not resend
            deliver_all(
                db,
                client,
                operators.known_workspace_id(db, team),
                plan_messages.review_messages(client, db, checkpoint_id),
                SystemClock().now,
            )
    if not due:
        print("No checkpoint reviews are due.")
    if client is not None and (page := finish(client, "coachbot preview: checkpoint reviews")):
        print(f"Preview: {page}")
    return 0


def plans_table(plans: list[dict[str, Any]]) -> str:
    if not plans:
        return "No coaching plans."
    lines = []
    for plan in plans:
        start = plan["started_on"] or plan["drafted_on"]
        lines.append(f"plan {plan['id']} · {plan['rep_name']} · {plan['status']} since {start}")
        lines += [f"    {o['statement']}" for o in plan["objectives"]]
    return "\n".join(lines)
