"""Assessment benchmark: a generated org of 5,000 reps, 1,000,000 deals and 5,000,000
activities; time and peak memory of a full assessment, against only loading the tables.

    .venv/bin/python bench/assess.py [--reps 5000] [--deals 1000000] [--activities 5000000]
                                     [--database-url URL] [--regenerate] [--runs N]
                                     [--profile N]

The org is generated straight into the database (bench/data/assess.db by default, not
committed) with numpy and bulk inserts, and reused while its parameters match (they are kept
in a small table next to the data); --regenerate rebuilds it. Each measurement runs in a fresh
child process, so each peak resident memory is that phase's own:

1. load only: load_crm_data() of the workspace, the tables as pandas frames;
2. full assessment: run_assessments(), i.e. load + assess() + one snapshot stored per rep.

Goals (from the issue): the full assessment within 2x the load time, peak memory under 4 GiB.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import math
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE.parent))  # run from anywhere without installing coachbot

from bot.store.engine import Database, make_engine  # noqa: E402
from bot.store.migrate import MIGRATIONS, upgrade  # noqa: E402
from bot.store.models import (  # noqa: E402
    Activity,
    AssessmentSnapshot,
    Deal,
    Feedback,
    Person,
    StageEvent,
    Workspace,
)
from bot.store.workspaces import find_workspace_id  # noqa: E402
from bot.vocabulary import (  # noqa: E402
    ACTIVITY_KINDS,
    DEFAULT_STAGES,
    FEEDBACK_SOURCES,
    LOSS_REASONS,
    SKILLS,
)

TEAM_ID = "TBENCHASSESS"
GENERATOR_VERSION = 1  # bump when the generated shape changes: stored orgs are then rebuilt
AS_OF = date(2026, 11, 20)
HISTORY_DAYS = 456  # about 15 months of deals and activities before as_of
TEAM_SIZE = 20
CHUNK = 50_000  # rows per executemany
STAGE_HISTORY_SHARE = 0.3  # deals whose export carries a stage history
GIB = 2**30
GOAL_RATIO = 2.0
GOAL_PEAK = 4 * GIB

# Segment: share of teams, relative deal volume, median amount, median days to close, contacts
# on a deal that reaches negotiation, logit shift of every stage conversion, typical discount.
SEGMENTS = ("smb", "mid_market", "enterprise")
SEGMENT_SHARE = np.array([0.40, 0.35, 0.25])
SEGMENT_VOLUME = np.array([1.45, 1.0, 0.7])
SEGMENT_AMOUNT = np.array([11_000.0, 42_000.0, 170_000.0])
SEGMENT_CYCLE = np.array([30.0, 60.0, 100.0])
SEGMENT_CONTACTS = np.array([2.8, 3.8, 5.0])
SEGMENT_SHIFT = np.array([0.15, 0.0, -0.15])
SEGMENT_DISCOUNT = np.array([4.0, 8.0, 12.0])
REGIONS = ("NA", "EMEA", "APAC")
REGION_SHARE = np.array([0.55, 0.30, 0.15])
TIMEZONES = ("America/New_York", "Europe/London", "Asia/Singapore")
UTC_OFFSET_HOURS = np.array([-5, 0, 8])
# Chance that a deal in each stage moves on (the last: negotiation -> won), about 0.3 overall.
BASE_CONVERSION = np.array([0.90, 0.72, 0.82, 0.82, 0.72])
STAGE_SKILLS = ("prospecting", "discovery", "qualification", "value_articulation", "negotiation")
LOSS_MIX = np.array([0.24, 0.20, 0.18, 0.12, 0.10, 0.09, 0.07])  # in LOSS_REASONS order
KIND_MIX = np.array([0.40, 0.35, 0.15, 0.10])  # in ACTIVITY_KINDS order
DURATIONS = {"call": (5, 10, 15, 20, 30, 45), "meeting": (30, 45, 60), "demo": (45, 60, 90)}
INDUSTRIES = (
    "software",
    "retail",
    "healthcare",
    "manufacturing",
    "financial_services",
    "education",
    "logistics",
)
PRODUCTS = ("Core", "Analytics", "Platform", "Services")
COMPETITORS = ("Acme CRM", "Globex", "Initech", "Umbrella", "Hooli")
NOTES = {
    "low": ("Talked over the buyer again", "Skipped the agreed next step", "Needs more prep"),
    "mid": ("Solid call, could dig deeper", "Followed the playbook", None),
    "high": ("Excellent questions, buyer opened up", "Great control of the deal", None),
}

params_table = Table(
    "bench_assess_params",
    MetaData(),
    Column("team_id", String(64), primary_key=True),
    Column("params", Text, nullable=False),
)


@dataclass(frozen=True)
class Sizes:
    reps: int
    deals: int
    activities: int
    feedback: int
    seed: int
    as_of: str

    def params(self) -> dict[str, Any]:
        return {**asdict(self), "generator": GENERATOR_VERSION}


def migration_hashes() -> dict[str, str]:
    """Each migration file's hash. New migrations are applied to a stored org by upgrade();
    one edited in place since the org was generated means rebuilding it."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        for path in sorted((MIGRATIONS / "versions").glob("*.py"))
    }


