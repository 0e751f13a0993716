"""Coaching plans from an assessment: the top gaps as measurable objectives, an approach per
gap, a cadence and 30/60/90-day checkpoints. Pure: an assessment payload and `today` in, a
draft plan out."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from bot.analytics.compare import metric_info
from bot.vocabulary import plural

MAX_OBJECTIVES = 3
PLAN_DAYS = 90
CHECKPOINT_DAYS: tuple[int, ...] = (30, 60, 90)
# Close this share of the distance to the peer value in one 90-day plan: ambitious enough to
# matter, modest enough to reach; never less than a step a manager could notice.
TARGET_SHARE_OF_GAP = 0.5
MIN_RATE_STEP = 0.03
MIN_RELATIVE_STEP = 0.05

# How each skill is best coached (observation, feedback, practice, mentoring, training), most
# effective first, from what moves each kind of behaviour.
APPROACHES: dict[str, tuple[str, ...]] = {
    "discovery": ("practice", "feedback", "observation"),
    "objection_handling": ("practice", "feedback"),
    "negotiation": ("practice", "mentoring", "feedback"),
    "value_articulation": ("practice", "training", "feedback"),
    "qualification": ("observation", "feedback"),
    "stakeholder_engagement": ("mentoring", "observation", "feedback"),
    "process_adherence": ("feedback", "observation"),
    "prospecting": ("training", "mentoring", "feedback"),
}
# A leading indicator the rep controls this week, per skill, and what it counts.
LEADING_INDICATORS: dict[str, str] = {
    "discovery": "discovery meetings held per new deal",
    "objection_handling": "role-plays on the top objection per month",
    "negotiation": "deals reaching negotiation with a mutual close plan",
    "value_articulation": "proposals with a quantified business case",
    "qualification": "deals qualified on budget, authority, need and timing before proposal",
    "stakeholder_engagement": "contacts engaged per open deal",
    "process_adherence": "activities logged per week",
    "prospecting": "new deals created per week",
}
# A win-rate gap the data cannot explain starts with finding the cause: the manager reviews
# lost deals with the rep, then practice on what the review shows.
DIAGNOSTIC_APPROACH: tuple[str, ...] = ("observation", "feedback", "practice")
DIAGNOSTIC_INDICATOR = "lost deals reviewed with the manager (the cause written down for each)"
BASE_CADENCE: tuple[str, ...] = (
    "weekly 30-minute 1:1 on the plan's objectives",
    "monthly role-play or call review with the manager",
)
INTENSIFIED_CADENCE: tuple[str, ...] = (
    "twice-weekly 20-minute check-in on the objective that is behind",
    "fortnightly role-play or live call observation",
    "a mentor strong in the skill, every other week",
)


@dataclass(frozen=True)
class Objective:
    skill: str
    metric: str
    label: str
    unit: str
    higher_is_better: bool
    baseline: float
    baseline_n: float
    benchmark: float
    target: float
    deadline: date
    approach: tuple[str, ...]
    leading_indicator: str

    @property
    def statement(self) -> str:
        """The objective in one sentence, e.g. 'raise discovery → qualification conversion
        from 33% to 52% by Feb 18, 2027'."""
        verb = "raise" if self.higher_is_better else "lower"
        return (
            f"{verb} {self.label} from {format_value(self.baseline, self.unit)} to "
            f"{format_value(self.target, self.unit)} by {self.deadline.strftime('%b %-d, %Y')}"
        )


@dataclass(frozen=True)
class PlanDraft:
    rep_id: int
    starts_on: date
    objectives: tuple[Objective, ...]
    cadence: tuple[str, ...]
    checkpoints: tuple[date, ...]
    rationale: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["starts_on"] = self.starts_on.isoformat()
        data["checkpoints"] = [d.isoformat() for d in self.checkpoints]
        for objective, source in zip(data["objectives"], self.objectives, strict=True):
            objective["deadline"] = source.deadline.isoformat()
            objective["statement"] = source.statement
        return data


