"""Playbooks: for one skill, what the reps who are strong in it do differently from everyone
else, quantified from the CRM data, with recorded wins to listen to and the enablement team's
tips and exercise.

Every number is pooled per group (the top performers, and all other active reps) over the
closed deals of the window, or over the group's reps for per-week figures, so no individual
rep can be read off a playbook. Pure: frames, assessment payloads and `today` in, a Playbook
(and its Markdown) out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.analytics.funnel import deal_reach
from bot.analytics.metrics import MULTITHREAD_CONTACTS, CrmData
from bot.render import formats
from bot.vocabulary import DEFAULT_STAGES, SKILLS

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE = "playbook.md.j2"

DEFAULT_WINDOW_DAYS = 180
MIN_STRENGTH_REPS = 2  # reps named strong in the skill before they make the top group
MIN_DEALS = 5  # deals behind each group's number before a per-deal behaviour is shown
MAX_BEHAVIOURS = 5
MAX_EXEMPLARS = 5
SIMILAR_SHARE = 0.05  # differences smaller than this share of the larger value are "the same"
SIMILAR_POINTS = 0.01  # ...and, for percentages, smaller than one point or a tenth of the larger
SIMILAR_PCT_SHARE = 0.10

SELECTED_BY_STRENGTH = "strength"
SELECTED_BY_WIN_RATE = "win_rate"

# Stored precision per unit (what the Markdown shows is formatted from these).
DIGITS: dict[str, int] = {"pct": 3, "money": 0, "days": 1, "per_week": 1, "points": 1}
SIMILAR_NOTE = "About the same in both groups: not what sets top performers apart here."


@dataclass(frozen=True)
class Behaviour:
    label: str
    top: float
    others: float
    unit: str  # as in the catalog: pct (a 0-1 share), money, days, per_week, points, count
    top_n: int
    others_n: int
    note: str  # one line: what the difference means for a rep
    basis: str = "deals"  # what top_n and others_n count (plural): deals, won deals, reps...


@dataclass(frozen=True)
class Playbook:
    skill: str
    as_of: date
    window_days: int
    top_reps: int
    other_reps: int
    behaviours: tuple[Behaviour, ...]
    exemplar_calls: tuple[dict[str, str], ...]
    summary: str
    tips: tuple[str, ...]
    exercise: str
    selected_by: str = SELECTED_BY_STRENGTH  # how the top group was chosen


# --- who the top performers are --------------------------------------------------------------


def _latest(payloads: list[dict]) -> dict[int, dict]:
    """Per rep id, the payload with the latest as_of (ISO dates sort as text)."""
    latest: dict[int, dict] = {}
    for payload in payloads:
        rep = payload.get("rep_id")
        if rep is None:
            continue
        known = latest.get(int(rep))
        if known is None or str(payload.get("as_of") or "") >= str(known.get("as_of") or ""):
            latest[int(rep)] = payload
    return latest


def _strong_in(payloads: list[dict], skill: str) -> set[int]:
    return {
        rep
        for rep, payload in _latest(payloads).items()
        if any(item.get("skill") == skill for item in payload.get("strengths") or [])
    }


def _win_rate(payload: dict) -> float | None:
    value = (payload.get("headline") or {}).get("win_rate")
    if value is None or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def top_performers(payloads: list[dict], skill: str) -> set[int]:
    """Rep ids whose latest assessment names `skill` a strength; when fewer than two are, the
    top quartile by win rate among assessed reps (ties at the cut-off included)."""
    strong = _strong_in(payloads, skill)
    if len(strong) >= MIN_STRENGTH_REPS:
        return strong
    rates = {
        rep: rate
        for rep, payload in _latest(payloads).items()
        if payload.get("status", "assessed") == "assessed"
        and (rate := _win_rate(payload)) is not None
    }
    if not rates:
        return set()
    ranked = sorted(rates.values(), reverse=True)
    cutoff = ranked[math.ceil(len(ranked) / 4) - 1]
    return {rep for rep, rate in rates.items() if rate >= cutoff}


# --- the pooled groups -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    reps: pd.Index
    weeks: float  # rep-weeks on the team within the window
    active_reps: int  # reps with any time on the team in the window
    closed: pd.DataFrame  # closed deals in the window: reach, created, closed, won
    created: pd.DataFrame  # deals created in the window
    activities: pd.DataFrame  # activities in the window (any deal)


@dataclass(frozen=True)
class _Context:
    stages: tuple[str, ...]
    top: _Group
    others: _Group
    entered: pd.DataFrame  # per closed deal and stage: first day entered (Timestamp)
    deal_activities: pd.DataFrame  # activities on the closed deals, any date, with `day`

    def stage_index(self, stage: str) -> int | None:
        return self.stages.index(stage) if stage in self.stages else None

    def entered_on(self, stage: str) -> pd.Series:
        """Per deal id: the first day the deal entered `stage` (deals with history only)."""
        rows = self.entered[self.entered["stage"] == stage]
        return rows.set_index("deal_id")["entered"]


def _timestamps(values: pd.Series) -> pd.Series:
    """Dates (date objects, strings or timestamps) as naive day Timestamps; NaT if missing."""
    stamps = pd.to_datetime(values, errors="coerce", utc=True)
    return stamps.dt.tz_localize(None).dt.normalize()


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _text(values: pd.Series) -> pd.Series:
    """Text cells stripped and lower-cased; missing values become ""."""
    return values.astype(object).where(values.notna(), "").astype(str).str.strip().str.lower()


def _active_reps(people: pd.DataFrame) -> pd.DataFrame:
    if people.empty or "role" not in people:
        return pd.DataFrame(index=pd.Index([], name="id"))
    active = people["active"].fillna(False).astype(bool) if "active" in people else True
    return people[(people["role"] == "rep") & active].set_index("id")


def _exposure_weeks(reps: pd.DataFrame, today: date, days: int) -> pd.Series:
    start = today - timedelta(days=days)
    hired = _column(reps, "hire_date")
    spans = []
    for value in hired:
        stamp = pd.to_datetime(value, errors="coerce")
        first = start if pd.isna(stamp) else max(stamp.date(), start)
        spans.append(min(max((today - first).days, 0), days))
    return pd.Series(np.asarray(spans, dtype=float) / 7.0, index=reps.index)


def _prepare(
    data: CrmData,
    top_ids: set[int],
    today: date,
    window_days: int,
    stages: tuple[str, ...],
) -> _Context:
    reps = _active_reps(data.people)
    weeks = _exposure_weeks(reps, today, window_days)
    start = pd.Timestamp(today - timedelta(days=window_days))
    end = pd.Timestamp(today)

    deals = data.deals
    if deals.empty or "owner_id" not in deals:
        deals = pd.DataFrame(columns=["id", "owner_id", "outcome", "created_on", "closed_on"])
    deals = deals[deals["owner_id"].isin(reps.index)].copy()
    deals["created"] = _timestamps(_column(deals, "created_on"))
    deals["closed"] = _timestamps(_column(deals, "closed_on"))
    outcome = _text(_column(deals, "outcome"))
    closed = deals[
        outcome.isin(["won", "lost"]) & (deals["closed"] > start) & (deals["closed"] <= end)
    ].copy()
    closed["won"] = _text(closed["outcome"]) == "won"
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

    def group(ids: pd.Index) -> _Group:
        return _Group(
            reps=ids,
            weeks=float(weeks.reindex(ids).sum()),
            active_reps=int((weeks.reindex(ids) > 0).sum()),
            closed=closed[closed["owner_id"].isin(ids)],
            created=created[created["owner_id"].isin(ids)],
            activities=in_window[in_window["owner_id"].isin(ids)],
        )

    top = reps.index[reps.index.isin(list(top_ids))]
    others = reps.index[~reps.index.isin(list(top_ids))]
    return _Context(stages, group(top), group(others), entered, on_closed)


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
            "entered": _timestamps(_column(stage_events, "entered_on")).to_numpy(),
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
            "deal_id": pd.to_numeric(_column(activities, "deal_id"), errors="coerce").to_numpy(),
            "kind": _text(_column(activities, "kind")).to_numpy(),
            "day": _timestamps(_column(activities, "occurred_at")).to_numpy(),
        }
    )
    return frame.dropna(subset=["day"])


# --- measures: one group in, (value, n) out; value None when there is nothing to measure -----

Measure = Callable[[_Group], tuple[float | None, int]]


def _share(mask: pd.Series) -> tuple[float | None, int]:
    n = len(mask)
    return (float(mask.sum()) / n if n else None), n


def _mean(values: pd.Series) -> tuple[float | None, int]:
    values = pd.to_numeric(values, errors="coerce").dropna()
    return (float(values.mean()) if len(values) else None), len(values)


def _median(values: pd.Series) -> tuple[float | None, int]:
    values = pd.to_numeric(values, errors="coerce").dropna()
    return (float(values.median()) if len(values) else None), len(values)


def _lost_to(reasons: Sequence[str]) -> Measure:
    """Share of closed deals lost to one of `reasons`."""

    def measure(group: _Group) -> tuple[float | None, int]:
        reason = _text(_column(group.closed, "loss_reason"))
        return _share(~group.closed["won"] & reason.isin(list(reasons)))

    return measure


def _conversion(ctx: _Context, source: str, target: str) -> Measure | None:
    """Of the closed deals (known reach) that entered `source`, the share that reached the
    next stage (`target`, or won after the last stage)."""
    index = ctx.stage_index(source)
    if index is None or (target != "won" and ctx.stage_index(target) != index + 1):
        return None

    def measure(group: _Group) -> tuple[float | None, int]:
        reach = group.closed["reach"]
        entered = reach[(reach >= 0) & (reach >= index)]
        return _share(entered >= index + 1)

    return measure


def _win_rate_from(ctx: _Context, stage: str) -> Measure | None:
    """Win rate of the closed deals that reached `stage`."""
    index = ctx.stage_index(stage)
    if index is None:
        return None

    def measure(group: _Group) -> tuple[float | None, int]:
        reached = group.closed[group.closed["reach"] >= index]
        return _share(reached["won"])

    return measure


def _won_mean(column: str) -> Measure:
    def measure(group: _Group) -> tuple[float | None, int]:
        won = group.closed[group.closed["won"]]
        return _mean(_column(won, column))

    return measure


def _contacts_mean(group: _Group) -> tuple[float | None, int]:
    return _mean(_column(group.closed, "contacts_engaged"))


def _multithreaded(group: _Group) -> tuple[float | None, int]:
    contacts = pd.to_numeric(_column(group.closed, "contacts_engaged"), errors="coerce").dropna()
    return _share(contacts >= MULTITHREAD_CONTACTS)


def _competitive_win_rate(group: _Group) -> tuple[float | None, int]:
    named = _text(_column(group.closed, "competitor")) != ""
    return _share(group.closed.loc[named, "won"])


def _won_cycle(group: _Group) -> tuple[float | None, int]:
    won = group.closed[group.closed["won"]]
    days = (won["closed"] - won["created"]).dt.days
    return _median(days[days >= 0])


def _per_week(count: Callable[[_Group], int]) -> Measure:
    def measure(group: _Group) -> tuple[float | None, int]:
        if group.weeks <= 0:
            return None, group.active_reps
        return count(group) / group.weeks, group.active_reps

    return measure


def _activities_of(kinds: Sequence[str] | None) -> Callable[[_Group], int]:
    def count(group: _Group) -> int:
        if kinds is None:
            return len(group.activities)
        return int(group.activities["kind"].isin(list(kinds)).sum())

    return count


def _meetings_before_proposal(ctx: _Context) -> Measure:
    """Meetings on each closed deal before it entered proposal (all of the deal's meetings
    when its history has no proposal date), averaged over the group's closed deals."""
    meetings = ctx.deal_activities[ctx.deal_activities["kind"] == "meeting"]
    proposal = ctx.entered_on("proposal")

    def measure(group: _Group) -> tuple[float | None, int]:
        ids = group.closed["id"]
        mine = meetings[meetings["deal_id"].isin(ids)]
        cutoff = mine["deal_id"].map(proposal)
        before = mine[cutoff.isna() | (mine["day"] < cutoff)]
        counts = before.groupby("deal_id").size().reindex(ids.to_numpy(), fill_value=0)
        return _mean(counts)

    return measure


