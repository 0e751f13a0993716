"""Per-rep measurements over a rolling window: the raw counts and sums every comparison,
benchmark and revenue figure is built from. Pure: frames and `today` in, frames out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from bot.analytics import catalog as c
from bot.analytics.coverage import (
    MIN_LOSS_REASON_SHARE,
    Coverage,
    DataKind,
    data_coverage,
    has_reason,
    recorded_contacts,
)
from bot.analytics.funnel import deal_reach, transition_counts

MULTITHREAD_CONTACTS = 3


@dataclass(frozen=True)
class CrmData:
    """A workspace's CRM tables as frames (columns as bot/services/frames.py loads them)."""

    people: pd.DataFrame
    deals: pd.DataFrame
    stage_events: pd.DataFrame
    activities: pd.DataFrame
    feedback: pd.DataFrame


@dataclass(frozen=True)
class Window:
    today: date
    days: int

    @property
    def start(self) -> date:
        """First day excluded: the window is (start, today]."""
        return self.today - timedelta(days=self.days)


@dataclass(frozen=True)
class Measurements:
    """Raw per-rep numbers for one window, in long frames by kind of metric."""

    reps: (
        pd.DataFrame
    )  # index rep id: name, email, team, segment, manager_id, hire_date, peer_group
    rates: pd.DataFrame  # rep_id, metric, successes, trials
    per_week: pd.DataFrame  # rep_id, metric, count, weeks
    means: pd.DataFrame  # rep_id, metric, n, total, total_sq
    closed: pd.DataFrame  # the window's closed deals of these reps, with reach
    description: pd.DataFrame  # index rep id: descriptive figures shown but not compared
    coverage: Coverage  # which kinds of data exist: metrics without theirs are not measured


def active_reps(people: pd.DataFrame, min_peers: int = 4) -> pd.DataFrame:
    """Active reps with their peer group: their team, or their segment or the whole org when
    the team is too small to compare against."""
    reps = people[(people["role"] == "rep") & people["active"].astype(bool)].set_index("id")
    team_size = reps.groupby("team", dropna=False)["name"].transform("size")
    segment_size = reps.groupby("segment", dropna=False)["name"].transform("size")
    team = "team:" + reps["team"].fillna("(no team)").astype(str)
    segment = "segment:" + reps["segment"].fillna("(none)").astype(str)
    peer = np.where(team_size > min_peers, team, np.where(segment_size > min_peers, segment, "org"))
    return reps.assign(peer_group=peer)


def peer_sums(values: pd.DataFrame, reps: pd.DataFrame) -> pd.DataFrame:
    """Per-rep sums (index: rep id) totalled over each rep's peer group, without the rep.

    A rep compared within their segment, or the whole org, is pooled with every rep of that
    segment or org, including those who are themselves compared within their own team.
    """
    people = reps.reindex(values.index)
    team = values.groupby(people["team"].fillna("(no team)").to_numpy()).transform("sum")
    segment = values.groupby(people["segment"].fillna("(none)").to_numpy()).transform("sum")
    org = pd.DataFrame(
        np.broadcast_to(values.sum().to_numpy(), values.shape),
        index=values.index,
        columns=values.columns,
    )
    level = people["peer_group"].str.split(":").str[0].to_numpy()[:, None]
    pooled = np.where(level == "team", team, np.where(level == "segment", segment, org))
    return pd.DataFrame(pooled, index=values.index, columns=values.columns) - values


def measure(data: CrmData, window: Window, stages: Sequence[str]) -> Measurements:
    reps = active_reps(data.people)
    deals = data.deals[data.deals["owner_id"].isin(reps.index)]
    closed = deals[
        deals["outcome"].isin(["won", "lost"])
        & (deals["closed_on"] > window.start)
        & (deals["closed_on"] <= window.today)
    ].copy()
    closed["reach"] = deal_reach(closed, data.stage_events, stages).reindex(closed["id"]).to_numpy()
    closed["contacts_engaged"] = recorded_contacts(closed["contacts_engaged"])
    won = closed[closed["outcome"] == "won"]
    weeks = _exposure_weeks(reps, window)
    coverage = data_coverage(closed, data.activities, data.feedback)
    return Measurements(
        reps=reps,
        rates=_rates(reps, closed, stages, coverage),
        per_week=_per_week(reps, deals, data.activities, window, weeks, coverage),
        means=_means(won),
        closed=closed,
        description=_describe(reps, closed, won, deals, data.activities, window, weeks),
        coverage=coverage,
    )


def _exposure_weeks(reps: pd.DataFrame, window: Window) -> pd.Series:
    """Weeks each rep was on the team within the window (a new hire has fewer)."""
    days = [
        (window.today - max(hired, window.start)).days if isinstance(hired, date) else window.days
        for hired in reps["hire_date"]
    ]
    return pd.Series(np.clip(days, 0, window.days) / 7.0, index=reps.index)


