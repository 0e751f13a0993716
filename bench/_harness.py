"""What every benchmark script shares: where things are, how its command line reads, and how
it measures memory.

Importing it puts the repository root on sys.path, so a script run as `python bench/NAME.py`
from anywhere finds coachbot (bot/, jobs/) and the test helpers (tests/slack/) without
installing anything. It imports nothing from coachbot itself, so the scripts import it before
they do (ruff's isort puts this module, found in bench/ only, among the third-party imports,
which come before the first-party bot/, jobs/ and tests/).
"""

from __future__ import annotations

import argparse
import resource
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"  # generated databases, files and server logs; not committed
COACHBOT = ROOT / ".venv" / "bin" / "coachbot"
sys.path.insert(0, str(ROOT))  # run from anywhere without installing coachbot


def make_parser(doc: str, *, first_paragraph: bool = False) -> argparse.ArgumentParser:
    """The script's parser, its docstring the description: all of it, laid out as written,
    or only its first paragraph."""
    if first_paragraph:
        return argparse.ArgumentParser(description=doc.split("\n\n")[0])
    return argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def add_org_sizes(
    parser: argparse.ArgumentParser,
    *,
    reps: int,
    deals: int,
    activities: int,
    seed_help: str | None = None,
) -> None:
    """The generated org's size and seed, as every benchmark on that org takes them."""
    parser.add_argument("--reps", type=int, default=reps)
    parser.add_argument("--deals", type=int, default=deals)
    parser.add_argument("--activities", type=int, default=activities)
    parser.add_argument("--feedback", type=int, help="feedback rows (default: 1.6 per rep)")
    parser.add_argument("--seed", type=int, default=1, help=seed_help)


def add_served_org(parser: argparse.ArgumentParser, database_help: str) -> None:
    """Where the org a server benchmark serves is, and how much of it is reused."""
    parser.add_argument("--data-as-of", help="the day the generated CRM data ends (default today)")
    parser.add_argument("--database-url", help=database_help)
    parser.add_argument("--regenerate", action="store_true", help="rebuild the org")
    parser.add_argument(
        "--reuse-snapshots",
        action="store_true",
        help="skip run_assessments when the reps already have today's snapshots",
    )


def sized_database_url(args: argparse.Namespace, prefix: str) -> str:
    """A SQLite file of its own for the org's sizes: bench/data/PREFIX-REPS-DEALS-ACTIVITIES.db."""
    return f"sqlite:///{DATA / f'{prefix}-{args.reps}-{args.deals}-{args.activities}.db'}"


def stop_on_sigterm() -> None:
    """A SIGTERM (a timeout) unwinds like Ctrl-C, so the server and the stub are stopped."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def peak_rss() -> int:
    """This process's peak resident memory in bytes (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
