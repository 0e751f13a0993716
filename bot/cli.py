"""The `coachbot` command: what admins and operators run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path

from bot.auth import Viewer
from bot.cli_output import assessment_json, assessment_table, biggest_gaps
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.delivery.outbox import SendingUnavailable
from bot.ingest.importer import FileReport, ImportRequest
from bot.ingest.mapping import FORMATS
from bot.ingest.problems import ImportRejected
from bot.logs import configure_logging
from bot.store.engine import Database
from bot.vocabulary import RECORD_KINDS, SKILLS, plural

EXIT_PROBLEM = 1
EXIT_CONFIG = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coachbot", description="Coach B2B sales reps from their own CRM data, in Slack."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade", "current"], help="migrate to the latest schema")

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

    people = commands.add_parser("people", help="people matched to Slack, and who is not")
    people.add_argument(
        "action",
        choices=["unmatched", "sync"],
        help="unmatched: list who has no Slack account; sync: match by email now",
    )
    people.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")

    data = commands.add_parser("demo-data", help="write the synthetic demo org's CSV files")
    data.add_argument("--seed", type=int, default=7)
    data.add_argument("--out", type=Path, default=Path("examples"))

    assess = commands.add_parser("assess", help="assess every rep and keep a snapshot")
    assess.add_argument("--as-of", type=_iso_date, help="assess as of this date (default today)")
    assess.add_argument("--json", action="store_true", help="print JSON instead of a table")
    assess.add_argument("--window-days", type=int, default=90, help="closed-deal window (90)")
    assess.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")

    serve = commands.add_parser("serve", help="run the Slack app (Socket Mode, or --http)")
    serve.add_argument("--http", action="store_true", help="HTTP endpoint for production")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (127.0.0.1)")
    serve.add_argument("--port", type=int, default=3000, help="HTTP port (3000)")
    serve.add_argument("--workers", type=int, default=2, help="HTTP worker processes (2)")
    serve.add_argument("--threads", type=int, default=8, help="threads per worker (8)")

    plans = commands.add_parser("plans", help="coaching plans: draft, list, log coaching time")
    plans.add_argument("action", choices=["draft", "list", "log"])
    plans.add_argument("--as-of", type=_iso_date, help="date to act as of (default today)")
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

    checkpoints = commands.add_parser(
        "checkpoints", help="run the 30/60/90-day reviews that are due"
    )
    checkpoints.add_argument(
        "--as-of", type=_iso_date, help="review as of this date (default today)"
    )
    checkpoints.add_argument("--send", action="store_true", help="send reviews (Slack or preview)")
    checkpoints.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")

    effect = commands.add_parser(
        "effectiveness", help="did coaching work? effect against uncoached peers, ROI"
    )
    effect.add_argument("--as-of", type=_iso_date, help="measure up to this date (default today)")
    effect.add_argument(
        "--hourly-cost",
        type=float,
        help="cost of an hour of coaching (COACHBOT_COACHING_HOURLY_COST)",
    )
    effect.add_argument("--json", action="store_true")
    effect.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")

    pair = commands.add_parser("pair", help="a mentor pairing round: invitations and peer groups")
    pair.add_argument("--as-of", type=_iso_date, help="date of the round (default today)")
    pair.add_argument("--send", action="store_true", help="send invitations (Slack or preview)")
    pair.add_argument("--capacity", type=int, default=2, help="mentees per mentor (2)")
    pair.add_argument("--expiry-days", type=int, default=5, help="days to answer an invitation (5)")
    pair.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")

    book = commands.add_parser("playbook", help="what top performers do differently in a skill")
    book.add_argument("skill", choices=SKILLS)
    book.add_argument("--as-of", type=_iso_date, help="date (default today)")
    book.add_argument("--out", type=Path, help="write the Markdown here instead of printing it")
    book.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")

    commands.add_parser(
        "doctor", help="check the setup: settings, database, Slack, data, worker, people"
    )
    space = commands.add_parser("workspace", help="move CRM data stored under the wrong team id")
    space.add_argument("action", choices=["move"])
    space.add_argument("source", metavar="FROM", help="the team id the data sits under")
    space.add_argument("target", metavar="TO", help="the Slack team id it belongs to")

    commands.add_parser("worker", help="run the scheduled jobs (one active worker at a time)")
    commands.add_parser(
        "keygen", help="print a new key for COACHBOT_TOKEN_KEYS (encrypts workspace tokens)"
    )
    failures = commands.add_parser(
        "failures", help="recent Slack requests that failed, or the one a user's reference names"
    )
    failures.add_argument("reference", nargs="?", help="the reference the user was given")
    failures.add_argument("--limit", type=int, default=20, help="how many recent ones (20)")

    job = commands.add_parser("run-job", help="run one scheduled job now")
    job.add_argument(
        "name",
        help="directory, recompute, plan_drafts, nudges, digests, reviews, pairing, "
        "roleplay_idle, mentoring_reminders",
    )
    job.add_argument(
        "--as-of",
        type=_instant,
        help="the job's now: 2026-11-23 (17:00 UTC that day) or 2026-11-23T14:00:00Z",
    )

    idle = commands.add_parser("roleplays", help="close role-plays nobody answered for a while")
    idle.add_argument("action", choices=["close-idle"])
    idle.add_argument("--minutes", type=int, default=30, help="idle minutes before closing (30)")
    idle.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")

    demo = commands.add_parser("demo", help="load the demo org into a fresh database and show it")
    demo.add_argument("--examples", type=Path, default=Path("examples"))
    demo.add_argument("--out", type=Path, default=Path("out/demo"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _read_dotenv()
    if args.command == "keygen":  # before settings: it is how one fixes a missing key
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode("ascii"))
        return 0
    if args.command == "doctor":  # before settings: it reports bad settings as problems
        return _doctor()
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG
    handler = {
        "db": _db,
        "import": _import,
        "people": _people,
        "demo-data": _demo_data,
        "assess": _assess,
        "serve": _serve,
        "plans": _plans,
        "checkpoints": _checkpoints,
        "effectiveness": _effectiveness,
        "roleplays": _roleplays,
        "pair": _pair,
        "playbook": _playbook,
        "run-job": _run_job,
        "failures": _failures,
        "worker": _worker,
        "workspace": _workspace,
        "demo": _demo,
    }[args.command]
    try:
        return handler(args, settings)
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


def _doctor() -> int:
    import os

    from bot.doctor import diagnose, failed

    findings = diagnose(os.environ, SystemClock().now())
    for finding in findings:
        print(finding)
    if failed(findings):
        problems = sum(1 for f in findings if f.status == "problem")
        print(
            f"\n{problems} problem{'s' if problems != 1 else ''} to fix before coachbot can coach."
        )
        return EXIT_PROBLEM
    print("\ncoachbot is ready.")
    return 0


def _workspace(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.workspaces import WorkspaceMoveError, move_workspace

    try:
        with _database(settings).begin() as session:
            moved = move_workspace(session, args.source, args.target)
    except WorkspaceMoveError as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    print(f"workspace {args.source} is now {args.target}: {moved}")
    return 0


def _database(settings: Settings, migrated: bool = True) -> Database:
    """The configured database, brought to the latest schema first (cheap when it is)."""
    from bot.store import migrate

    db = Database.from_url(settings.database_url)
    if migrated:
        migrate.upgrade(db.engine)
    return db


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import migrate

    db = _database(settings, migrated=False)
    if args.action == "upgrade":
        migrate.upgrade(db.engine)
    print(
        f"schema revision: {migrate.current_revision(db.engine)} (latest {migrate.head_revision()})"
    )
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.imports import import_files

    team = _team(args, settings)
    request = ImportRequest(
        paths=args.files,
        team_id=team,
        format=args.format,
        mapping=args.mapping,
        kind=args.kind,
        encoding=args.encoding,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    db = _database(settings)
    reports = import_files(db, settings, request, SystemClock())
    _print_reports(reports)
    if not args.no_slack:
        _match_to_slack(settings, db, team)
    return 0


def _team(args: argparse.Namespace, settings: Settings) -> str:
    """The workspace a command acts on: --workspace, else as `_default_team` finds it."""
    return args.workspace or _default_team(settings)


def _default_team(settings: Settings) -> str:
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


def _match_to_slack(settings: Settings, db: Database, team: str) -> None:
    """After an import: people matched to Slack now, welcomed, and the admins told."""
    from bot.delivery.outbox import sending_client
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


def _people(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.directory import unmatched
    from bot.store.workspaces import find_workspace_id

    db = _database(settings)
    team = _team(args, settings)
    if args.action == "sync":
        _match_to_slack(settings, db, team)
        return 0
    with db.begin() as session:
        workspace_id = find_workspace_id(session, team)
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


def _print_reports(reports: list[FileReport]) -> None:
    for report in reports:
        print(
            f"{report.name}: {report.rows} {report.kind} rows "
            f"({report.created} new, {report.updated} updated)"
        )
        if report.ignored_columns:
            print(f"  columns not used: {', '.join(report.ignored_columns)}")


def _instant(text: str) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(17, 0), tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2026-11-23 or a time like 2026-11-23T14:00:00Z, got {text!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-03-31, got {text!r}") from None


def _assess(args: argparse.Namespace, settings: Settings) -> int:
    from bot.coaching.assessment import AssessmentConfig
    from bot.services.assessments import UnknownWorkspace, run_assessments

    if args.window_days < 14:
        print("--window-days must be at least 14", file=sys.stderr)
        return EXIT_PROBLEM
    clock = SystemClock()
    as_of = args.as_of or clock.now().astimezone(settings.zone).date()
    config = AssessmentConfig(window_days=args.window_days, stages=settings.stages)
    try:
        result = run_assessments(
            _database(settings), _team(args, settings), as_of, clock.now(), config
        )
    except UnknownWorkspace as error:
        print(error, file=sys.stderr)
        return EXIT_PROBLEM
    if args.json:
        print(assessment_json(result.assessments, as_of, args.window_days))
    else:
        print(assessment_table(result.assessments, as_of, args.window_days))
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import logging

    from bot.slack.serve import serve_http, serve_socket_mode

    configure_logging(logging.INFO)
    if args.http:
        serve_http(settings, args.host, args.port, args.workers, args.threads)
    else:
        serve_socket_mode(settings)
    return 0


def _today(args: argparse.Namespace, settings: Settings) -> date:
    return args.as_of or SystemClock().now().astimezone(settings.zone).date()


def _plans(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_output import plans_table
    from bot.coaching.assessment import AssessmentConfig
    from bot.delivery.once import deliver_all
    from bot.delivery.outbox import finish, sending_client
    from bot.services import plans
    from bot.slack import plan_messages

    db = _database(settings)
    team = _team(args, settings)
    today = _today(args, settings)
    now = SystemClock().now()
    try:
        if args.action == "draft":
            config = AssessmentConfig(stages=settings.stages)
            created = plans.draft_plans(db, team, today, now, config)
            print(f"{len(created)} draft plan(s) waiting for their managers' approval.")
            if args.send and created:
                client = sending_client(settings, db, team_id=team)
                outcomes = deliver_all(
                    db,
                    client,
                    _workspace_id(db, team),
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
            viewer = _operator(db, settings, team, args.by)
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


def _operator(db: Database, settings: Settings, team: str, email: str) -> Viewer:
    """The person an operator acts as on the command line, found by email."""
    from bot.services import people
    from bot.services.identity import viewer_for_person
    from bot.services.plans import PlanError
    from bot.store.workspaces import find_workspace_id

    with db.begin() as session:
        workspace_id = find_workspace_id(session, team)
        person = people.by_email(session, workspace_id, email) if workspace_id else None
        if person is None:
            raise PlanError(f"No person with email {email!r} in workspace {team!r}.")
        person_id = person.id
    return viewer_for_person(db, settings, team, person_id)


def _checkpoints(args: argparse.Namespace, settings: Settings) -> int:
    from bot.delivery.once import deliver_all
    from bot.delivery.outbox import finish, sending_client
    from bot.services import plans
    from bot.slack import plan_messages

    db = _database(settings)
    team = _team(args, settings)
    try:
        due = plans.due_checkpoints(db, team, _today(args, settings))
    except plans.PlanError as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    client = sending_client(settings, db, team_id=team) if args.send else None
    for checkpoint_id in due:
        review = plans.run_checkpoint(db, team, checkpoint_id, SystemClock().now(), settings.stages)
        found = plans.checkpoint_for_delivery(db, checkpoint_id)
        name = found["plan"]["rep_name"]
        print(f"{name}, day {review.day}: suggests {review.decision} - {review.reason}")
        if client is not None:  # keyed like the reviews job's, so the worker will not resend
            deliver_all(
                db,
                client,
                _workspace_id(db, team),
                plan_messages.review_messages(client, db, checkpoint_id),
                SystemClock().now,
            )
    if not due:
        print("No checkpoint reviews are due.")
    if client is not None and (page := finish(client, "coachbot preview: checkpoint reviews")):
        print(f"Preview: {page}")
    return 0


def _workspace_id(db: Database, team_id: str) -> int:
    from bot.store.workspaces import find_workspace_id

    with db.begin() as session:
        found = find_workspace_id(session, team_id)
    assert found is not None  # the caller found checkpoints in it
    return found


def _effectiveness(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_output import effectiveness_json, effectiveness_text
    from bot.services.effectiveness import effectiveness
    from bot.services.plans import PlanError

    hourly = settings.coaching_hourly_cost if args.hourly_cost is None else args.hourly_cost
    try:
        report = effectiveness(
            _database(settings),
            _team(args, settings),
            _today(args, settings),
            hourly,
            settings.stages,
        )
    except PlanError as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    print(effectiveness_json(report) if args.json else effectiveness_text(report))
    return 0


def _pair(args: argparse.Namespace, settings: Settings) -> int:
    from bot.clock import iso_week
    from bot.coaching.assessment import AssessmentConfig
    from bot.delivery.once import deliver_all
    from bot.delivery.outbox import finish, sending_client
    from bot.services import pairing
    from bot.slack import pairing_messages

    db = _database(settings)
    team = _team(args, settings)
    today = _today(args, settings)
    now = SystemClock().now()
    config = AssessmentConfig(stages=settings.stages)
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
        deliver_all(db, client, _workspace_id(db, team), outgoing, SystemClock().now)
        if page := finish(client, "coachbot preview: mentor pairing"):
            print(f"Preview: {page}")
    return 0


def _playbook(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.playbooks import PlaybookError, playbook_for, playbook_markdown

    try:
        playbook = playbook_for(
            _database(settings),
            _team(args, settings),
            args.skill,
            _today(args, settings),
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


def _worker(_args: argparse.Namespace, settings: Settings) -> int:
    import logging

    from jobs.registry import configured_jobs
    from jobs.worker import run_worker

    try:
        jobs = configured_jobs()  # before taking the lead, so a bad schedule never runs
    except ValueError as problem:
        print(problem, file=sys.stderr)
        return 2
    configure_logging(logging.INFO)
    migrate_db = _database(settings)  # schema first, before the job store creates its table
    migrate_db.dispose()
    run_worker(settings, jobs=jobs)
    return 0


def _run_job(args: argparse.Namespace, settings: Settings) -> int:
    from jobs.registry import JOBS, run_job

    if args.name not in JOBS:
        print(f"unknown job {args.name!r}; jobs: {', '.join(JOBS)}", file=sys.stderr)
        return EXIT_PROBLEM
    print(run_job(args.name, settings, args.as_of or SystemClock().now()))
    return 0


def _failures(args: argparse.Namespace, settings: Settings) -> int:
    """What an admin looks up when a user reports "something went wrong (reference …)"."""
    from bot.slack.errors import recent_failures

    db = _database(settings)
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


def _roleplays(args: argparse.Namespace, settings: Settings) -> int:
    from bot.delivery.once import deliver_all
    from bot.delivery.outbox import finish, sending_client
    from bot.services import roleplays
    from bot.slack.roleplay_messages import idle_notes
    from bot.store.workspaces import find_workspace_id

    db = _database(settings)
    team = _team(args, settings)
    with db.begin() as session:
        workspace_id = find_workspace_id(session, team)
    if workspace_id is None:
        print(f"No data for workspace {team!r}: no role-plays to close.")
        return 0
    client = sending_client(settings, db, team_id=team)
    closed = roleplays.close_idle(db, workspace_id, SystemClock().now(), args.minutes)
    deliver_all(db, client, workspace_id, idle_notes(client, closed), SystemClock().now)
    print(f"Closed {len(closed)} idle role-play(s).")
    finish(client, "coachbot preview: closed role-plays")
    return 0


def _demo_data(args: argparse.Namespace, _settings: Settings) -> int:
    from bot.demo.generate import generate_org, write_csvs

    for path in write_csvs(generate_org(seed=args.seed), args.out):
        print(f"wrote {path}")
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.demo import run_demo

    result = run_demo(args.examples, args.out, settings, SystemClock())
    print(f"Demo org loaded into {result.database_path}")
    _print_reports(result.imported)
    run = result.assessed
    print()
    print(assessment_table(run.assessments, run.as_of, 90))
    print()
    print(biggest_gaps(run.assessments))
    print()
    print("Coaching plans started 90, 60 and 30 days ago, and their 30/60/90-day reviews:")
    for line in result.reviews:
        print(f"- {line}")
    print()
    print("Mentor pairing round (the first invitation accepted), then the weekly cycle:")
    for line in result.pairing:
        print(f"- {line}")
    print()
    print(
        f"Slack preview (what a rep, their App Home and their manager would see): {result.preview}"
    )
    print()
    print("Every figure is explained in docs/methodology.md; the full evidence is in")
    print(f"  DATABASE_URL=sqlite:///{result.database_path} COACHBOT_WORKSPACE=T0DEMO \\")
    print(f"  .venv/bin/coachbot assess --as-of {run.as_of.isoformat()} --json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
