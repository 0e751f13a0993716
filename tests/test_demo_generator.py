"""The demo generator: deterministic, in the native format, and the planted patterns are there.

The pattern checks measure the generated rows with pandas the way an analyst would (90-day
windows of closed deals, teammates as the baseline), so they fail if a change to the generator
weakens a pattern below what coachbot is expected to find.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from bot.demo.generate import DEFAULT_SEED, DEMO_AS_OF, DemoOrg, generate_org, write_csvs
from bot.demo.patterns import ORDINARY, PLANTED, SEGMENTS, email_for
from bot.demo.world import COLUMNS
from bot.vocabulary import (
    ACTIVITY_KINDS,
    DEFAULT_STAGES,
    FEEDBACK_SOURCES,
    LOSS_REASONS,
    OUTCOMES,
    ROLES,
    SKILLS,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MAX_FILE_BYTES = 2_000_000
AS_OF = pd.Timestamp(DEMO_AS_OF)


def planted(pattern: str) -> list[str]:
    return [email_for(name) for name, (_, p) in PLANTED.items() if p == pattern]


# --- measuring -------------------------------------------------------------------------------


def deal_frame(org: DemoOrg) -> pd.DataFrame:
    deals = pd.DataFrame(org.deals)
    people = pd.DataFrame(org.people)[["email", "team"]]
    deals = deals.merge(people, left_on="owner", right_on="email", how="left")
    deals["amount"] = deals["amount"].astype(float)
    deals["contacts"] = deals["contacts_engaged"].astype(int)
    deals["discount"] = deals["discount_pct"].astype(float)
    deals["created"] = pd.to_datetime(deals["created_on"])
    deals["closed"] = pd.to_datetime(deals["closed_on"].replace("", None))
    deals["stage"] = deals["furthest_stage"].map(DEFAULT_STAGES.index)
    deals["won"] = deals["outcome"] == "won"
    deals["cycle"] = (deals["closed"] - deals["created"]).dt.days
    return deals


def closed(deals: pd.DataFrame, days: int | None = None) -> pd.DataFrame:
    done = deals[deals["outcome"] != "open"]
    if days is None:
        return done
    return done[done["closed"] > AS_OF - pd.Timedelta(days=days)]


def split(deals: pd.DataFrame, owner: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rep's deals and their teammates' deals."""
    mine = deals["owner"] == owner
    team = deals.loc[mine, "team"].iloc[0]
    return deals[mine], deals[~mine & (deals["team"] == team)]


def conversion(deals: pd.DataFrame, stage: str) -> tuple[float, int]:
    """Share of deals that reached `stage` and got past it (won counts as past), and n."""
    i = DEFAULT_STAGES.index(stage)
    reached = deals[deals["stage"] >= i]
    passed = (reached["stage"] > i) | reached["won"]
    return float(passed.mean()), len(reached)


def win_rate(deals: pd.DataFrame) -> float:
    return float(deals["won"].mean())


def trend(deals: pd.DataFrame) -> tuple[float, float]:
    """Win rate in the first and the last 4 months of the 12 months to as_of."""
    first = deals[
        (deals["closed"] > AS_OF - pd.Timedelta(days=365))
        & (deals["closed"] <= AS_OF - pd.Timedelta(days=243))
    ]
    last = deals[deals["closed"] > AS_OF - pd.Timedelta(days=122)]
    return win_rate(first), win_rate(last)


def manager_ratings(org: DemoOrg, about: str, skill: str | None = None) -> float:
    fb = pd.DataFrame(org.feedback)
    fb = fb[(fb["about"] == about) & (fb["source"] == "manager")]
    if skill:
        fb = fb[fb["skill"] == skill]
    return float(fb["rating"].astype(int).mean())


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def org() -> DemoOrg:
    return generate_org()


@pytest.fixture(scope="module")
def deals(org: DemoOrg) -> pd.DataFrame:
    return deal_frame(org)


# --- determinism and files -------------------------------------------------------------------


def test_same_seed_gives_identical_rows(org: DemoOrg) -> None:
    assert generate_org(DEFAULT_SEED, DEMO_AS_OF) == org


def test_different_seed_gives_different_rows(org: DemoOrg) -> None:
    other = generate_org(seed=DEFAULT_SEED + 1)
    assert other.deals != org.deals
    assert other.activities != org.activities


def test_checked_in_examples_are_what_the_generator_writes(org: DemoOrg, tmp_path: Path) -> None:
    for path in write_csvs(org, tmp_path):
        checked_in = EXAMPLES / path.name
        assert checked_in.exists(), f"{checked_in} missing: run coachbot demo-data --out examples/"
        assert checked_in.read_bytes() == path.read_bytes(), (
            f"examples/{path.name} is stale: regenerate with coachbot demo-data --out examples/"
        )