def _demoed_before_qualified(ctx: _Context) -> Measure:
    """Of the closed deals with a qualification date, the share with a demo before it."""
    demos = ctx.deal_activities[ctx.deal_activities["kind"] == "demo"]
    qualified = ctx.entered_on("qualification").dropna()

    def measure(group: _Group) -> tuple[float | None, int]:
        dated = qualified[qualified.index.isin(group.closed["id"])]
        early = demos[demos["deal_id"].isin(dated.index)]
        early = early[early["day"] < early["deal_id"].map(dated)]
        return _share(pd.Series(dated.index.isin(early["deal_id"])))

    return measure


def _days_to(ctx: _Context, stage: str) -> Measure:
    """Median days from a deal's creation to the day it entered `stage`."""
    entered = ctx.entered_on(stage).dropna()

    def measure(group: _Group) -> tuple[float | None, int]:
        closed = group.closed.set_index("id")
        dated = entered[entered.index.isin(closed.index)]
        days = (dated - closed["created"].reindex(dated.index)).dt.days
        return _median(days[days >= 0])

    return measure


def _dwell(ctx: _Context) -> pd.DataFrame:
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


def _days_in(dwell: pd.DataFrame, stage: str) -> Measure:
    rows = dwell[dwell["stage"] == stage]

    def measure(group: _Group) -> tuple[float | None, int]:
        return _median(rows.loc[rows["deal_id"].isin(group.closed["id"]), "days"])

    return measure