# --- generation -----------------------------------------------------------------------------

ColumnValues = Callable[[slice], list[Any]]


def _py(values: np.ndarray, valid: np.ndarray | None) -> list[Any]:
    out = values.tolist()
    if valid is not None:
        for i in np.flatnonzero(~valid).tolist():
            out[i] = None
    return out


def ints(values: np.ndarray, valid: np.ndarray | None = None) -> ColumnValues:
    return lambda part: _py(values[part], None if valid is None else valid[part])


def numbers(values: np.ndarray, valid: np.ndarray | None = None) -> ColumnValues:
    return lambda part: _py(values[part].round(2), None if valid is None else valid[part])


def dates(days: np.ndarray, valid: np.ndarray | None = None) -> ColumnValues:
    """Days since 1970-01-01 as datetime.date."""
    return lambda part: _py(
        days[part].astype("datetime64[D]"), None if valid is None else valid[part]
    )


def instants(seconds: np.ndarray) -> ColumnValues:
    """Seconds since the epoch as aware UTC datetimes."""
    return lambda part: [
        moment.replace(tzinfo=UTC) for moment in seconds[part].astype("datetime64[s]").tolist()
    ]


def labels(
    codes: np.ndarray, names: tuple[str, ...], valid: np.ndarray | None = None
) -> ColumnValues:
    table = np.array(names, dtype=object)
    return lambda part: _py(table[codes[part]], None if valid is None else valid[part])


def const(value: Any) -> ColumnValues:
    return lambda part: [value] * (part.stop - part.start)


def numbered(prefix: str, width: int, numbers: np.ndarray | None = None) -> ColumnValues:
    if numbers is None:
        return lambda part: [f"{prefix}{i + 1:0{width}d}" for i in range(part.start, part.stop)]
    return lambda part: [f"{prefix}{i:0{width}d}" for i in numbers[part].tolist()]


