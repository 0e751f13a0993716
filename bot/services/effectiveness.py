"""`coachbot effectiveness`: for each plan's objectives, the coached rep's change against
comparable uncoached reps over the same weeks, and the return on coaching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from bot.analytics import catalog as c
from bot.analytics.compare import metric_info
from bot.analytics.metrics import Measurements, Window, measure
from bot.coaching.effectiveness import (
    Effect,
    Observation,
    ReturnOnCoaching,
    difference_in_differences,
    return_on_coaching,
)
from bot.render.sentences import sentence
from bot.services.frames import load_crm_data
from bot.services.plans import PlanError
from bot.store.engine import Database
from bot.store.models import CoachingPlan, CoachingSession, PlanVersion
from bot.store.workspaces import require_workspace_id

BASELINE_DAYS = 90
MIN_DAYS = 14  # a plan younger than this has nothing to measure yet


@dataclass(frozen=True)
class ObjectiveEffect:
    plan_id: int
    rep_id: int
    skill: str
    metric: str
    label: str
    unit: str
    baseline: float | None
    current: float | None
    target: float
    met: bool
    effect: Effect
    revenue_per_unit: float | None


@dataclass(frozen=True)
class PlanEffect:
    plan_id: int
    rep_id: int
    rep_name: str
    team: str
    status: str
    started_on: date
    days: int
    objectives: list[ObjectiveEffect]
    hours: float
    roi: ReturnOnCoaching


@dataclass(frozen=True)
class EffectivenessReport:
    as_of: date
    hourly_cost: float
    plans: list[PlanEffect]

    def by_team(self) -> dict[str, list[PlanEffect]]:
        teams: dict[str, list[PlanEffect]] = {}
        for plan in self.plans:
            teams.setdefault(plan.team, []).append(plan)
        return dict(sorted(teams.items()))

    @property
    def attainment(self) -> float | None:
        objectives = [o for p in self.plans for o in p.objectives]
        return sum(o.met for o in objectives) / len(objectives) if objectives else None

    @property
    def total_cost(self) -> float:
        return sum(p.roi.cost for p in self.plans)

    @property
    def attributable_revenue(self) -> float | None:
        known = [
            p.roi.attributable_revenue for p in self.plans if p.roi.attributable_revenue is not None
        ]
        return sum(known) if known else None

    @property
    def revenue_interval(self) -> tuple[float, float] | None:
        ends = [
            (p.roi.revenue_low, p.roi.revenue_high)
            for p in self.plans
            if p.roi.revenue_low is not None and p.roi.revenue_high is not None
        ]
        if not ends:
            return None
        return sum(low for low, _ in ends), sum(high for _, high in ends)

    @property
    def roi(self) -> float | None:
        revenue = self.attributable_revenue
        if revenue is None or self.total_cost <= 0:
            return None
        return (revenue - self.total_cost) / self.total_cost


def effectiveness(
    db: Database, team_id: str, today: date, hourly_cost: float, stages: tuple[str, ...]
) -> EffectivenessReport:
    with db.begin() as session:
        workspace_id = require_workspace_id(session, team_id, PlanError)
        plans = session.scalars(
            select(CoachingPlan).where(
                CoachingPlan.workspace_id == workspace_id, CoachingPlan.started_on.is_not(None)
            )
        ).all()
        versions = {
            p.id: session.scalar(
                select(PlanVersion).where(
                    PlanVersion.plan_id == p.id, PlanVersion.version == p.version
                )
            )
            for p in plans
        }
        minutes = dict(
            session.execute(
                select(CoachingSession.plan_id, func.sum(CoachingSession.minutes)).group_by(
                    CoachingSession.plan_id
                )
            ).all()
        )
        data = load_crm_data(session, workspace_id)
        rows = [
            (p.id, p.rep_id, p.status, p.started_on, p.closed_on, versions[p.id].objectives)
            for p in plans
        ]
    names = data.people.set_index("id")["name"]
    teams = data.people.set_index("id")["team"]
    coached_skills = _coached_periods(rows)
    results = []
    for plan_id, rep_id, status, started, closed, objectives in rows:
        end = min(today, closed or today, started + timedelta(days=BASELINE_DAYS))
        if (end - started).days < MIN_DAYS:
            continue
        before = measure(data, Window(started, BASELINE_DAYS), stages)
        after = measure(data, Window(end, (end - started).days), stages)
        effects = [
            _objective_effect(plan_id, rep_id, o, before, after, started, end, coached_skills)
            for o in objectives
        ]
        hours = minutes.get(plan_id, 0) / 60
        results.append(
            PlanEffect(
                plan_id,
                rep_id,
                str(names.get(rep_id, rep_id)),
                str(teams.get(rep_id) or "(no team)"),
                status,
                started,
                (end - started).days,
                effects,
                hours,
                _plan_roi(effects, hours, hourly_cost),
            )
        )
    return EffectivenessReport(today, hourly_cost, results)


def _coached_periods(rows: list[Any]) -> dict[str, list[tuple[int, date, date]]]:
    """Per skill, who was coached on it and when: they are not comparison reps then."""
    periods: dict[str, list[tuple[int, date, date]]] = {}
    for _plan_id, rep_id, _status, started, closed, objectives in rows:
        for objective in objectives:
            periods.setdefault(objective["skill"], []).append((rep_id, started, closed or date.max))
    return periods


def _observation(measured: Measurements, rep_id: int, metric: str) -> Observation | None:
    info = metric_info(metric)
    if info.kind == c.Kind.RATE:
        row = measured.rates[
            (measured.rates["rep_id"] == rep_id) & (measured.rates["metric"] == metric)
        ]
        n = float(row["trials"].sum())
        return Observation.rate(float(row["successes"].sum()), n) if n >= info.min_sample else None
    if info.kind == c.Kind.PER_WEEK:
        row = measured.per_week[
            (measured.per_week["rep_id"] == rep_id) & (measured.per_week["metric"] == metric)
        ]
        weeks = float(row["weeks"].sum())
        if weeks < info.min_sample:
            return None
        rate = float(row["count"].sum()) / weeks
        return Observation(rate, max(rate, 0.5 / weeks) / weeks)
    row = measured.means[
        (measured.means["rep_id"] == rep_id) & (measured.means["metric"] == metric)
    ]
    n = float(row["n"].sum())
    if n < info.min_sample:
        return None
    mean = float(row["total"].sum()) / n
    variance = max((float(row["total_sq"].sum()) - n * mean**2) / (n - 1), 0.0)
    return Observation(mean, variance / n)


def _objective_effect(
    plan_id: int,
    rep_id: int,
    objective: dict[str, Any],
    before: Measurements,
    after: Measurements,
    started: date,
    end: date,
    coached: dict[str, list[tuple[int, date, date]]],
) -> ObjectiveEffect:
    metric = objective["metric"]
    info = metric_info(metric)
    coached_before = _observation(before, rep_id, metric)
    coached_after = _observation(after, rep_id, metric)
    busy = {
        other
        for other, s, e in coached.get(objective["skill"], [])
        if s < end and e > started - timedelta(days=BASELINE_DAYS)
    }
    peers = _comparison_reps(after, rep_id) - busy - {rep_id}
    comparison = [
        (b, a)
        for other in sorted(peers)
        if (b := _observation(before, other, metric)) and (a := _observation(after, other, metric))
    ]
    if coached_before is None or coached_after is None:
        effect = Effect(
            0.0,
            None,
            None,
            None,
            None,
            len(comparison),
            sentence("too_few_deals_to_measure"),
        )
    else:
        effect = difference_in_differences(
            coached_before, coached_after, comparison, info.higher_is_better, objective["unit"]
        )
    current = coached_after.value if coached_after else None
    met = current is not None and (
        current >= objective["target"] if info.higher_is_better else current <= objective["target"]
    )
    return ObjectiveEffect(
        plan_id,
        rep_id,
        objective["skill"],
        metric,
        objective["label"],
        objective["unit"],
        coached_before.value if coached_before else None,
        current,
        float(objective["target"]),
        met,
        effect,
        _revenue_per_unit(after, rep_id, metric),
    )


def _comparison_reps(measured: Measurements, rep_id: int) -> set[int]:
    """Comparable reps: the coached rep's peer group (team, else segment, else org)."""
    reps = measured.reps
    if rep_id not in reps.index:
        return set()
    group = reps.at[rep_id, "peer_group"]
    return set(reps.index[reps["peer_group"] == group])