# --- behaviours ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    label: str
    unit: str
    measure: Measure | None
    higher: str  # the note when top performers are higher
    lower: str  # ...and when they are lower
    basis: str = "closed deals"
    minimum: int = MIN_DEALS


def _round(value: float, unit: str) -> float:
    rounded = round(value, DIGITS.get(unit, 1))
    return rounded + 0.0  # no "-0.0"


def _similar(top: float, others: float, unit: str) -> bool:
    gap = abs(top - others)
    larger = max(abs(top), abs(others))
    if unit == "pct":
        return gap < SIMILAR_POINTS or gap < SIMILAR_PCT_SHARE * larger
    return gap < SIMILAR_SHARE * larger


def _behaviour(ctx: _Context, spec: _Spec) -> Behaviour | None:
    """The spec measured for both groups; None when either lacks the data to say."""
    if spec.measure is None:
        return None
    top, top_n = spec.measure(ctx.top)
    others, others_n = spec.measure(ctx.others)
    if top is None or others is None or min(top_n, others_n) < spec.minimum:
        return None
    if not (math.isfinite(top) and math.isfinite(others)) or top == others == 0:
        return None
    top, others = _round(top, spec.unit), _round(others, spec.unit)
    if _similar(top, others, spec.unit):
        note = SIMILAR_NOTE
    else:
        note = spec.higher if top > others else spec.lower
    return Behaviour(spec.label, top, others, spec.unit, top_n, others_n, note, spec.basis)