def bulk_insert(engine: Engine, table: Table, size: int, columns: dict[str, ColumnValues]) -> None:
    """Insert `size` rows, CHUNK at a time, each chunk its own transaction."""
    statement = insert(table)
    names = list(columns)
    with engine.connect() as connection:
        for start in range(0, size, CHUNK):
            part = slice(start, min(start + CHUNK, size))
            values = [column(part) for column in columns.values()]
            connection.execute(
                statement, [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
            )
            connection.commit()


def pick(rng: np.random.Generator, probabilities: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One category per row, from per-row probabilities `probabilities[rows]` (vectorised)."""
    cumulative = probabilities.cumsum(axis=1)
    draws = rng.random(len(rows)) * cumulative[rows, -1]
    return (draws[:, None] > cumulative[rows]).sum(axis=1)


EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_date(number: int) -> date:
    return EPOCH + timedelta(days=number)


def _next_ids(connection: Connection, table: Table) -> int:
    return int(connection.scalar(select(func.coalesce(func.max(table.c.id), 0)))) + 1


def generate(engine: Engine, sizes: Sizes, log: Callable[[str], None]) -> dict[str, int]:
    """Write the org into the database; returns row counts per table."""
    rng = np.random.default_rng(sizes.seed)
    as_of = date.fromisoformat(sizes.as_of)
    today = day_number(as_of)
    start = today - HISTORY_DAYS
    stamp = datetime.combine(as_of, datetime.min.time(), UTC)
    tables = {
        name: model.__table__
        for name, model in [
            ("people", Person),
            ("deals", Deal),
            ("stage_events", StageEvent),
            ("activities", Activity),
            ("feedback", Feedback),
        ]
    }
    with engine.begin() as connection:
        workspace = connection.execute(
            insert(Workspace.__table__)
            .values(team_id=TEAM_ID, name="Assessment benchmark", created_at=stamp)
            .returning(Workspace.__table__.c.id)
        ).scalar_one()
        first = {name: _next_ids(connection, table) for name, table in tables.items()}

    # People: an admin and a VP, directors over 25 teams each, a manager per team of 20 reps.
    reps, teams = sizes.reps, math.ceil(sizes.reps / TEAM_SIZE)
    directors = math.ceil(teams / 25)
    team_segment = rng.choice(len(SEGMENTS), teams, p=SEGMENT_SHARE)
    team_region = rng.choice(len(REGIONS), teams, p=REGION_SHARE)
    team_names = [
        f"{REGIONS[r]} {SEGMENTS[s].replace('_', '-')} {t + 1:03d}"
        for t, (s, r) in enumerate(zip(team_segment.tolist(), team_region.tolist(), strict=True))
    ]
    rep_team = np.arange(reps) // TEAM_SIZE
    seg, region = team_segment[rep_team], team_region[rep_team]
    base = first["people"]
    vp, director0, manager0 = base + 1, base + 2, base + 2 + directors
    rep0 = manager0 + teams
    rep_ids = rep0 + np.arange(reps)
    tenure = np.where(
        rng.random(reps) < 0.12, rng.integers(20, 450, reps), rng.integers(450, 2600, reps)
    )
    hired = today - tenure
    active = rng.random(reps) >= 0.02

    def person(email: str, name: str, role: str, manager: int | None, team: int | None):
        return {
            "workspace_id": workspace,
            "email": f"{email}@bench.example",
            "name": name,
            "role": role,
            "manager_id": manager,
            "team": None if team is None else team_names[team],
            "region": None if team is None else REGIONS[team_region[team]],
            "segment": None if team is None else SEGMENTS[team_segment[team]],
            "timezone": TIMEZONES[0 if team is None else team_region[team]],
            "hire_date": date(2019, 1, 7),
            "active": True,
            "updated_at": stamp,
        }

    people = [person("admin", "Bench Admin", "admin", None, None)]
    people += [person("vp", "Bench VP", "manager", None, None)]
    people += [
        person(f"dir{d + 1:02d}", f"Director {d + 1:02d}", "manager", vp, None)
        for d in range(directors)
    ]
    people += [
        person(f"mgr{t + 1:03d}", f"Manager {t + 1:03d}", "manager", director0 + t // 25, t)
        for t in range(teams)
    ]
    for r, (team, day, on) in enumerate(
        zip(rep_team.tolist(), hired.tolist(), active.tolist(), strict=True)
    ):
        row = person(f"rep{r + 1:05d}", f"Rep {r + 1:05d}", "rep", manager0 + team, team)
        people.append(row | {"hire_date": day_date(day), "active": on})
    for number, row in enumerate(people):
        row["id"], row["slack_user_id"] = base + number, f"UB{number + 1:08d}"
    with engine.begin() as connection:
        for offset in range(0, len(people), CHUNK):
            connection.execute(insert(tables["people"]), people[offset : offset + CHUNK])
    log(f"people: {len(people):,} ({reps:,} reps in {teams:,} teams)")

    # How each rep sells: a skill level (team and individual), sometimes one weak stage, how
    # much they sell and how large, how fast, how many buyers they involve, how they discount.
    skill = rng.normal(0, 0.15, teams)[rep_team] + rng.normal(0, 0.35, reps)
    weak_stage = np.where(rng.random(reps) < 0.25, rng.integers(0, 5, reps), -1)
    volume = SEGMENT_VOLUME[seg] * rng.lognormal(0, 0.3, reps)
    size = SEGMENT_AMOUNT[seg] * rng.lognormal(0, 0.2, reps)
    pace = SEGMENT_CYCLE[seg] * rng.lognormal(0, 0.2, reps)
    contacts = SEGMENT_CONTACTS[seg] * rng.lognormal(0, 0.25, reps)
    discount = np.clip(
        SEGMENT_DISCOUNT[seg] + rng.normal(0, 3, reps) + 8 * (rng.random(reps) < 0.1), 0, 40
    )
    loss_mix = rng.dirichlet(LOSS_MIX * 12, reps)
    kind_mix = KIND_MIX * rng.lognormal(0, 0.3, (reps, len(KIND_MIX)))
    busy = rng.lognormal(0, 0.35, reps)
    first_day = np.maximum(hired, start)
    days_on = today - first_day + 1

    # Deals: created over the history, owner by volume and time on the team; each moves stage
    # by stage until it fails or wins; it is open while its cycle has not ended by as_of.
    n = sizes.deals
    weights = volume * days_on
    owner = rng.choice(reps, n, p=weights / weights.sum())
    created = first_day[owner] + (rng.random(n) * days_on[owner]).astype(np.int64)
    order = np.argsort(created, kind="stable")  # ids in creation order, as a CRM numbers them
    owner, created = owner[order], created[order]
    logit = (
        np.log(BASE_CONVERSION / (1 - BASE_CONVERSION))[None, :]
        + (SEGMENT_SHIFT[seg] + skill)[:, None]
    )
    logit[np.arange(reps), weak_stage] -= np.where(weak_stage >= 0, 1.0, 0.0)
    advance = 1 / (1 + np.exp(-logit))
    passed = rng.random((n, len(DEFAULT_STAGES))) < advance[owner]
    reach = np.where(passed.all(axis=1), len(DEFAULT_STAGES), passed.argmin(axis=1))
    won = reach == len(DEFAULT_STAGES)
    cycle = pace[owner] * rng.lognormal(0, 0.5, n) * np.where(won, 1.0, (reach + 1) / 6)
    cycle = np.maximum(cycle.astype(np.int64), 1)
    closed_on = created + cycle
    is_open = closed_on > today
    outcome = np.where(is_open, 2, np.where(won, 0, 1))  # won, lost, open
    elapsed = np.clip((today - created) / cycle, 0, 1)
    stage = np.where(
        is_open, np.minimum(reach, (elapsed * len(DEFAULT_STAGES)).astype(np.int64)), reach
    )
    stage = np.minimum(stage, len(DEFAULT_STAGES) - 1)
    amount = np.maximum(np.round(size[owner] * rng.lognormal(0, 0.6, n), -2), 500.0)
    deal_discount = np.clip(discount[owner] + rng.normal(0, 4, n), 0, 60)
    has_discount = won | (rng.random(n) < 0.5)
    engaged = 1 + rng.poisson(contacts[owner] * (0.35 + 0.65 * stage / 4))
    has_contacts = rng.random(n) >= 0.08
    lost = outcome == 1
    reason = pick(rng, loss_mix, owner)
    has_reason = lost & (rng.random(n) >= 0.1)
    rival = rng.integers(0, len(COMPETITORS), n)
    has_rival = (has_reason & (reason == LOSS_REASONS.index("competitor"))) | (rng.random(n) < 0.1)
    account = owner * 30 + rng.integers(0, 30, n)
    product = rng.choice(len(PRODUCTS), n, p=[0.5, 0.2, 0.2, 0.1])
    recorded = rng.random(n) < 0.25
    deal0 = first["deals"]
    deal_numbers = np.arange(1, n + 1)
    bulk_insert(
        engine,
        tables["deals"],
        n,
        {
            "id": lambda part: list(range(deal0 + part.start, deal0 + part.stop)),
            "workspace_id": const(workspace),
            "external_id": numbered("D-", 7),
            "owner_id": ints(rep_ids[owner]),
            "account": numbered("Account ", 6, account),
            "industry": labels((account * 2654435761) % len(INDUSTRIES), INDUSTRIES),
            "segment": labels(seg[owner], SEGMENTS),
            "product": labels(product, PRODUCTS),
            "amount": numbers(amount),
            "currency": const("USD"),
            "created_on": dates(created),
            "closed_on": dates(closed_on, ~is_open),
            "furthest_stage": labels(stage, DEFAULT_STAGES),
            "outcome": labels(outcome, ("won", "lost", "open")),
            "loss_reason": labels(reason, LOSS_REASONS, has_reason),
            "competitor": labels(rival, COMPETITORS, has_rival),
            "contacts_engaged": ints(engaged, has_contacts),
            "discount_pct": numbers(deal_discount, has_discount),
            "recording_url": lambda part: [
                f"https://calls.bench.example/D-{i:07d}" if r else None
                for i, r in zip(deal_numbers[part].tolist(), recorded[part].tolist(), strict=True)
            ],
            "updated_at": const(stamp),
        },
    )
    log(f"deals: {n:,} ({won.mean():.0%} won, {is_open.mean():.0%} open)")

    # Stage history for a share of deals: one row per stage entered, spread over its cycle.
    with_history = np.flatnonzero(rng.random(n) < STAGE_HISTORY_SHARE)
    entered = np.where(won, len(DEFAULT_STAGES), stage + 1)[with_history]
    event_deal = np.repeat(with_history, entered)
    event_stage = np.arange(len(event_deal)) - np.repeat(np.cumsum(entered) - entered, entered)
    span = np.where(is_open, today, closed_on)[event_deal] - created[event_deal]
    event_day = created[event_deal] + (span * event_stage) // np.repeat(entered, entered)
    events = len(event_deal)
    bulk_insert(
        engine,
        tables["stage_events"],
        events,
        {
            "id": lambda part: list(
                range(first["stage_events"] + part.start, first["stage_events"] + part.stop)
            ),
            "workspace_id": const(workspace),
            "deal_id": ints(deal0 + event_deal),
            "stage": labels(event_stage, DEFAULT_STAGES),
            "entered_on": dates(event_day),
        },
    )
    log(f"stage events: {events:,} (for {len(with_history):,} deals)")
    del passed, event_deal, event_stage, event_day, span

    # Activities: by busy-ness and time on the team, on weekdays in local business hours, most
    # on one of the rep's deals; in time order as a CRM export lists them.
    a = sizes.activities
    weights = busy * days_on * np.array([1.3, 1.0, 0.8])[seg]
    doer = rng.choice(reps, a, p=weights / weights.sum())
    day = first_day[doer] + (rng.random(a) * days_on[doer]).astype(np.int64)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    day -= np.where((weekday >= 5) & (rng.random(a) < 0.9), weekday - 4, 0)
    day = np.maximum(day, first_day[doer])
    seconds = (
        day * 86_400 + rng.integers(8 * 3600, 18 * 3600, a) - UTC_OFFSET_HOURS[region[doer]] * 3600
    )
    seconds = np.minimum(seconds, (today + 1) * 86_400 - 1)
    order = np.argsort(seconds, kind="stable")
    doer, seconds = doer[order], seconds[order]
    del day, weekday, order
    kind = pick(rng, kind_mix, doer)
    # The deal: one of the rep's ten latest created by that day (deals are in creation order).
    by_owner = np.argsort(owner, kind="stable")
    keys = owner[by_owner] * 100_000 + created[by_owner]
    offset = np.searchsorted(keys, np.arange(reps) * 100_000)
    known = np.searchsorted(keys, doer * 100_000 + seconds // 86_400, side="right") - offset[doer]
    on_deal = (rng.random(a) < 0.65) & (known > 0)
    slot = offset[doer] + known - 1 - (rng.random(a) * np.minimum(known, 10)).astype(np.int64)
    activity_deal = deal0 + by_owner[np.clip(slot, 0, n - 1)]
    del keys, known
    duration = np.zeros(a, dtype=np.int64)
    for code, name in enumerate(ACTIVITY_KINDS):
        if name in DURATIONS:
            mask = kind == code
            duration[mask] = rng.choice(DURATIONS[name], int(mask.sum()))
    bulk_insert(
        engine,
        tables["activities"],
        a,
        {
            "id": lambda part: list(
                range(first["activities"] + part.start, first["activities"] + part.stop)
            ),
            "workspace_id": const(workspace),
            "external_id": numbered("A-", 8),
            "owner_id": ints(rep_ids[doer]),
            "deal_id": ints(activity_deal, on_deal),
            "kind": labels(kind, ACTIVITY_KINDS),
            "occurred_at": instants(seconds),
            "duration_minutes": ints(duration, duration > 0),
        },
    )
    log(f"activities: {a:,}")
    del doer, seconds, kind, slot, activity_deal, duration, on_deal

    # Feedback: from managers, peers and customers, half of it on a weak stage's skill when the
    # rep has one; ratings follow skill.
    f = sizes.feedback
    about = rng.integers(0, reps, f)
    source = rng.choice(len(FEEDBACK_SOURCES), f, p=[0.5, 0.2, 0.3])
    weak = weak_stage[about]
    on_weakness = (weak >= 0) & (rng.random(f) < 0.5)
    skill_code = np.where(
        on_weakness,
        np.array([SKILLS.index(s) for s in STAGE_SKILLS])[np.maximum(weak, 0)],
        rng.integers(0, len(SKILLS), f),
    )
    rating = np.clip(
        np.round(3.6 + 1.5 * skill[about] - 1.3 * on_weakness + rng.normal(0, 0.8, f)), 1, 5
    ).astype(np.int64)
    peer = (about // TEAM_SIZE) * TEAM_SIZE + rng.integers(0, TEAM_SIZE, f)
    peer = np.where(peer >= reps, about, peer)
    given = np.maximum(today - rng.integers(0, HISTORY_DAYS, f), hired[about])
    band = np.where(rating <= 2, "low", np.where(rating >= 4, "high", "mid"))
    note_pick = rng.integers(0, 3, f)

    def author(i: int) -> tuple[str, int | None]:
        kind = FEEDBACK_SOURCES[source[i]]
        if kind == "manager":
            return f"Manager {rep_team[about[i]] + 1:03d}", int(manager0 + rep_team[about[i]])
        if kind == "peer":
            return f"Rep {peer[i] + 1:05d}", int(rep_ids[peer[i]])
        return f"Buyer {i + 1}, VP at Account {about[i] * 30:06d}", None

    authors = [author(i) for i in range(f)]
    bulk_insert(
        engine,
        tables["feedback"],
        f,
        {
            "id": lambda part: list(
                range(first["feedback"] + part.start, first["feedback"] + part.stop)
            ),
            "workspace_id": const(workspace),
            "external_id": numbered("F-", 7),
            "about_id": ints(rep_ids[about]),
            "author": lambda part: [name for name, _ in authors[part]],
            "author_id": lambda part: [person for _, person in authors[part]],
            "source": labels(source, FEEDBACK_SOURCES),
            "skill": labels(skill_code, SKILLS),
            "rating": ints(rating),
            "note": lambda part: [
                NOTES[b][k]
                for b, k in zip(band[part].tolist(), note_pick[part].tolist(), strict=True)
            ],
            "given_on": dates(given),
        },
    )
    log(f"feedback: {f:,}")
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in tables.values():
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )
    return {
        "people": len(people),
        "deals": n,
        "stage_events": events,
        "activities": a,
        "feedback": f,
    }


def stored_params(engine: Engine) -> dict[str, Any] | None:
    params_table.create(engine, checkfirst=True)
    with engine.connect() as connection:
        found = connection.scalar(
            select(params_table.c.params).where(params_table.c.team_id == TEAM_ID)
        )
    return json.loads(found) if found else None


def reusable(engine: Engine, wanted: dict[str, Any]) -> dict[str, int] | None:
    """The stored org's row counts when it was generated with these parameters and no
    migration it was built with has changed since."""
    stored = stored_params(engine)
    if not stored or stored.get("sizes") != wanted or "migrations" not in stored:
        return None
    current = migration_hashes()
    if any(current.get(name) != digest for name, digest in stored["migrations"].items()):
        return None
    return stored["counts"]


def drop_org(engine: Engine) -> None:
    """Another size on a shared server: delete the old org. Activities go first, and on
    PostgreSQL the table is vacuumed: activities.deal_id has no index, so each deleted deal
    would otherwise scan every activity row (dead ones too) to set its deal_id to NULL."""
    with engine.begin() as connection:
        connection.execute(delete(params_table).where(params_table.c.team_id == TEAM_ID))
        workspace = connection.scalar(select(Workspace.id).where(Workspace.team_id == TEAM_ID))
        if workspace is None:
            return
        connection.execute(delete(Activity.__table__).where(Activity.workspace_id == workspace))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM activities")
    with engine.begin() as connection:
        connection.execute(delete(Workspace.__table__).where(Workspace.id == workspace))


def prepare(url: str, sizes: Sizes, regenerate: bool) -> tuple[float | None, dict[str, int]]:
    """Make sure the org with these parameters is in the database: (seconds spent generating,
    or None when reused; row counts)."""
    wanted = sizes.params()
    parsed = make_url(url)
    path = Path(parsed.database) if parsed.get_backend_name() == "sqlite" else None
    if path and path.exists():
        engine = make_engine(url)
        stale = regenerate or reusable(engine, wanted) is None
        engine.dispose()
        if stale:
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        built_with = migration_hashes()
        upgrade(engine)
        counts = None if regenerate else reusable(engine, wanted)
        if counts is not None:
            return None, counts
        print(
            f"generating {sizes.reps:,} reps, {sizes.deals:,} deals, "
            f"{sizes.activities:,} activities into {parsed.render_as_string()} ...",
            flush=True,
        )
        started = time.perf_counter()
        drop_org(engine)
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA cache_size=-1000000")  # 1 GB while we write

        def log(message: str) -> None:
            print(f"  {time.perf_counter() - started:6.1f} s  {message}", flush=True)

        counts = generate(engine, sizes, log)
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute(
                insert(params_table).values(
                    team_id=TEAM_ID,
                    params=json.dumps(
                        {"sizes": wanted, "migrations": built_with, "counts": counts}
                    ),
                )
            )
        return time.perf_counter() - started, counts
    finally:
        engine.dispose()


# --- measurement (each in a fresh child process) -------------------------------------------


def peak_rss() -> int:
    """This process's peak resident memory in bytes (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


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


def mib(size: float) -> str:
    return f"{size / 2**20:,.0f} MiB"


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=5_000)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--activities", type=int, default=5_000_000)
    parser.add_argument("--feedback", type=int, help="feedback rows (default: 1.6 per rep)")
    parser.add_argument("--seed", type=int, default=1)
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

    sizes = Sizes(
        args.reps,
        args.deals,
        args.activities,
        args.feedback if args.feedback is not None else args.reps * 8 // 5,
        args.seed,
        as_of.isoformat(),
    )
    generated, counts = prepare(args.database_url, sizes, args.regenerate)
    url = make_url(args.database_url)
    where = url.render_as_string()
    if url.get_backend_name() == "sqlite" and url.database:
        where += f" ({mib(Path(url.database).stat().st_size)})"

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
    print(f"database     : {where}")
    print(
        "generated    : "
        + (f"in {generated:.1f} s" if generated else "reused (--regenerate rebuilds it)")
    )
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