def test_files_are_utf8_with_unix_newlines_and_small(org: DemoOrg, tmp_path: Path) -> None:
    paths = write_csvs(org, tmp_path)
    assert [p.stem for p in paths] == list(COLUMNS)
    for path in paths:
        raw = path.read_bytes()
        assert len(raw) < MAX_FILE_BYTES, f"{path.name} is {len(raw)} bytes"
        assert b"\r\n" not in raw
        header = raw.decode("utf-8").split("\n", 1)[0]
        assert header == ",".join(COLUMNS[path.stem])


def _documented_columns() -> dict[str, set[str]]:
    """The column names in each native-format table of docs/import-format.md."""
    text = (ROOT / "docs" / "import-format.md").read_text(encoding="utf-8")
    native = text.split("## Native format", 1)[1].split("## Mapping files", 1)[0]
    columns: dict[str, set[str]] = {}
    for section in native.split("### ")[1:]:
        kind = section.split(" (", 1)[0].strip().replace(" ", "_")
        columns[kind] = set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE))
    return columns


def test_columns_are_the_native_format() -> None:
    documented = _documented_columns()
    assert set(documented) == set(COLUMNS)
    for kind, columns in COLUMNS.items():
        assert set(columns) == documented[kind], kind
        assert len(columns) == len(set(columns))


def test_every_row_has_exactly_the_columns(org: DemoOrg) -> None:
    for kind, columns in COLUMNS.items():
        rows = getattr(org, kind)
        assert rows, kind
        assert all(tuple(row) == columns for row in rows), kind
        assert all(isinstance(v, str) for row in rows for v in row.values()), kind


# --- values ----------------------------------------------------------------------------------


def test_people(org: DemoOrg) -> None:
    people = pd.DataFrame(org.people)
    assert people["email"].is_unique and people["name"].is_unique
    assert people["slack_user_id"].is_unique
    assert people["slack_user_id"].str.fullmatch(r"U0DEMO\d{3}").all()
    assert set(people["role"]) <= set(ROLES)
    assert (people["role"] == "admin").sum() == 1
    assert (people["role"] == "rep").sum() == 30
    assert (people["role"] == "manager").sum() == 4
    managers = set(people["email"])
    assert all(m in managers for m in people["manager_email"] if m)
    assert (people["manager_email"] == "").sum() == 1  # only the VP
    assert set(people["active"]) == {"true"}
    assert people["email"].str.endswith("@northwind.example").all()
    reps = people[people["role"] == "rep"]
    assert reps.groupby("team").size().between(9, 11).all()
    assert (reps["timezone"] == "Europe/London").sum() >= 3
    for value in people["hire_date"]:
        assert date.fromisoformat(value) <= DEMO_AS_OF


def test_deal_values(org: DemoOrg, deals: pd.DataFrame) -> None:
    people = {row["email"] for row in org.people if row["role"] == "rep"}
    assert deals["external_id"].is_unique
    assert deals["external_id"].str.fullmatch(r"D-\d{6}").all()
    assert set(deals["owner"]) <= people
    assert set(deals["outcome"]) == set(OUTCOMES)
    assert set(deals["furthest_stage"]) == set(DEFAULT_STAGES)
    assert set(deals["loss_reason"]) - {""} == set(LOSS_REASONS)
    assert (deals.loc[deals["outcome"] != "lost", "loss_reason"] == "").all()
    assert (deals.loc[deals["outcome"] == "lost", "loss_reason"] != "").all()
    assert (deals.loc[deals["loss_reason"] == "competitor", "competitor"] != "").all()
    assert (deals["amount"] > 0).all() and (deals["currency"] == "USD").all()
    assert deals["discount"].between(0, 100).all() and (deals["contacts"] >= 0).all()
    won = deals[deals["won"]]
    assert set(won["furthest_stage"]) == {"proposal", "negotiation"}
    recorded = deals["recording_url"] != ""
    assert 0.2 < recorded.mean() < 0.4
    assert (
        deals.loc[recorded, "recording_url"]
        .str.match(r"https://recordings\.northwind\.example/calls/")
        .all()
    )
    for segment, norms in SEGMENTS.items():
        amounts = deals.loc[deals["segment"] == segment, "amount"]
        low, high = norms.amount_bounds
        assert low <= amounts.median() <= high
    # Typical discount and contacts stay in the brief's ranges.
    assert deals["contacts"].median() in (2, 3, 4, 5)
    assert deals.loc[deals["stage"] >= 3, "discount"].median() <= 15