def _rates(
    reps: pd.DataFrame, closed: pd.DataFrame, stages: Sequence[str], coverage: Coverage
) -> pd.DataFrame:
    frames = []
    by_owner = closed.groupby("owner_id")
    outcome = pd.DataFrame(
        {
            "successes": by_owner["outcome"].apply(lambda s: int((s == "won").sum())),
            "trials": by_owner.size(),
        }
    )
    frames.append(outcome.assign(metric=c.WIN_RATE))

    conversions = transition_counts(closed, stages)
    for (source, target), group in conversions.groupby(["from_stage", "to_stage"], sort=False):
        counts = group.set_index("owner_id").rename(
            columns={"advanced": "successes", "entered": "trials"}
        )[["successes", "trials"]]
        frames.append(counts.assign(metric=c.conversion_name(source, target)))

    contacts = closed.dropna(subset=["contacts_engaged"])
    multi = contacts.groupby("owner_id")["contacts_engaged"].agg(
        successes=lambda s: int((s >= MULTITHREAD_CONTACTS).sum()), trials="size"
    )
    frames.append(multi.assign(metric=c.MULTITHREADED))

    if coverage.has(DataKind.LOSS_REASONS):
        frames.extend(_loss_reason_rates(closed))

    table = pd.concat(frames).rename_axis("rep_id").reset_index()
    table = table[table["rep_id"].isin(reps.index)]
    return table[["rep_id", "metric", "successes", "trials"]].astype(
        {"successes": int, "trials": int}
    )


def _loss_reason_rates(closed: pd.DataFrame) -> list[pd.DataFrame]:
    """Per reason, the share of a rep's lost deals (those with a reason) lost to it: the mix
    of why they lose. A rep who loses more deals for every reason alike has their peers'
    mix, and the reasons say nothing specific; a rep whose losses go to price three times as
    often as their peers' do points at a skill. A rep who records a reason on fewer than
    half their losses is not measured on reasons at all."""
    lost = closed["outcome"] == "lost"
    recorded = has_reason(closed["loss_reason"])
    reasons = closed["loss_reason"].fillna("").str.strip().str.lower()
    owner = closed["owner_id"]
    explained = (lost & recorded).groupby(owner).sum()
    share = explained / lost.groupby(owner).sum().replace(0, np.nan)
    measured = share >= MIN_LOSS_REASON_SHARE
    frames = []
    for reason in c.LOSS_REASON_SKILLS:
        lost_to = (lost & (reasons == reason)).groupby(owner).sum()[measured]
        counts = pd.DataFrame({"successes": lost_to, "trials": explained[measured]})
        frames.append(counts.assign(metric=c.loss_reason_name(reason)))
    return frames


def _per_week(
    reps: pd.DataFrame,
    deals: pd.DataFrame,
    activities: pd.DataFrame,
    window: Window,
    weeks: pd.Series,
    coverage: Coverage,
) -> pd.DataFrame:
    created = deals[(deals["created_on"] > window.start) & (deals["created_on"] <= window.today)]
    since = pd.Timestamp(window.start + timedelta(days=1), tz="UTC")
    until = pd.Timestamp(window.today + timedelta(days=1), tz="UTC")
    recent = activities[(activities["occurred_at"] >= since) & (activities["occurred_at"] < until)]
    frames = [
        pd.DataFrame(
            {"count": created.groupby("owner_id").size().reindex(reps.index, fill_value=0)}
        ).assign(metric=c.DEALS_CREATED)
    ]
    if coverage.has(DataKind.ACTIVITIES):
        # Zero only means "no activity" when activities were imported at all.
        frames.append(
            pd.DataFrame(
                {"count": recent.groupby("owner_id").size().reindex(reps.index, fill_value=0)}
            ).assign(metric=c.ACTIVITIES)
        )
    table = pd.concat(frames)
    table["weeks"] = weeks.reindex(table.index).to_numpy()
    return table.rename_axis("rep_id").reset_index()[["rep_id", "metric", "count", "weeks"]]


def _means(won: pd.DataFrame) -> pd.DataFrame:
    cycle = (pd.to_datetime(won["closed_on"]) - pd.to_datetime(won["created_on"])).dt.days
    values = {
        c.DEAL_SIZE: won["amount"].astype(float),
        c.DISCOUNT: won["discount_pct"].astype(float),
        c.CYCLE_DAYS: cycle.astype(float),
    }
    frames = []
    for metric, series in values.items():
        frame = pd.DataFrame({"owner_id": won["owner_id"], "value": series}).dropna()
        grouped = frame.groupby("owner_id")["value"]
        stats = pd.DataFrame(
            {
                "n": grouped.size(),
                "total": grouped.sum(),
                "total_sq": frame.assign(sq=frame["value"] ** 2).groupby("owner_id")["sq"].sum(),
            }
        )
        frames.append(stats.assign(metric=metric))
    table = pd.concat(frames).rename_axis("rep_id").reset_index()
    return table[["rep_id", "metric", "n", "total", "total_sq"]]


