"""Headline numbers per rep over a window of closed deals: the first table a manager reads.

Pure: frames and `today` in, a frame out.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

HEADLINE_COLUMNS = [
    "rep",
    "team",
    "closed",
    "won",
    "win_rate",
    "avg_won_amount",
    "median_cycle_days",
    "activities_per_week",
    "open_pipeline",
]


def headline_metrics(
    people: pd.DataFrame,
    deals: pd.DataFrame,
    activities: pd.DataFrame,
    today: date,
    window_days: int = 90,
) -> pd.DataFrame:
    """One row per active rep: deals closed in the window, win rate, deal size, cycle, activity.

    `people` needs id, name, team, role, active; `deals` needs owner_id, outcome, amount,
    created_on, closed_on; `activities` needs owner_id, occurred_at (UTC).
    Win rate is won / closed in the window; NaN where nothing closed (not zero: no evidence).
    """
    start = today - timedelta(days=window_days)
    reps = people[(people["role"] == "rep") & people["active"]].set_index("id")
    closed = deals[
        deals["outcome"].isin(["won", "lost"])
        & (deals["closed_on"] > start)
        & (deals["closed_on"] <= today)
    ]
    won = closed[closed["outcome"] == "won"]
    cycle = (pd.to_datetime(won["closed_on"]) - pd.to_datetime(won["created_on"])).dt.days
    open_deals = deals[deals["outcome"] == "open"]
    since = pd.Timestamp(start, tz="UTC")
    until = pd.Timestamp(today + timedelta(days=1), tz="UTC")
    recent = activities[(activities["occurred_at"] >= since) & (activities["occurred_at"] < until)]

    table = pd.DataFrame(index=reps.index)
    table["rep"] = reps["name"]
    table["team"] = reps["team"]
    table["closed"] = closed.groupby("owner_id").size()
    table["won"] = won.groupby("owner_id").size()
    table[["closed", "won"]] = table[["closed", "won"]].fillna(0).astype(int)
    table["win_rate"] = (table["won"] / table["closed"]).where(table["closed"] > 0)
    table["avg_won_amount"] = won.groupby("owner_id")["amount"].mean()
    table["median_cycle_days"] = cycle.groupby(won["owner_id"]).median()
    weeks = window_days / 7
    table["activities_per_week"] = (recent.groupby("owner_id").size() / weeks).reindex(
        table.index, fill_value=0.0
    )
    table["open_pipeline"] = (
        open_deals.groupby("owner_id")["amount"].sum().reindex(table.index, fill_value=0.0)
    )
    return table.reset_index(drop=True)[HEADLINE_COLUMNS].sort_values(["team", "rep"])
