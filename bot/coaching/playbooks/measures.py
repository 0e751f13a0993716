"""Playbook measures: one group in, (value, n) out, where n counts what the value is pooled
over; value None when there is nothing to measure. Some need the whole context (stage
history, the pipeline's stages) and are built from it first."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from bot.analytics.metrics import MULTITHREAD_CONTACTS
from bot.coaching.playbooks.frames import Context, Group, clean_text, column_of

Measure = Callable[[Group], tuple[float | None, int]]


def _share(mask: pd.Series) -> tuple[float | None, int]:
    n = len(mask)
    return (float(mask.sum()) / n if n else None), n


def _mean(values: pd.Series) -> tuple[float | None, int]:
    values = pd.to_numeric(values, errors="coerce").dropna()
    return (float(values.mean()) if len(values) else None), len(values)


def _median(values: pd.Series) -> tuple[float | None, int]:
    values = pd.to_numeric(values, errors="coerce").dropna()
    return (float(values.median()) if len(values) else None), len(values)


def lost_to(reasons: Sequence[str]) -> Measure:
    """Share of closed deals lost to one of `reasons`."""

    def measure(group: Group) -> tuple[float | None, int]:
        reason = clean_text(column_of(group.closed, "loss_reason"))
        return _share(~group.closed["won"] & reason.isin(list(reasons)))

    return measure


def conversion(ctx: Context, source: str, target: str) -> Measure | None:
    """Of the closed deals (known reach) that entered `source`, the share that reached the
    next stage (`target`, or won after the last stage)."""
    index = ctx.stage_index(source)
    if index is None or (target != "won" and ctx.stage_index(target) != index + 1):
        return None

    def measure(group: Group) -> tuple[float | None, int]:
        reach = group.closed["reach"]
        entered = reach[(reach >= 0) & (reach >= index)]
        return _share(entered >= index + 1)

    return measure


def win_rate_from(ctx: Context, stage: str) -> Measure | None:
    """Win rate of the closed deals that reached `stage`."""
    index = ctx.stage_index(stage)
    if index is None:
        return None

    def measure(group: Group) -> tuple[float | None, int]:
        reached = group.closed[group.closed["reach"] >= index]
        return _share(reached["won"])

    return measure


def won_mean(column: str) -> Measure:
    def measure(group: Group) -> tuple[float | None, int]:
        won = group.closed[group.closed["won"]]
        return _mean(column_of(won, column))

    return measure


def contacts_mean(group: Group) -> tuple[float | None, int]:
    return _mean(column_of(group.closed, "contacts_engaged"))


def multithreaded(group: Group) -> tuple[float | None, int]:
    contacts = pd.to_numeric(column_of(group.closed, "contacts_engaged"), errors="coerce").dropna()
    return _share(contacts >= MULTITHREAD_CONTACTS)


def competitive_win_rate(group: Group) -> tuple[float | None, int]:
    named = clean_text(column_of(group.closed, "competitor")) != ""
    return _share(group.closed.loc[named, "won"])


def won_cycle(group: Group) -> tuple[float | None, int]:
    won = group.closed[group.closed["won"]]
    days = (won["closed"] - won["created"]).dt.days
    return _median(days[days >= 0])


def per_week(count: Callable[[Group], int]) -> Measure:
    def measure(group: Group) -> tuple[float | None, int]:
        if group.weeks <= 0:
            return None, group.active_reps
        return count(group) / group.weeks, group.active_reps

    return measure


def activities_of(kinds: Sequence[str] | None) -> Callable[[Group], int]:
    def count(group: Group) -> int:
        if kinds is None:
            return len(group.activities)
        return int(group.activities["kind"].isin(list(kinds)).sum())

    return count


def meetings_before_proposal(ctx: Context) -> Measure:
    """Meetings on each closed deal before it entered proposal (all of the deal's meetings
    when its history has no proposal date), averaged over the group's closed deals."""
    meetings = ctx.deal_activities[ctx.deal_activities["kind"] == "meeting"]
    proposal = ctx.entered_on("proposal")

    def measure(group: Group) -> tuple[float | None, int]:
        ids = group.closed["id"]
        mine = meetings[meetings["deal_id"].isin(ids)]
        cutoff = mine["deal_id"].map(proposal)
        before = mine[cutoff.isna() | (mine["day"] < cutoff)]
        counts = before.groupby("deal_id").size().reindex(ids.to_numpy(), fill_value=0)
        return _mean(counts)

    return measure


def demoed_before_qualified(ctx: Context) -> Measure:
    """Of the closed deals with a qualification date, the share with a demo before it."""
    demos = ctx.deal_activities[ctx.deal_activities["kind"] == "demo"]
    qualified = ctx.entered_on("qualification").dropna()

    def measure(group: Group) -> tuple[float | None, int]:
        dated = qualified[qualified.index.isin(group.closed["id"])]
        early = demos[demos["deal_id"].isin(dated.index)]
        early = early[early["day"] < early["deal_id"].map(dated)]
        return _share(pd.Series(dated.index.isin(early["deal_id"])))

    return measure


def days_to(ctx: Context, stage: str) -> Measure:
    """Median days from a deal's creation to the day it entered `stage`."""
    entered = ctx.entered_on(stage).dropna()

    def measure(group: Group) -> tuple[float | None, int]:
        closed = group.closed.set_index("id")
        dated = entered[entered.index.isin(closed.index)]
        days = (dated - closed["created"].reindex(dated.index)).dt.days
        return _median(days[days >= 0])

    return measure


def stage_dwell(ctx: Context) -> pd.DataFrame:
    """Per closed deal and stage it left: days from entering the stage to entering the next
    one it reached (or to the win, for the last)."""
    if ctx.entered.empty:
        return pd.DataFrame(columns=["deal_id", "stage", "days"])
    order = {stage: i for i, stage in enumerate(ctx.stages)}
    rows = ctx.entered[ctx.entered["stage"].isin(list(order))].dropna(subset=["entered"]).copy()
    rows["order"] = rows["stage"].map(order)
    rows = rows.sort_values(["deal_id", "order"])
    rows["next"] = rows.groupby("deal_id")["entered"].shift(-1)
    closed = pd.concat([ctx.top.closed, ctx.others.closed]).drop_duplicates("id")
    won_on = closed[closed["won"]].set_index("id")["closed"]
    last = rows["next"].isna()
    rows.loc[last, "next"] = rows.loc[last, "deal_id"].map(won_on)
    rows["days"] = (rows["next"] - rows["entered"]).dt.days
    rows = rows.dropna(subset=["days"])
    return rows.loc[rows["days"] >= 0, ["deal_id", "stage", "days"]]


def days_in(dwell: pd.DataFrame, stage: str) -> Measure:
    rows = dwell[dwell["stage"] == stage]

    def measure(group: Group) -> tuple[float | None, int]:
        return _median(rows.loc[rows["deal_id"].isin(group.closed["id"]), "days"])

    return measure