def test_dates_are_consistent(org: DemoOrg, deals: pd.DataFrame) -> None:
    done = closed(deals)
    assert (done["closed"] >= done["created"]).all()
    assert (done["closed"] <= AS_OF).all()
    assert (deals["created"] <= AS_OF).all()
    assert (deals.loc[deals["outcome"] == "open", "closed_on"] == "").all()
    # About 13 months of closes, and the recent pipeline is largely open.
    assert done["closed"].min() >= AS_OF - pd.Timedelta(days=400)
    recent = deals[deals["created"] > AS_OF - pd.Timedelta(days=60)]
    assert (recent["outcome"] == "open").mean() > 0.3
    # Cycle times by segment (won deals).
    cycles = done[done["won"]].groupby("segment")["cycle"].median()
    assert 20 <= cycles["smb"] <= 40 and 60 <= cycles["enterprise"] <= 150


def test_stage_history(org: DemoOrg, deals: pd.DataFrame) -> None:
    history = pd.DataFrame(org.stage_history)
    assert set(history["stage"]) <= set(DEFAULT_STAGES)
    by_id = deals.set_index("external_id")
    assert set(history["deal"]) <= set(by_id.index)
    assert 0.8 <= history["deal"].nunique() / len(deals) <= 0.9  # the rest use furthest_stage
    history["day"] = pd.to_datetime(history["entered_on"])
    rows = history.groupby("deal", sort=False)
    # One row per stage, in pipeline order, up to the deal's furthest stage.
    assert (history["stage"].map(DEFAULT_STAGES.index) == rows.cumcount()).all()
    deal = by_id.loc[history["deal"]].reset_index()
    assert (rows.size() == by_id.loc[rows.size().index, "stage"] + 1).all()
    # Dates rise strictly, start on created_on and end by closed_on (or as_of when open).
    assert (rows["day"].diff().dropna() > pd.Timedelta(0)).all()
    first = history.assign(created=deal["created"].values).groupby("deal").first()
    assert (first["day"] == first["created"]).all()
    end = deal["closed"].where(deal["outcome"] != "open", AS_OF)
    assert (history["day"].values <= end.values).all()


def test_activities(org: DemoOrg, deals: pd.DataFrame) -> None:
    activities = pd.DataFrame(org.activities)
    assert 20_000 <= len(activities) <= 35_000
    assert activities["external_id"].is_unique
    assert set(activities["kind"]) == set(ACTIVITY_KINDS)
    assert set(activities["deal"]) - {""} <= set(deals["external_id"])
    assert (activities["deal"] == "").mean() > 0.05  # prospecting calls
    reps = {row["email"] for row in org.people if row["role"] == "rep"}
    assert set(activities["owner"]) <= reps
    zones = {row["email"]: row["timezone"] for row in org.people}
    for row in org.activities[::97]:
        when = datetime.fromisoformat(row["occurred_at"])
        assert when.tzinfo is not None
        assert when.date() < DEMO_AS_OF and when.weekday() < 5
        assert 8 <= when.hour < 17, row  # business hours where the rep is
        assert when.utcoffset() == when.astimezone(ZoneInfo(zones[row["owner"]])).utcoffset()
    emails = activities["kind"] == "email"
    assert (activities.loc[emails, "duration_minutes"] == "").all()
    assert activities.loc[~emails, "duration_minutes"].astype(int).gt(0).all()


def test_feedback(org: DemoOrg) -> None:
    fb = pd.DataFrame(org.feedback)
    people = {row["email"] for row in org.people}
    assert set(fb["source"]) == set(FEEDBACK_SOURCES)
    assert set(fb["skill"]) <= set(SKILLS)
    assert fb["rating"].astype(int).between(1, 5).all()
    assert set(fb["about"]) <= people
    internal = fb[fb["source"] != "customer"]
    assert set(internal["author"]) <= people
    assert fb["given_on"].map(date.fromisoformat).le(DEMO_AS_OF).all()
    assert (fb["note"] != "").all()
    # Monthly-ish manager ratings for every rep who has been around for a while.
    per_rep = fb[fb["source"] == "manager"].groupby("about").size()
    assert per_rep.drop(planted("new_hire")).min() >= 12


# --- planted patterns ------------------------------------------------------------------------