def _describe(
    reps: pd.DataFrame,
    closed: pd.DataFrame,
    won: pd.DataFrame,
    deals: pd.DataFrame,
    activities: pd.DataFrame,
    window: Window,
    weeks: pd.Series,
) -> pd.DataFrame:
    """Figures shown in an assessment for context: medians, mixes, activity by kind."""
    table = pd.DataFrame(index=reps.index)
    table["closed"] = closed.groupby("owner_id").size()
    table["won"] = won.groupby("owner_id").size()
    table[["closed", "won"]] = table[["closed", "won"]].fillna(0).astype(int)
    table["won_amount"] = won.groupby("owner_id")["amount"].sum()
    table["median_won_amount"] = won.groupby("owner_id")["amount"].median()
    table["mean_contacts"] = closed.groupby("owner_id")["contacts_engaged"].mean()
    table["weeks"] = weeks
    created = deals[(deals["created_on"] > window.start) & (deals["created_on"] <= window.today)]
    table["pipeline_created"] = created.groupby("owner_id")["amount"].sum()
    table["open_pipeline"] = deals[deals["outcome"] == "open"].groupby("owner_id")["amount"].sum()
    table[["won_amount", "pipeline_created", "open_pipeline"]] = table[
        ["won_amount", "pipeline_created", "open_pipeline"]
    ].fillna(0.0)
    since = pd.Timestamp(window.start + timedelta(days=1), tz="UTC")
    until = pd.Timestamp(window.today + timedelta(days=1), tz="UTC")
    recent = activities[(activities["occurred_at"] >= since) & (activities["occurred_at"] < until)]
    by_kind = recent.groupby(["owner_id", "kind"]).size().unstack(fill_value=0)
    for kind in ("call", "email", "meeting", "demo"):
        count = by_kind[kind] if kind in by_kind else pd.Series(dtype=float)
        # No activities imported at all: not measured (NaN), not zero.
        table[f"{kind}s_per_week"] = (count.reindex(table.index, fill_value=0) / weeks).where(
            (weeks > 0) & (len(activities) > 0)
        )
    lost = closed[closed["outcome"] == "lost"]
    table["loss_reasons"] = _mix(lost, "loss_reason").reindex(table.index)
    table["competitors"] = _mix(lost, "competitor").reindex(table.index)
    return table


def _mix(frame: pd.DataFrame, column: str) -> pd.Series:
    """Per owner, {value: count} of a text column, most common first."""
    values = frame[column].fillna("").astype(str).str.strip()
    present = frame[values != ""].assign(value=values[values != ""])
    counts = present.groupby(["owner_id", "value"]).size().sort_values(ascending=False)
    mixes: dict[int, dict[str, int]] = {}
    for (owner, value), count in counts.items():
        mixes.setdefault(owner, {})[str(value)] = int(count)
    return pd.Series(mixes, dtype=object)


def monthly_history(data: CrmData, reps: pd.Index, today: date, months: int = 12) -> pd.DataFrame:
    """Per rep and calendar month (the last `months`, current month included): closed, won,
    win rate and won amount. The series behind trends."""
    deals = data.deals[data.deals["owner_id"].isin(reps)]
    closed = deals[deals["outcome"].isin(["won", "lost"]) & deals["closed_on"].notna()]
    period = pd.PeriodIndex(pd.to_datetime(closed["closed_on"]), freq="M")
    last = pd.Period(today, freq="M")
    periods = pd.period_range(last - (months - 1), last, freq="M")
    frame = pd.DataFrame(
        {
            "rep_id": closed["owner_id"].to_numpy(),
            "month": period,
            "won": (closed["outcome"] == "won").to_numpy(),
            "won_amount": np.where(closed["outcome"] == "won", closed["amount"], 0.0),
        }
    )
    frame = frame[
        frame["month"].isin(periods)
        & (pd.to_datetime(closed["closed_on"]).dt.date <= today).to_numpy()
    ]
    grouped = frame.groupby(["rep_id", "month"]).agg(
        closed=("won", "size"), won=("won", "sum"), won_amount=("won_amount", "sum")
    )
    full = pd.MultiIndex.from_product([reps, periods], names=["rep_id", "month"])
    history = grouped.reindex(full, fill_value=0).reset_index()
    history["win_rate"] = (history["won"] / history["closed"]).where(history["closed"] > 0)
    return history
