"""The `coachbot` command: what admins and operators run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot.cli_output import assessment_json, assessment_table, biggest_gaps
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.ingest.importer import FileReport, ImportRequest
from bot.ingest.mapping import FORMATS
from bot.ingest.problems import ImportRejected
from bot.store.engine import Database
from bot.vocabulary import RECORD_KINDS

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

    demo = commands.add_parser("demo", help="load the demo org into a fresh database and show it")
    demo.add_argument("--examples", type=Path, default=Path("examples"))
    demo.add_argument("--out", type=Path, default=Path("out/demo"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG
    handler = {
        "db": _db,
        "import": _import,
        "demo-data": _demo_data,
        "assess": _assess,
        "serve": _serve,
        "demo": _demo,
    }[args.command]
    try:
        return handler(args, settings)
    except ImportRejected as rejected:
        print(rejected.log.summary(), file=sys.stderr)
        return EXIT_PROBLEM


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

    request = ImportRequest(
        paths=args.files,
        team_id=args.workspace or settings.workspace,
        format=args.format,
        mapping=args.mapping,
        kind=args.kind,
        encoding=args.encoding,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    reports = import_files(_database(settings), settings, request, SystemClock())
    _print_reports(reports)
    return 0


def _print_reports(reports: list[FileReport]) -> None:
    for report in reports:
        print(
            f"{report.name}: {report.rows} {report.kind} rows "
            f"({report.created} new, {report.updated} updated)"
        )
        if report.ignored_columns:
            print(f"  columns not used: {', '.join(report.ignored_columns)}")


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
            _database(settings), args.workspace or settings.workspace, as_of, clock.now(), config
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

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.http:
        serve_http(settings, args.host, args.port, args.workers, args.threads)
    else:
        serve_socket_mode(settings)
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