def test_discovery_weak_rep(org: DemoOrg, deals: pd.DataFrame) -> None:
    (rep,) = planted("discovery_weak")
    mine, team = split(closed(deals, 90), rep)
    rate, n = conversion(mine, "discovery")
    team_rate, _ = conversion(team, "discovery")
    assert n >= 30 and rate <= 0.6 * team_rate, (rate, n, team_rate)
    mine_all, team_all = split(closed(deals), rep)
    share = mine_all.loc[~mine_all["won"], "loss_reason"].isin(["no_decision", "product_fit"])
    team_share = team_all.loc[~team_all["won"], "loss_reason"].isin(["no_decision", "product_fit"])
    assert share.mean() >= 0.55 and team_share.mean() <= 0.45
    assert manager_ratings(org, rep, "discovery") <= 2.5


def test_negotiation_weak_rep(org: DemoOrg, deals: pd.DataFrame) -> None:
    (rep,) = planted("negotiation_weak")
    mine, team = split(closed(deals, 90), rep)
    reach = (mine["stage"] == 4).mean()
    assert reach >= 0.7 * (team["stage"] == 4).mean()  # gets there like the others
    rate, n = conversion(mine, "negotiation")
    team_rate, _ = conversion(team, "negotiation")
    assert n >= 15 and rate <= 0.55 * team_rate, (rate, n, team_rate)
    mine_all, _ = split(closed(deals), rep)
    assert conversion(mine_all, "negotiation")[0] <= 0.45
    assert mine_all.loc[mine_all["stage"] >= 3, "discount"].mean() >= 18
    late_losses = mine_all[~mine_all["won"] & (mine_all["stage"] >= 3)]
    assert late_losses["loss_reason"].isin(["price", "competitor"]).mean() >= 0.7
    assert manager_ratings(org, rep, "negotiation") <= 2.5


def test_single_threaded_rep(org: DemoOrg, deals: pd.DataFrame) -> None:
    (rep,) = planted("single_threaded")
    mine, team = split(closed(deals), rep)
    assert (mine["contacts"] == 1).mean() >= 0.7 and team["contacts"].median() >= 3
    median = SEGMENTS[mine["segment"].iloc[0]].amount_median
    big, small = mine[mine["amount"] > median], mine[mine["amount"] <= median]
    assert win_rate(big) <= 0.5 * win_rate(small), (win_rate(big), win_rate(small))
    losses = mine.loc[~mine["won"], "loss_reason"]
    assert losses.isin(["lost_champion", "no_decision"]).mean() >= 0.5
    assert manager_ratings(org, rep, "stakeholder_engagement") <= 2.5


def test_improving_and_declining_reps(deals: pd.DataFrame) -> None:
    (up,) = planted("improving")
    (down,) = planted("declining")
    first, last = trend(closed(deals)[lambda d: d["owner"] == up])
    assert last - first >= 0.2, (first, last)
    first, last = trend(closed(deals)[lambda d: d["owner"] == down])
    assert first - last >= 0.2, (first, last)


def test_new_hire(org: DemoOrg, deals: pd.DataFrame) -> None:
    (rep,) = planted("new_hire")
    hired = next(date.fromisoformat(p["hire_date"]) for p in org.people if p["email"] == rep)
    assert timedelta(weeks=5) <= DEMO_AS_OF - hired <= timedelta(weeks=6)
    mine = deals[deals["owner"] == rep]
    assert 1 <= len(mine) <= 12
    assert len(closed(mine)) < 5


def test_top_performers(org: DemoOrg, deals: pd.DataFrame) -> None:
    reps = planted("top_performer")
    assert len(reps) == 2
    assert len({deals.loc[deals["owner"] == r, "team"].iloc[0] for r in reps}) == 2
    for rep in reps:
        mine, team = split(closed(deals, 90), rep)
        assert win_rate(mine) >= 0.5 and win_rate(mine) >= win_rate(team) + 0.15
        mine, team = split(closed(deals), rep)
        assert mine["amount"].median() >= 1.15 * team["amount"].median()
        assert mine["contacts"].mean() >= team["contacts"].mean() + 0.8
        won, team_won = mine[mine["won"]], team[team["won"]]
        assert won["cycle"].median() <= 0.9 * team_won["cycle"].median()
        assert manager_ratings(org, rep) >= 4.0


def test_ordinary_reps_have_no_big_gaps(deals: pd.DataFrame) -> None:
    ordinary = [email_for(name) for names in ORDINARY.values() for name in names]
    done = closed(deals)
    for team, rows in done[done["owner"].isin(ordinary)].groupby("team"):
        rates = rows.groupby("owner")["won"].mean()
        assert (rates - rates.median()).abs().max() <= 0.08, (team, rates.to_dict())
        discovery = rows.groupby("owner").apply(lambda d: conversion(d, "discovery")[0])
        assert (discovery - discovery.median()).abs().max() <= 0.1, (team, discovery.to_dict())
