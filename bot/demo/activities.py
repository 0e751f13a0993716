"""The demo org's activities: a touch per stage of every deal, and cold calls, as rows of
activities.csv."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.demo.patterns import RepProfile
from bot.demo.world import COLUMNS, Row, SimulatedDeal, World

# fmt: off
# What a rep logs on a deal in each stage (one touch per stage keeps activities.csv < 2 MB);
# the discovery-weak rep demos where others ask questions.
STAGE_TOUCHES: tuple[dict[str, float], ...] = (
    {"call": 50, "email": 50},
    {"call": 45, "meeting": 40, "email": 15},
    {"meeting": 50, "call": 30, "email": 20},
    {"demo": 50, "meeting": 25, "email": 25},
    {"meeting": 45, "call": 35, "email": 20},
)
DEMO_FIRST: dict[str, float] = {"demo": 60, "call": 20, "meeting": 20}
DURATIONS: dict[str, tuple[int, ...]] = {
    "call": (5, 10, 15, 20, 30, 45), "meeting": (30, 45, 60), "demo": (45, 60, 90),
    "cold_call": (2, 3, 5, 8),
}
# fmt: on


def _work_time(first: date, last: date, tz: ZoneInfo, rng: random.Random) -> datetime | None:
    """A weekday moment in business hours (08:00-17:00 local) between two dates, if any."""
    if last < first:
        return None
    day = first + timedelta(days=rng.randint(0, (last - first).days))
    if day.weekday() >= 5:
        day -= timedelta(days=day.weekday() - 4)  # back to Friday
        if day < first:
            return None
    minutes = rng.randrange(8 * 12, 17 * 12) * 5
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=tz)


def activity_rows(
    deals: list[SimulatedDeal], profiles: list[RepProfile], world: World
) -> list[Row]:
    rng = world.rng
    # Only the history's activity is exported, and it stops the day before as_of so that no
    # local evening becomes "tomorrow" in UTC.
    first_day, last_day = world.start, world.as_of - timedelta(days=1)
    events: list[tuple[datetime, str, str, str]] = []  # when, owner, deal id, kind
    for deal in deals:
        tz = ZoneInfo(deal.rep.timezone)
        ends = [*deal.entered[1:], deal.closed or world.as_of]
        for stage, (begin, end) in enumerate(zip(deal.entered, ends, strict=True)):
            demo_first = stage == 1 and deal.rep.pattern == "discovery_weak"
            kind = world.pick(DEMO_FIRST if demo_first else STAGE_TOUCHES[stage])
            when = _work_time(max(begin, first_day), min(end, last_day), tz, rng)
            if when:
                events.append((when, deal.rep.email, deal.external_id, kind))
    for rep in profiles:  # cold calls that did not (yet) become a deal
        tz = ZoneInfo(rep.timezone)
        day = max(first_day, world.hires[rep.name] + timedelta(days=7))
        while day <= last_day:
            when = _work_time(day, day, tz, rng) if rng.random() < 0.25 else None
            if when:  # None on weekends too
                events.append((when, rep.email, "", "call"))
            day += timedelta(days=1)
    events.sort(key=lambda e: (e[0].timestamp(), e[1], e[2], e[3]))
    rows = []
    for number, (when, owner, deal_id, kind) in enumerate(events, 1):
        durations = DURATIONS.get(kind if deal_id else "cold_call")
        duration = str(rng.choice(durations)) if durations else ""
        cells = (f"A-{number:06d}", owner, deal_id, kind, when.isoformat(), duration)
        rows.append(dict(zip(COLUMNS["activities"], cells, strict=True)))
    return rows
