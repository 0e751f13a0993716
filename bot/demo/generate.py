"""A deterministic synthetic sales org in the native CSV format (docs/import-format.md).

The same seed and as_of give byte-identical files: randomness comes only from one
`random.Random(seed)` drawn in a fixed order, and nothing reads the clock. Who the reps are and
which patterns are planted is defined in `bot.demo.patterns`; examples/README.md lists them.
This module runs the steps in that order: `people`, `deals` (with `outcomes`), `activities`
and `feedback` each make one kind of row from the shared `world`.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot.demo import patterns as pat
from bot.demo.activities import activity_rows
from bot.demo.deals import account_books, deal_row, rep_deals, stage_rows
from bot.demo.feedback import feedback_rows
from bot.demo.people import hire_dates, people_rows
from bot.demo.world import COLUMNS, Row, SimulatedDeal, World

DEMO_AS_OF: date = date(2026, 11, 20)  # the "today" of the demo data (a Friday)
DEFAULT_SEED = 7
HISTORY_DAYS = 395  # about 13 months of closed deals, open pipeline and activity


@dataclass(frozen=True)
class DemoOrg:
    people: list[Row]
    deals: list[Row]
    stage_history: list[Row]
    activities: list[Row]
    feedback: list[Row]


def generate_org(seed: int = DEFAULT_SEED, as_of: date = DEMO_AS_OF) -> DemoOrg:
    world = World(random.Random(seed), as_of - timedelta(days=HISTORY_DAYS), as_of)
    profiles = pat.build_profiles(world.rng)
    world.hires = hire_dates(profiles, world)
    books = account_books(profiles, world.rng)
    deals: list[SimulatedDeal] = []
    for rep in profiles:
        deals += rep_deals(rep, books[rep.name], world)
    deals = [d for d in deals if d.closed is None or d.closed >= world.start]
    deals.sort(key=lambda d: (d.created, d.rep.email))
    for number, deal in enumerate(deals, 1):
        deal.external_id = f"D-{number:06d}"
    return DemoOrg(
        people=people_rows(profiles, world.hires),
        deals=[deal_row(d) for d in deals],
        stage_history=stage_rows(deals, world.rng),
        activities=activity_rows(deals, profiles, world),
        feedback=feedback_rows(profiles, deals, world),
    )


def write_csvs(org: DemoOrg, out_dir: Path) -> list[Path]:
    """Write the five native-format files (UTF-8, \\n); returns their paths in COLUMNS order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, columns in COLUMNS.items():
        path = out_dir / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(getattr(org, kind))
        paths.append(path)
    return paths
