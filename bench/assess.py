"""Assessment benchmark: a generated org of 5,000 reps, 1,000,000 deals and 5,000,000
activities; time and peak memory of a full assessment, against only loading the tables.

    .venv/bin/python bench/assess.py [--reps 5000] [--deals 1000000] [--activities 5000000]
                                     [--database-url URL] [--regenerate] [--runs N]
                                     [--profile N]

The org (bench/_orgs.py) is generated straight into the database (bench/data/assess.db by
default, not committed) with numpy and bulk inserts, and reused while its parameters match
(they are kept in a small table next to the data); --regenerate rebuilds it. Each
measurement runs in a fresh child process, so each peak resident memory is that phase's own:

1. load only: load_crm_data() of the workspace, the tables as pandas frames;
2. full assessment: run_assessments(), i.e. load + assess() + one snapshot stored per rep.

Goals (from the issue): the full assessment within 2x the load time, peak memory under 4 GiB.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from _harness import DATA, add_org_sizes, make_parser, peak_rss
from _orgs import AS_OF, TEAM_ID, database_label, prepare, report_database, sizes_from
from _report import mib, verdict
from sqlalchemy import delete, select

from bot.store.engine import Database, make_engine
from bot.store.models import AssessmentSnapshot, Workspace
from bot.store.workspaces import find_workspace_id

GIB = 2**30
GOAL_RATIO = 2.0
GOAL_PEAK = 4 * GIB


# --- measurement (each in a fresh child process) -------------------------------------------


def child_load(db: Database) -> dict[str, Any]:
    from bot.services.frames import load_crm_data

    started = time.perf_counter()
    with db.begin() as session:
        data = load_crm_data(session, find_workspace_id(session, TEAM_ID))
    elapsed = time.perf_counter() - started
    rows = {name: len(getattr(data, name)) for name in ("people", "deals", "activities")}
    return {"load": elapsed, "rows": rows, "peak": peak_rss()}


def child_full(db: Database, as_of: date, profile: int) -> dict[str, Any]:
    from bot.coaching.assessment import AssessmentConfig
    from bot.services import assessments as service

    spent: dict[str, float] = {}
    peaks: dict[str, int] = {}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started
                peaks[name] = peak_rss()

        return wrapper

    # The real run_assessments(), with its three steps timed where it looks them up.
    service.load_crm_data = timed("load", service.load_crm_data)
    service.assess = timed("compute", service.assess)
    service.save_snapshots = timed("store", service.save_snapshots)
    now = datetime.now(UTC)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    run = service.run_assessments(db, TEAM_ID, as_of, now, AssessmentConfig())
    elapsed = time.perf_counter() - started
    if profiler:
        import pstats

        profiler.disable()
        profiler.dump_stats(DATA / "assess.prof")
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
        stats.sort_stats("cumulative").print_stats(profile)
        stats.sort_stats("tottime").print_stats(profile)
    statuses = Counter(str(a.status) for a in run.assessments)
    gaps = Counter(a.gaps[0].skill for a in run.assessments if a.gaps)
    trends = Counter(str(a.trend.direction) for a in run.assessments)
    return {
        "full": elapsed,
        **spent,
        "peak": peak_rss(),
        "peaks": peaks,
        "assessed": len(run.assessments),
        "statuses": dict(statuses),
        "top_gaps": dict(gaps.most_common()),
        "trends": dict(trends),
    }


def run_child(url: str, phase: str, as_of: str, profile: int = 0) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", phase]
    command += ["--database-url", url, "--as-of", as_of, "--profile", str(profile)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def clear_snapshots(url: str) -> None:
    """The full run then inserts one snapshot per rep, as a daily run for a new date does."""
    engine = make_engine(url)
    with engine.begin() as connection:
        workspace = connection.scalar(select(Workspace.id).where(Workspace.team_id == TEAM_ID))
        connection.execute(
            delete(AssessmentSnapshot.__table__).where(AssessmentSnapshot.workspace_id == workspace)
        )
    engine.dispose()


def main() -> None:
    parser = make_parser(__doc__)
    add_org_sizes(parser, reps=5_000, deals=1_000_000, activities=5_000_000)
    parser.add_argument("--as-of", default=AS_OF.isoformat(), help="the assessment date")
    parser.add_argument("--database-url", default=f"sqlite:///{DATA / 'assess.db'}")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the org")
    parser.add_argument("--runs", type=int, default=1, help="measure N times, keep the fastest")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="also profile a full run: top N"
    )
    parser.add_argument("--child", choices=["load", "full"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)

    if args.child:
        db = Database.from_url(args.database_url)
        if args.child == "load":
            result = child_load(db)
        else:
            result = child_full(db, as_of, args.profile)
        db.dispose()
        print(json.dumps(result))
        return

    # One run at a time: two would rebuild the same database and spoil each other's timings.
    DATA.mkdir(exist_ok=True)
    lock = (DATA / "assess.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("waiting for another bench/assess.py run to finish ...", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)

    sizes = sizes_from(args, as_of)
    generated, counts = prepare(args.database_url, sizes, args.regenerate)
    where = database_label(args.database_url)  # before the full runs add their snapshots

    loads, fulls = [], []
    for _ in range(max(args.runs, 1)):
        loads.append(run_child(args.database_url, "load", args.as_of))
        clear_snapshots(args.database_url)
        fulls.append(run_child(args.database_url, "full", args.as_of))
    load = min(loads, key=lambda r: r["load"])
    full = min(fulls, key=lambda r: r["full"])
    load_peak = max(r["peak"] for r in loads)
    full_peak = max(r["peak"] for r in fulls)
    ratio = full["full"] / load["load"]
    runs = f" (fastest of {len(loads)} runs)" if len(loads) > 1 else ""

    print(
        f"org          : {counts['people']:,} people ({sizes.reps:,} reps), "
        f"{counts['deals']:,} deals, {counts['stage_events']:,} stage events, "
        f"{counts['activities']:,} activities, {counts['feedback']:,} feedback"
    )
    report_database(where, generated)
    print(f"load only    : {load['load']:.1f} s{runs}, peak memory {mib(load_peak)}")
    print(
        f"full         : {full['full']:.1f} s{runs} = load {full['load']:.1f} s + compute "
        f"{full['compute']:.1f} s + store {full['store']:.1f} s, peak memory {mib(full_peak)}"
    )
    steps = full["peaks"]
    print(
        f"full, peak   : after load {mib(steps['load'])}, after compute "
        f"{mib(steps['compute'])}, after store {mib(steps['store'])}"
    )
    print(f"compute only : {full['compute']:.1f} s (assess() for {full['assessed']:,} reps)")
    print(
        f"ratio        : full / load = {ratio:.2f} "
        f"(goal <= {GOAL_RATIO:.1f}: {verdict(ratio <= GOAL_RATIO)})"
    )
    peak = max(load_peak, full_peak)
    print(f"peak memory  : {mib(peak)} (goal < {mib(GOAL_PEAK)}: {verdict(peak < GOAL_PEAK)})")
    print(
        "findings     : "
        + ", ".join(f"{v:,} {k}" for k, v in full["statuses"].items())
        + "; top gap "
        + ", ".join(f"{k} {v:,}" for k, v in full["top_gaps"].items())
        + "; trend "
        + ", ".join(f"{k} {v:,}" for k, v in full["trends"].items())
    )
    if args.profile:
        clear_snapshots(args.database_url)
        print(f"\nprofiling a full run (top {args.profile}; stats in {DATA / 'assess.prof'}) ...")
        profiled = run_child(args.database_url, "full", args.as_of, args.profile)
        print(
            f"profiled     : {profiled['full']:.1f} s = load {profiled['load']:.1f} s + compute "
            f"{profiled['compute']:.1f} s + store {profiled['store']:.1f} s (with cProfile)"
        )


if __name__ == "__main__":
    main()
