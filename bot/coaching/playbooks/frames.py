"""Data preparation for playbooks: the CRM frames cut to the window and pooled into two
groups, the top performers and every other active rep, with the stage history and the
activities the measures need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from bot.analytics.funnel import deal_reach
from bot.analytics.metrics import CrmData


@dataclass(frozen=True)
class Group:
    reps: pd.Index
    weeks: float  # rep-weeks on the team within the window
    active_reps: int  # reps with any time on the team in the window
    closed: pd.DataFrame  # closed deals in the window: reach, created, closed, won
    created: pd.DataFrame  # deals created in the window
    activities: pd.DataFrame  # activities in the window (any deal)


@dataclass(frozen=True)
class Context:
    stages: tuple[str, ...]
    top: Group
    others: Group
    entered: pd.DataFrame  # per closed deal and stage: first day entered (Timestamp)
    deal_activities: pd.DataFrame  # activities on the closed deals, any date, with `day`

    def stage_index(self, stage: str) -> int | None:
        return self.stages.index(stage) if stage in self.stages else None

    def entered_on(self, stage: str) -> pd.Series:
        """Per deal id: the first day the deal entered `stage` (deals with history only)."""
        rows = self.entered[self.entered["stage"] == stage]
        return rows.set_index("deal_id")["entered"]


def day_stamps(values: pd.Series) -> pd.Series:
    """Dates (date objects, strings or timestamps) as naive day Timestamps; NaT if missing."""
    stamps = pd.to_datetime(values, errors="coerce", utc=True)
    return stamps.dt.tz_localize(None).dt.normalize()


def column_of(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def clean_text(values: pd.Series) -> pd.Series:
    """Text cells stripped and lower-cased; missing values become ""."""
    return values.astype(object).where(values.notna(), "").astype(str).str.strip().str.lower()


def _active_reps(people: pd.DataFrame) -> pd.DataFrame:
    if people.empty or "role" not in people:
        return pd.DataFrame(index=pd.Index([], name="id"))
    active = people["active"].fillna(False).astype(bool) if "active" in people else True
    return people[(people["role"] == "rep") & active].set_index("id")


def _exposure_weeks(reps: pd.DataFrame, today: date, days: int) -> pd.Series:
    start = today - timedelta(days=days)
    hired = column_of(reps, "hire_date")
    spans = []
    for value in hired:
        stamp = pd.to_datetime(value, errors="coerce")
        first = start if pd.isna(stamp) else max(stamp.date(), start)
        spans.append(min(max((today - first).days, 0), days))
    return pd.Series(np.asarray(spans, dtype=float) / 7.0, index=reps.index)


def prepare(
    data: CrmData,
    top_ids: set[int],
    today: date,
    window_days: int,
    stages: tuple[str, ...],
) -> Context:
    reps = _active_reps(data.people)
    weeks = _exposure_weeks(reps, today, window_days)
    start = pd.Timestamp(today - timedelta(days=window_days))
    end = pd.Timestamp(today)

    deals = data.deals
    if deals.empty or "owner_id" not in deals:
        deals = pd.DataFrame(columns=["id", "owner_id", "outcome", "created_on", "closed_on"])
    deals = deals[deals["owner_id"].isin(reps.index)].copy()
    deals["created"] = day_stamps(column_of(deals, "created_on"))
    deals["closed"] = day_stamps(column_of(deals, "closed_on"))
    outcome = clean_text(column_of(deals, "outcome"))
    closed = deals[
        outcome.isin(["won", "lost"]) & (deals["closed"] > start) & (deals["closed"] <= end)
    ].copy()
    closed["won"] = clean_text(closed["outcome"]) == "won"
    events = _events(data.stage_events)
    if "furthest_stage" not in closed:
        closed["furthest_stage"] = None
    if len(closed):
        reach = deal_reach(closed, events, stages)
        closed["reach"] = reach.reindex(closed["id"]).to_numpy()
    else:
        closed["reach"] = pd.Series(dtype="int64")
    created = deals[(deals["created"] > start) & (deals["created"] <= end)]

    activities = _activities(data.activities)
    in_window = activities[(activities["day"] > start) & (activities["day"] <= end)]
    on_closed = activities[activities["deal_id"].isin(closed["id"])]

    entered = events[events["deal_id"].isin(closed["id"])]
    entered = entered.groupby(["deal_id", "stage"], as_index=False)["entered"].min()

    def group(ids: pd.Index) -> Group:
        return Group(
            reps=ids,
            weeks=float(weeks.reindex(ids).sum()),
            active_reps=int((weeks.reindex(ids) > 0).sum()),
            closed=closed[closed["owner_id"].isin(ids)],
            created=created[created["owner_id"].isin(ids)],
            activities=in_window[in_window["owner_id"].isin(ids)],
        )

    top = reps.index[reps.index.isin(list(top_ids))]
    others = reps.index[~reps.index.isin(list(top_ids))]
    return Context(stages, group(top), group(others), entered, on_closed)


def _events(stage_events: pd.DataFrame) -> pd.DataFrame:
    """Stage history with a day Timestamp per entry; empty (with the columns) when absent."""
    empty = pd.DataFrame(
        {
            "deal_id": pd.Series(dtype="int64"),
            "stage": pd.Series(dtype=object),
            "entered": pd.Series(dtype="datetime64[ns]"),
        }
    )
    if stage_events is None or stage_events.empty or "stage" not in stage_events:
        return empty
    frame = pd.DataFrame(
        {
            "deal_id": stage_events["deal_id"].to_numpy(),
            "stage": stage_events["stage"].astype(object).to_numpy(),
            "entered": day_stamps(column_of(stage_events, "entered_on")).to_numpy(),
        }
    )
    return frame.dropna(subset=["deal_id", "stage"])


def _activities(activities: pd.DataFrame) -> pd.DataFrame:
    """Activities with a `day` Timestamp and plain text `kind`; empty when absent."""
    columns = ["owner_id", "deal_id", "kind", "day"]
    if activities is None or activities.empty or "owner_id" not in activities:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns}).astype(
            {"day": "datetime64[ns]"}
        )
    frame = pd.DataFrame(
        {
            "owner_id": activities["owner_id"].to_numpy(),
            "deal_id": pd.to_numeric(column_of(activities, "deal_id"), errors="coerce").to_numpy(),
            "kind": clean_text(column_of(activities, "kind")).to_numpy(),
            "day": day_stamps(column_of(activities, "occurred_at")).to_numpy(),
        }
    )
    return frame.dropna(subset=["day"])
