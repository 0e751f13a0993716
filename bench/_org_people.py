"""The generated org's people, and how each rep sells: segments, regions, teams, tenure, skill.

Every draw comes from the one generator the org is made with, in a fixed order (people, then
their selling habits, then deals, stage events, activities, feedback): the same seed gives
the same org.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from _org_columns import CHUNK, day_date
from sqlalchemy import Engine, Table, insert

HISTORY_DAYS = 456  # about 15 months of deals and activities before as_of
TEAM_SIZE = 20

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
LOSS_MIX = np.array([0.24, 0.20, 0.18, 0.12, 0.10, 0.09, 0.07])  # in LOSS_REASONS order
KIND_MIX = np.array([0.40, 0.35, 0.15, 0.10])  # in ACTIVITY_KINDS order


@dataclass(frozen=True)
class Target:
    """Where the generated org goes, and the day it ends."""

    engine: Engine
    tables: dict[str, Table]  # people, deals, stage_events, activities, feedback
    first: dict[str, int]  # each table's first free id
    workspace: int
    stamp: datetime  # as_of at midnight UTC: when rows were last updated
    today: int  # as_of as a day number
    log: Callable[[str], None]


@dataclass(frozen=True)
class Reps:
    """The generated reps, one array entry each (in person id order), and how each sells."""

    count: int
    people: int  # everyone written: the admin, the VP, directors, managers and the reps
    team: np.ndarray
    segment: np.ndarray
    region: np.ndarray
    ids: np.ndarray  # person ids
    hired: np.ndarray  # day numbers
    manager0: int  # the first team manager's person id: team t's is manager0 + t
    skill: np.ndarray  # team and individual
    weak_stage: np.ndarray  # -1: none
    volume: np.ndarray
    size: np.ndarray
    pace: np.ndarray
    contacts: np.ndarray
    discount: np.ndarray
    loss_mix: np.ndarray
    kind_mix: np.ndarray
    busy: np.ndarray
    first_day: np.ndarray  # the first day in the history they were on the team
    days_on: np.ndarray


def write_people(target: Target, rng: np.random.Generator, reps: int) -> Reps:
    """Write the people; returns the reps with their selling habits."""
    today = target.today
    start = today - HISTORY_DAYS

    # People: an admin and a VP, directors over 25 teams each, a manager per team of 20 reps.
    teams = math.ceil(reps / TEAM_SIZE)
    directors = math.ceil(teams / 25)
    team_segment = rng.choice(len(SEGMENTS), teams, p=SEGMENT_SHARE)
    team_region = rng.choice(len(REGIONS), teams, p=REGION_SHARE)
    team_names = [
        f"{REGIONS[r]} {SEGMENTS[s].replace('_', '-')} {t + 1:03d}"
        for t, (s, r) in enumerate(zip(team_segment.tolist(), team_region.tolist(), strict=True))
    ]
    rep_team = np.arange(reps) // TEAM_SIZE
    seg, region = team_segment[rep_team], team_region[rep_team]
    base = target.first["people"]
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
            "workspace_id": target.workspace,
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
            "updated_at": target.stamp,
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
    with target.engine.begin() as connection:
        for offset in range(0, len(people), CHUNK):
            connection.execute(insert(target.tables["people"]), people[offset : offset + CHUNK])
    target.log(f"people: {len(people):,} ({reps:,} reps in {teams:,} teams)")

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
    return Reps(
        count=reps,
        people=len(people),
        team=rep_team,
        segment=seg,
        region=region,
        ids=rep_ids,
        hired=hired,
        manager0=manager0,
        skill=skill,
        weak_stage=weak_stage,
        volume=volume,
        size=size,
        pace=pace,
        contacts=contacts,
        discount=discount,
        loss_mix=loss_mix,
        kind_mix=kind_mix,
        busy=busy,
        first_day=first_day,
        days_on=days_on,
    )