def _revenue_per_unit(after: Measurements, rep_id: int, metric: str) -> float | None:
    """Revenue one unit of change was worth over the plan's weeks: for a conversion, the deals
    that entered the step x the share of those that go on to win x value per win; for the
    average won deal, the number of wins. Other metrics have no revenue model here."""
    description = after.description
    if rep_id not in description.index:
        return None
    won = float(description.at[rep_id, "won"])
    value_per_win = float(description.at[rep_id, "won_amount"]) / won if won else None
    if metric == c.DEAL_SIZE:
        return won
    if metric == c.WIN_RATE and value_per_win:
        return float(description.at[rep_id, "closed"]) * value_per_win
    if metric.startswith("conversion:") and value_per_win:
        rates = after.rates[(after.rates["rep_id"] == rep_id)].set_index("metric")
        if metric not in rates.index:
            return None
        entered = float(rates.at[metric, "trials"])
        advanced = float(rates.at[metric, "successes"])
        wins_per_advance = won / advanced if advanced else 0.0
        return entered * wins_per_advance * value_per_win
    return None


def _plan_roi(effects: list[ObjectiveEffect], hours: float, hourly_cost: float) -> ReturnOnCoaching:
    """ROI over the objectives that have a revenue model and a comparison group; the others
    add no revenue (no number is invented for them). Interval ends are added up, which is
    wider than the exact interval of the sum: the cautious side."""
    priced = [
        (e.effect, e.revenue_per_unit)
        for e in effects
        if e.revenue_per_unit is not None and e.effect.effect is not None
    ]
    if not priced:
        return ReturnOnCoaching(
            None,
            None,
            None,
            hours * hourly_cost,
            None,
            sentence("no_return_computed"),
        )
    revenue = sum(effect.effect * unit for effect, unit in priced if effect.effect is not None)
    low = sum(effect.low * unit for effect, unit in priced if effect.low is not None)
    high = sum(effect.high * unit for effect, unit in priced if effect.high is not None)
    comparison = min(effect.comparison_reps for effect, _unit in priced)
    total = Effect(revenue, None, revenue, low, high, comparison, "")
    return return_on_coaching(total, 1.0, hours, hourly_cost)


def report_frame(report: EffectivenessReport) -> pd.DataFrame:
    rows = [
        {
            "plan": p.plan_id,
            "rep": p.rep_name,
            "status": p.status,
            "objective": o.label,
            "baseline": o.baseline,
            "now": o.current,
            "target": o.target,
            "met": o.met,
            "effect": o.effect.effect,
            "low": o.effect.low,
            "high": o.effect.high,
            "comparison reps": o.effect.comparison_reps,
        }
        for p in report.plans
        for o in p.objectives
    ]
    return pd.DataFrame(rows)