def draft_plan(
    assessment: dict[str, Any], today: date, previous_skills: frozenset[str] = frozenset()
) -> PlanDraft | None:
    """A plan from an assessment payload (Assessment.to_dict()); None when there is no
    measurable gap. Skills in `previous_skills` had a plan that did not work: their approach
    adds mentoring and training and the cadence is intensified."""
    if assessment.get("status") != "assessed":
        return None
    deadline = today + timedelta(days=PLAN_DAYS)
    objectives = []
    stake = 0.0
    for gap in assessment.get("gaps", []):
        objective = _objective(gap, deadline, previous_skills)
        if objective is not None:
            objectives.append(objective)
            stake += gap["revenue_at_stake"]
        if len(objectives) == MAX_OBJECTIVES:
            break
    if not objectives:
        return None
    repeat = any(o.skill in previous_skills for o in objectives)
    cadence = INTENSIFIED_CADENCE if repeat else BASE_CADENCE
    rationale = (
        f"The {plural(len(objectives), 'gap')} with the most revenue at stake that coaching "
        "can move"
        + (f" (up to ${stake:,.0f} a quarter)" if stake else "")
        + "; targets close half the distance to the peer group in 90 days."
    )
    return PlanDraft(
        rep_id=int(assessment["rep_id"]),
        starts_on=today,
        objectives=tuple(objectives),
        cadence=cadence,
        checkpoints=tuple(today + timedelta(days=d) for d in CHECKPOINT_DAYS),
        rationale=rationale,
    )


def _objective(
    gap: dict[str, Any], deadline: date, previous_skills: frozenset[str]
) -> Objective | None:
    """The gap's lead metric (the measured evidence with the most revenue) as an objective."""
    metrics = [
        e
        for e in gap["evidence"]
        if e["kind"] == "metric" and e["value"] is not None and e["benchmark"] is not None
    ]
    if not metrics:
        return None
    lead = max(
        metrics, key=lambda e: (e["revenue_at_stake"], not e["metric"].startswith("lost_to:"))
    )
    info = metric_info(lead["metric"])
    skill = gap["skill"]
    diagnostic = bool(gap.get("diagnostic"))
    approach = DIAGNOSTIC_APPROACH if diagnostic else APPROACHES[skill]
    if skill in previous_skills:
        approach = tuple(dict.fromkeys((*approach, "mentoring", "training")))
    return Objective(
        skill=skill,
        metric=lead["metric"],
        label=lead["label"],
        unit=lead["unit"],
        higher_is_better=info.higher_is_better,
        baseline=float(lead["value"]),
        baseline_n=float(lead["sample_size"]),
        benchmark=float(lead["benchmark"]),
        target=target_for(float(lead["value"]), float(lead["benchmark"]), lead["unit"]),
        deadline=deadline,
        approach=approach,
        leading_indicator=DIAGNOSTIC_INDICATOR if diagnostic else LEADING_INDICATORS[skill],
    )


def target_for(baseline: float, benchmark: float, unit: str) -> float:
    """Half-way to the benchmark, at least a noticeable step, never past the benchmark."""
    distance = benchmark - baseline
    step = distance * TARGET_SHARE_OF_GAP
    minimum = MIN_RATE_STEP if unit == "pct" else abs(baseline) * MIN_RELATIVE_STEP
    if abs(step) < minimum:
        step = math.copysign(min(minimum, abs(distance)), distance)
    grain = {"pct": 0.01, "money": 100.0}.get(unit, 0.1)
    target = round(round((baseline + step) / grain) * grain, 6)
    # Rounding must neither pass the benchmark nor fall back to (or behind) the baseline.
    low, high = sorted((baseline, benchmark))
    if not low <= target <= high or target == baseline:
        # The benchmark itself, on the grid on the baseline's side when that still improves.
        snap = math.floor if distance > 0 else math.ceil
        target = round(snap(benchmark / grain) * grain, 6)
        if not low < target <= high and not low <= target < high:
            target = benchmark
        if target == baseline:
            target = benchmark
    return float(target)


def format_value(value: float, unit: str) -> str:
    if unit == "pct":
        return f"{value:.0%}"
    if unit == "money":
        return f"${value:,.0f}"
    if unit == "days":
        return f"{value:.0f} days"
    if unit == "per_week":
        return f"{value:.1f} a week"
    if unit == "points":
        return f"{value:.1f} points"
    return f"{value:g}"