def _has(frame: pd.DataFrame, kinds: Sequence[str] | None = None) -> bool:
    if kinds is None:
        return not frame.empty
    return bool(frame["kind"].isin(list(kinds)).any())


def _stage(name: str) -> str:
    return name.replace("_", " ")


def _conversion_spec(ctx: _Context, source: str, target: str, higher: str, lower: str) -> _Spec:
    return _Spec(
        f"{_stage(source).capitalize()} → {_stage(target)} conversion",
        "pct",
        _conversion(ctx, source, target),
        higher,
        lower,
        basis="deals",
    )


def _any_activity(ctx: _Context) -> bool:
    return not (ctx.top.activities.empty and ctx.others.activities.empty)


def _specs(skill: str, ctx: _Context) -> list[_Spec]:
    meetings = _has(ctx.deal_activities, ["meeting"])
    demos = _has(ctx.deal_activities, ["demo"])
    logged = _any_activity(ctx)
    last = ctx.stages[-1] if ctx.stages else "negotiation"
    if skill == "discovery":
        return [
            _Spec(
                "Meetings per deal before the proposal",
                "count",
                _meetings_before_proposal(ctx) if meetings else None,
                "They hold more conversations before proposing: book a second discovery "
                "meeting before you write a proposal.",
                "They reach a proposal in fewer meetings: make each discovery call count "
                "rather than adding more.",
            ),
            _conversion_spec(
                ctx,
                "discovery",
                "qualification",
                "More of their discovery calls become qualified deals: leave each call with "
                "the problem, its cost and who owns it.",
                "They let more deals go at discovery: ending a poor fit early is part of good "
                "discovery.",
            ),
            _Spec(
                "Deals demoed before they were qualified",
                "pct",
                _demoed_before_qualified(ctx) if demos else None,
                "They demo earlier: show the product once the buyer has named the problem.",
                "They hold the demo until the problem is understood: ask before you show.",
                basis="qualified deals",
            ),
            _Spec(
                "Closed deals lost to no decision or poor fit",
                "pct",
                _lost_to(["no_decision", "product_fit"]),
                "More of their deals stall or turn out a poor fit, so this is not where they gain.",
                "Fewer of their deals stall or turn out a poor fit: a problem found and "
                "costed early gives the buyer a reason to decide.",
            ),
        ]
    if skill == "qualification":
        return [
            _conversion_spec(
                ctx,
                "qualification",
                "proposal",
                "More of their qualified deals earn a proposal: confirm budget, authority and "
                "timing before you write one.",
                "They stop more deals at qualification: walking away early saves proposal "
                "time for buyers who will decide.",
            ),
            _Spec(
                "Closed deals lost to timing or no budget",
                "pct",
                _lost_to(["timing", "no_budget"]),
                "More of their losses come down to timing or budget, so this is not where "
                "they gain.",
                "Fewer of their deals die on timing or budget: ask who signs, with what "
                "budget, by when, in the first meetings.",
            ),
            _Spec(
                "Days from new deal to qualified (median)",
                "days",
                _days_to(ctx, "qualification"),
                "They take longer to call a deal qualified: do not rush a deal forward before "
                "the buyer confirms the basics.",
                "They qualify faster: get to budget, authority and timing in the first "
                "conversations.",
            ),
            _Spec(
                "Win rate once a proposal is out",
                "pct",
                _win_rate_from(ctx, "proposal"),
                "Their proposals go to buyers who buy: only propose to deals that are truly "
                "qualified.",
                "Their proposals win less often, so late-stage wins are not where they gain.",
            ),
        ]
    if skill == "value_articulation":
        return [
            _Spec(
                "Average won deal",
                "money",
                _won_mean("amount"),
                "They win bigger deals: tie the proposal to the buyer's own numbers so the "
                "price reads as a return.",
                "Their won deals are smaller, so deal size is not where they gain.",
                basis="won deals",
            ),
            _conversion_spec(
                ctx,
                "proposal",
                "negotiation",
                "More of their proposals move to negotiation: lead each proposal with the "
                "buyer's problem, its cost and the measured outcome.",
                "Fewer of their proposals move to negotiation, so this is not where they gain.",
            ),
            _Spec(
                "Closed deals lost to price",
                "pct",
                _lost_to(["price"]),
                "More of their deals are lost to price, so this is not where they gain.",
                "Fewer of their deals are lost to price: a buyer who can state the value "
                "argues less about the cost.",
            ),
        ]
    if skill == "negotiation":
        return [
            _conversion_spec(
                ctx,
                last,
                "won",
                "More of their deals in negotiation close: agree a mutual close plan and "
                "trade every concession for something in return.",
                "Fewer of their negotiations close, so this is not where they gain.",
            ),
            _Spec(
                "Average discount on won deals",
                "points",
                _won_mean("discount_pct"),
                "They discount more to win, so holding price is not where they gain.",
                "They give away less: never discount without getting something back, and "
                "anchor on value before price.",
                basis="won deals",
            ),
            _Spec(
                "Closed deals lost to price or a competitor",
                "pct",
                _lost_to(["price", "competitor"]),
                "More of their deals are lost to price or a competitor, so this is not where "
                "they gain.",
                "Fewer of their deals slip to price or a competitor at the end: know the "
                "buyer's alternatives before you negotiate.",
            ),
            _Spec(
                f"Days in {_stage(last)} before the win (median)",
                "days",
                _days_in(_dwell(ctx), last),
                "They take longer to close out a negotiation: do not let urgency push you "
                "into concessions.",
                "They close negotiations faster: set the signing date with the buyer and work "
                "back from it.",
                basis="won deals",
            ),
        ]
    if skill == "stakeholder_engagement":
        return [
            _Spec(
                "Contacts engaged per deal",
                "count",
                _contacts_mean,
                "They bring more of the buying group in: ask your champion who else will "
                "weigh in, and meet them before the proposal.",
                "They engage fewer contacts per deal, so breadth is not where they gain.",
            ),
            _Spec(
                f"Deals with {MULTITHREAD_CONTACTS}+ contacts engaged",
                "pct",
                _multithreaded,
                f"More of their deals are multi-threaded: aim for {MULTITHREAD_CONTACTS} or "
                "more contacts on every deal past discovery.",
                "Fewer of their deals are multi-threaded, so this is not where they gain.",
            ),
            _Spec(
                "Closed deals lost when the champion left",
                "pct",
                _lost_to(["lost_champion"]),
                "More of their deals die with the champion, so this is not where they gain.",
                "Fewer of their deals die with the champion: a second and third contact keep "
                "the deal alive when one person leaves.",
            ),
        ]
    if skill == "objection_handling":
        return [
            _Spec(
                "Closed deals lost to a competitor",
                "pct",
                _lost_to(["competitor"]),
                "More of their deals are lost to a competitor, so this is not where they gain.",
                "Fewer of their deals go to a competitor: ask what the buyer likes about the "
                "alternative before you answer it.",
            ),
            _Spec(
                "Win rate when a competitor is named",
                "pct",
                _competitive_win_rate,
                "They win more head-to-head deals: acknowledge the competitor, clarify what "
                "matters, then answer with the buyer's own value.",
                "They win fewer head-to-head deals, so this is not where they gain.",
                basis="competitive deals",
            ),
            _Spec(
                "Closed deals lost to price",
                "pct",
                _lost_to(["price"]),
                "More of their deals are lost to price, so this is not where they gain.",
                "Fewer of their deals end on a price objection: treat 'too expensive' as a "
                "question about value, not a request for a discount.",
            ),
            _Spec(
                "Win rate once a proposal is out",
                "pct",
                _win_rate_from(ctx, "proposal"),
                "They win more of the deals where objections surface: rehearse your answers "
                "to the three objections you hear most.",
                "Their late-stage win rate is lower, so this is not where they gain.",
            ),
        ]
    if skill == "process_adherence":
        dwell = _dwell(ctx)
        specs = [
            _Spec(
                "Activities logged per week",
                "per_week",
                _per_week(_activities_of(None)) if logged else None,
                "They log more touches each week: keep a steady weekly rhythm of calls, emails "
                "and meetings, logged as you go.",
                "They log fewer touches, so volume is not where they gain.",
                basis="reps",
                minimum=1,
            ),
            _Spec(
                "Sales cycle of won deals (median)",
                "days",
                _won_cycle,
                "Their wins take longer, so speed is not where they gain.",
                "They close won deals faster: agree the next step with a date before every "
                "call ends.",
                basis="won deals",
            ),
        ]
        for stage in ctx.stages:
            specs.append(
                _Spec(
                    f"Days in {_stage(stage)} (median)",
                    "days",
                    _days_in(dwell, stage),
                    f"Their deals sit longer in {_stage(stage)}, so this is not where they gain.",
                    f"Their deals move through {_stage(stage)} faster: set the exit step for "
                    "the stage with the buyer and a date for it.",
                    basis="deals",
                )
            )
        return specs
    if skill == "prospecting":
        return [
            _Spec(
                "New deals created per week",
                "per_week",
                _per_week(lambda group: len(group.created)),
                "They open more new deals every week: block prospecting time on the "
                "calendar and protect it.",
                "They open fewer new deals, so volume is not where they gain.",
                basis="reps",
                minimum=1,
            ),
            _Spec(
                "Calls and emails per week",
                "per_week",
                _per_week(_activities_of(["call", "email"])) if logged else None,
                "They reach out more: a daily block of calls and emails keeps the pipeline full.",
                "They reach out less but better: lead with the buyer's likely problem, not the "
                "product.",
                basis="reps",
                minimum=1,
            ),
            _conversion_spec(
                ctx,
                "prospecting",
                "discovery",
                "More of their new deals turn into discovery meetings: give each prospect a "
                "reason to meet that matters to them.",
                "Fewer of their new deals reach discovery, so this is not where they gain.",
            ),
            _Spec(
                "New pipeline per week",
                "money",
                _per_week(lambda group: float(_column(group.created, "amount").fillna(0).sum())),
                "They build more pipeline every week: prospect into accounts where the "
                "problem is big enough to matter.",
                "They build less pipeline, so volume is not where they gain.",
                basis="reps",
                minimum=1,
            ),
        ]
    raise ValueError(f"unknown skill {skill!r}")


