"""`coachbot demo-data` and `coachbot demo`: the synthetic Northwind org, written as CSV files
or loaded into a fresh database and shown."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.assess import assessment_table, biggest_gaps
from bot.cli.common import Subcommands
from bot.cli.imports import print_reports
from bot.clock import SystemClock
from bot.config import Settings


def add_demo_data(commands: Subcommands) -> None:
    data = commands.add_parser("demo-data", help="write the synthetic demo org's CSV files")
    data.add_argument("--seed", type=int, default=7)
    data.add_argument("--out", type=Path, default=Path("examples"))
    data.set_defaults(handler=run_demo_data)


def add_demo(commands: Subcommands) -> None:
    demo = commands.add_parser("demo", help="load the demo org into a fresh database and show it")
    demo.add_argument("--examples", type=Path, default=Path("examples"))
    demo.add_argument("--out", type=Path, default=Path("out/demo"))
    demo.set_defaults(handler=run_demo)


def run_demo_data(args: argparse.Namespace, _settings: Settings) -> int:
    from bot.demo.generate import generate_org, write_csvs

    for path in write_csvs(generate_org(seed=args.seed), args.out):
        print(f"wrote {path}")
    return 0


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo.run import run_demo as load_demo

    result = load_demo(args.examples, args.out, settings, SystemClock())
    print(f"Demo org loaded into {result.database_path}")
    print_reports(result.imported)
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
