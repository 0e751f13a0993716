"""Import benchmark: 1,000,000 deal rows through `coachbot import`, time and peak memory.

    .venv/bin/python bench/import_deals.py [--deals 1000000] [--database-url URL]

Generates its own data under bench/data/ (not committed), imports the people file, then
times the deals import in a child process and reads the child's peak resident memory.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from _harness import DATA

STAGES = ["prospecting", "discovery", "qualification", "proposal", "negotiation"]


def write_people(path: Path, reps: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["email", "name", "role", "team"])
        for i in range(reps):
            out.writerow([f"rep{i}@bench.example", f"Rep {i}", "rep", f"Team {i % 50}"])


def write_deals(path: Path, deals: int, reps: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = date(2025, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "external_id",
                "owner",
                "account",
                "industry",
                "amount",
                "created_on",
                "closed_on",
                "furthest_stage",
                "outcome",
                "loss_reason",
                "contacts_engaged",
                "discount_pct",
            ]
        )
        for i in range(deals):
            created = start + timedelta(days=rng.randrange(600))
            outcome = rng.choice(["won", "lost", "lost", "open"])
            closed = (
                ""
                if outcome == "open"
                else (created + timedelta(days=rng.randrange(5, 120))).isoformat()
            )
            out.writerow(
                [
                    f"B-{i:07d}",
                    f"rep{rng.randrange(reps)}@bench.example",
                    f"Account {rng.randrange(20000)}",
                    rng.choice(["software", "retail", "healthcare"]),
                    f"{rng.uniform(1000, 200000):.2f}",
                    created.isoformat(),
                    closed,
                    rng.choice(STAGES),
                    outcome,
                    "price" if outcome == "lost" else "",
                    rng.randrange(1, 6),
                    rng.randrange(0, 20),
                ]
            )


def run_import(files: list[Path], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one `coachbot import` child process."""
    coachbot = Path(sys.executable).with_name("coachbot")
    started = time.perf_counter()
    subprocess.run([str(coachbot), "import", "--quiet", *map(str, files)], env=env, check=True)
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=5_000)
    parser.add_argument("--database-url", default=f"sqlite:///{DATA / 'bench.db'}")
    args = parser.parse_args()

    DATA.mkdir(exist_ok=True)
    people, deals = DATA / "people.csv", DATA / f"deals-{args.deals}.csv"
    if not deals.exists():
        print(f"generating {args.deals:,} deals ...", flush=True)
        write_deals(deals, args.deals, args.reps)
    write_people(people, args.reps)
    for leftover in DATA.glob("bench.db*"):
        leftover.unlink()
    env = {**os.environ, "DATABASE_URL": args.database_url, "COACHBOT_WORKSPACE": "TBENCH"}
    run_import([people], env)
    size = deals.stat().st_size / 2**20
    first, peak = run_import([deals], env)
    print(
        f"first import : {args.deals:,} deals ({size:.0f} MiB) in {first:.1f} s "
        f"({args.deals / first:,.0f} rows/s), peak memory {peak:.0f} MiB"
    )
    again, peak = run_import([deals], env)
    print(
        f"re-import    : {args.deals:,} deals (all updates) in {again:.1f} s, "
        f"peak memory {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