def _relative_gap(item: Behaviour) -> float:
    return abs(item.top - item.others) / max(abs(item.top), abs(item.others), 1e-9)


def _behaviours(skill: str, ctx: _Context) -> tuple[Behaviour, ...]:
    found = [b for spec in _specs(skill, ctx) if (b := _behaviour(ctx, spec)) is not None]
    if skill == "process_adherence":
        # The per-stage days are many; keep the stages where the groups differ most.
        fixed = [b for b in found if not b.label.startswith("Days in ")]
        stages = sorted(
            (b for b in found if b.label.startswith("Days in ")), key=_relative_gap, reverse=True
        )
        found = fixed + stages[: max(MAX_BEHAVIOURS - len(fixed), 0)]
    return tuple(found[:MAX_BEHAVIOURS])


# --- exemplar calls and content --------------------------------------------------------------


def _safe_url(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    url = str(value).strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _exemplars(
    recorded_wins: pd.DataFrame | None, top: pd.Index, today: date
) -> tuple[dict[str, str], ...]:
    if recorded_wins is None or recorded_wins.empty or "owner_id" not in recorded_wins:
        return ()
    wins = recorded_wins[recorded_wins["owner_id"].isin(list(top))].copy()
    if "outcome" in wins:
        wins = wins[_text(wins["outcome"]) == "won"]
    wins["url"] = [_safe_url(v) for v in _column(wins, "recording_url")]
    wins["closed"] = _timestamps(_column(wins, "closed_on"))
    wins = wins[wins["url"].notna() & ~(wins["closed"] > pd.Timestamp(today))]
    wins = wins.sort_values("closed", ascending=False, na_position="last", kind="stable")
    calls: list[dict[str, str]] = []
    for row in wins.drop_duplicates("url").head(MAX_EXEMPLARS).to_dict("records"):
        calls.append({"title": _title(row), "url": str(row["url"])})
    return tuple(calls)


def _present(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    text = str(value).strip()
    return text or None


def _title(row: dict[str, Any]) -> str:
    head = _present(row.get("account")) or "Won deal"
    details = [
        text
        for text in (_present(row.get("product")), _present(row.get("industry")))
        if text is not None
    ]
    amount = pd.to_numeric(pd.Series([row.get("amount")]), errors="coerce").iloc[0]
    if pd.notna(amount):
        details.append(formats.money(float(amount)))
    closed = row.get("closed")
    if isinstance(closed, pd.Timestamp) and pd.notna(closed):
        details.append("won " + formats.day(closed.date()))
    if details:
        head += " — " + ", ".join(detail.replace("_", " ") for detail in details)
    return head


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(text: str, values: dict[str, str]) -> str:
    """Content text with the placeholders a playbook can fill; others are dropped."""
    filled = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), str(text))
    return re.sub(r"\s{2,}", " ", filled).replace(" .", ".").replace(" ,", ",").strip()


