"""30/60/90-day checkpoints: each objective measured since the plan started, progress toward
its target, and a decision with its reason. Pure: CRM frames, the plan and a date in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np
from scipy import stats as sps

from bot.analytics.catalog import Kind
from bot.analytics.compare import metric_info
from bot.analytics.metrics import CrmData, Window, measure
from bot.analytics.stats import wilson_interval
from bot.coaching.plans import PLAN_DAYS, Objective

LEVEL = 0.90
# Lagging metrics move late: by day d a plan is on track at half the straight-line pace.
ON_TRACK_PACE = 0.5
REPLAN_BELOW = 0.25  # progress at day 90 under which the plan is rethought, not intensified


class Decision(StrEnum):
    GRADUATE = "graduate"
    CONTINUE = "continue"
    INTENSIFY = "intensify"
    REPLAN = "replan"


class Standing(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_PROGRESS = "no_progress"
    # Moving the right way, but the interval still holds the baseline: it may be noise.
    NOT_YET_CLEAR = "not_yet_clear"
    NOT_ENOUGH_DATA = "not_enough_data"


@dataclass(frozen=True)
class Measurement:
    value: float | None
    sample_size: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class ObjectiveProgress:
    objective: Objective
    measured: Measurement
    progress: float | None  # 0 at baseline, 1 at target
    standing: Standing


@dataclass(frozen=True)
class CheckpointReview:
    day: int
    as_of: date
    progress: tuple[ObjectiveProgress, ...]
    decision: Decision
    reason: str


def measure_objective(
    objective: Objective,
    data: CrmData,
    rep_id: int,
    started: date,
    as_of: date,
    stages: tuple[str, ...],
) -> Measurement:
    """The objective's metric for the rep over (started, as_of], with the rep's own interval
    (no shrinkage toward peers: a checkpoint asks whether this rep moved)."""
    days = max((as_of - started).days, 1)
    measured = measure(data, Window(as_of, days), stages)
    info = metric_info(objective.metric)
    if info.kind == Kind.RATE:
        rows = measured.rates[
            (measured.rates["rep_id"] == rep_id) & (measured.rates["metric"] == objective.metric)
        ]
        k = float(rows["successes"].sum())
        n = float(rows["trials"].sum())
        if n == 0:
            return Measurement(None, 0, None, None)
        low, high = wilson_interval([k], [n], LEVEL)
        return Measurement(k / n, n, float(low[0]), float(high[0]))
    if info.kind == Kind.PER_WEEK:
        rows = measured.per_week[
            (measured.per_week["rep_id"] == rep_id)
            & (measured.per_week["metric"] == objective.metric)
        ]
        count = float(rows["count"].sum())
        weeks = float(rows["weeks"].sum())
        if weeks == 0:
            return Measurement(None, 0, None, None)
        tail = (1 - LEVEL) / 2
        low = sps.gamma.ppf(tail, count + 0.5, scale=1 / weeks)
        high = sps.gamma.ppf(1 - tail, count + 0.5, scale=1 / weeks)
        return Measurement(count / weeks, weeks, float(low), float(high))
    rows = measured.means[
        (measured.means["rep_id"] == rep_id) & (measured.means["metric"] == objective.metric)
    ]
    n = float(rows["n"].sum())
    if n == 0:
        return Measurement(None, 0, None, None)
    mean = float(rows["total"].sum()) / n
    if n < 2:
        return Measurement(mean, n, None, None)
    variance = max((float(rows["total_sq"].sum()) - n * mean**2) / (n - 1), 0.0)
    half = sps.t.ppf(0.5 + LEVEL / 2, n - 1) * np.sqrt(variance / n)
    return Measurement(mean, n, mean - half, mean + half)


def review(
    objectives: tuple[Objective, ...],
    measurements: tuple[Measurement, ...],
    day: int,
    as_of: date,
) -> CheckpointReview:
    """Each objective's standing and the plan's decision at checkpoint `day` (30, 60, 90;
    a plan that goes on for another cycle has days 120, 150, 180 and so on)."""
    cycle_day = day - PLAN_DAYS * ((day - 1) // PLAN_DAYS)
    progress = tuple(
        _standing(objective, measured, cycle_day)
        for objective, measured in zip(objectives, measurements, strict=True)
    )
    decision, reason = _decide(progress, cycle_day)
    return CheckpointReview(day, as_of, progress, decision, reason)


def _standing(objective: Objective, measured: Measurement, day: int) -> ObjectiveProgress:
    minimum = metric_info(objective.metric).min_sample
    if measured.value is None or measured.sample_size < minimum:
        return ObjectiveProgress(objective, measured, None, Standing.NOT_ENOUGH_DATA)
    span = objective.target - objective.baseline
    progress = (measured.value - objective.baseline) / span if span else 1.0
    on_pace = progress >= 1 or progress >= ON_TRACK_PACE * day / PLAN_DAYS
    if progress <= 0:
        standing = Standing.NO_PROGRESS
    elif on_pace and not _clears_baseline(objective, measured):
        standing = Standing.NOT_YET_CLEAR  # "met" or "on track" only when it is not noise
    elif progress >= 1:
        standing = Standing.MET
    elif on_pace:
        standing = Standing.ON_TRACK
    else:
        standing = Standing.BEHIND
    return ObjectiveProgress(objective, measured, round(progress, 3), standing)


def _clears_baseline(objective: Objective, measured: Measurement) -> bool:
    """The whole interval lies on the target's side of the baseline (a target that only
    holds the baseline has nothing to clear)."""
    if objective.target == objective.baseline:
        return True
    if measured.low is None or measured.high is None:
        return False
    if objective.target >= objective.baseline:
        return measured.low > objective.baseline
    return measured.high < objective.baseline


def _decide(progress: tuple[ObjectiveProgress, ...], day: int) -> tuple[Decision, str]:
    judged = [p for p in progress if p.standing != Standing.NOT_ENOUGH_DATA]
    if not judged:
        return Decision.CONTINUE, (
            "Too few deals since the plan started to judge any objective yet; keep going."
        )
    if all(p.standing == Standing.MET for p in judged) and len(judged) == len(progress):
        return Decision.GRADUATE, "Every objective has reached its target."
    behind = [p for p in judged if p.standing in (Standing.BEHIND, Standing.NO_PROGRESS)]
    if day >= PLAN_DAYS:
        mean_progress = float(np.mean([max(p.progress or 0.0, 0.0) for p in judged]))
        if mean_progress < REPLAN_BELOW:
            return Decision.REPLAN, (
                f"After {day} days the objectives moved {mean_progress:.0%} of the way to "
                "their targets: this approach is not working; rethink the plan."
            )
        if behind:
            return Decision.INTENSIFY, _behind(behind, f"still behind at day {day}")
        return Decision.CONTINUE, "Real progress but not all targets met: another 90-day cycle."
    if behind:
        return Decision.INTENSIFY, _behind(behind, "behind the pace needed")
    if any(p.standing == Standing.NOT_YET_CLEAR for p in judged):
        return Decision.CONTINUE, (
            "Moving the right way, but not yet clearly beyond where the plan started: keep "
            "the plan as it is and look again at the next review."
        )
    return Decision.CONTINUE, "On track: keep the plan as it is."


def _behind(items: list[ObjectiveProgress], where: str) -> str:
    labels = " and ".join(p.objective.label for p in items)
    verb = "is" if len(items) == 1 else "are"
    return f"{labels} {verb} {where}: more frequent sessions, role-plays and a mentor."