def _placeholders(ctx: _Context) -> dict[str, str]:
    closed = pd.concat([ctx.top.closed, ctx.others.closed])
    products = _column(closed, "product").dropna().astype(str).str.strip()
    products = products[products != ""].unique()
    return {"product": str(products[0]) if len(products) == 1 else "your product"}


# --- the playbook ----------------------------------------------------------------------------


def build_playbook(
    skill: str,
    data: CrmData,
    payloads: list[dict],
    today: date,
    content: dict,
    recorded_wins: pd.DataFrame | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    stages: Sequence[str] = DEFAULT_STAGES,
) -> Playbook:
    """The playbook for `skill` as of `today`: the top performers against every other active
    rep over the last `window_days`, with recorded wins and the skill's coaching content."""
    if skill not in SKILLS:
        raise ValueError(f"unknown skill {skill!r}; expected one of {', '.join(SKILLS)}")
    if window_days <= 0:
        raise ValueError("window_days must be positive")
    entry = (content.get("skills") or {}).get(skill)
    if not entry:
        raise ValueError(f"the coaching content has no entry for {skill!r}")
    top_ids = top_performers(payloads, skill)
    ctx = _prepare(data, top_ids, today, window_days, tuple(stages))
    compared = not ctx.top.reps.empty and not ctx.others.reps.empty
    behaviours = _behaviours(skill, ctx) if compared else ()
    values = _placeholders(ctx)
    strong = len(_strong_in(payloads, skill)) >= MIN_STRENGTH_REPS
    return Playbook(
        skill=skill,
        as_of=today,
        window_days=window_days,
        top_reps=len(ctx.top.reps),
        other_reps=len(ctx.others.reps),
        behaviours=behaviours,
        exemplar_calls=_exemplars(recorded_wins, ctx.top.reps, today),
        summary=_fill(entry.get("summary", ""), values),
        tips=tuple(_fill(tip, values) for tip in entry.get("tips") or ()),
        exercise=_fill(entry.get("exercise", ""), values),
        selected_by=SELECTED_BY_STRENGTH if strong else SELECTED_BY_WIN_RATE,
    )


# --- Markdown ---------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def escape_markdown(value: Any) -> str:
    """Text safe inside a Markdown paragraph, table cell or link text: one line, with the
    characters that would start formatting, links, HTML or a new cell escaped."""
    text = "" if value is None else " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_url(value: Any) -> str:
    """A link destination with the characters that would end it percent-encoded."""
    return quote(str(value), safe=":/?#[]@!$&'*+,;=%~")


def counted(n: Any, basis: str) -> str:
    """'1 rep', '120 closed deals'."""
    count = int(n)
    if count == 1 and basis.endswith("s"):
        basis = basis[:-1]
    return f"{count:,} {basis}"


@cache
def markdown_environment(folder: Path = TEMPLATES) -> Environment:
    """Plain Jinja2 over templates/ for Markdown documents (not Slack: no mrkdwn escaping)."""
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(formats.FILTERS)
    env.filters["md"] = escape_markdown
    env.filters["mdurl"] = markdown_url
    env.filters["counted"] = counted
    return env


def render_markdown(playbook: Playbook) -> str:
    text = markdown_environment().get_template(TEMPLATE).render(playbook=playbook)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
