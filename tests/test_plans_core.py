"""Coaching plans without a database: drafting a plan from an assessment payload
(bot/coaching/plans.py), 30/60/90-day reviews (checkpoints.py) and difference-in-differences
with the return on coaching (effectiveness.py). Hand-computed values on small inputs, then
properties."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.analytics import catalog as c
from bot.analytics.compare import metric_info
from bot.analytics.metrics import CrmData
from bot.analytics.stats import wilson_interval
from bot.coaching.checkpoints import (
    Decision,
    Measurement,
    Standing,
    measure_objective,
    review,
)
from bot.coaching.effectiveness import (
    Effect,
    Observation,
    difference_in_differences,
    return_on_coaching,
)
from bot.coaching.plans import (
    APPROACHES,
    BASE_CADENCE,
    INTENSIFIED_CADENCE,
    LEADING_INDICATORS,
    Objective,
    draft_plan,
    format_value,
    target_for,
)
from bot.vocabulary import DEFAULT_STAGES

Z90 = 1.6448536269514722  # standard normal 95% quantile: a central 90% interval
TODAY = date(2026, 11, 20)
DISCOVERY = c.conversion_name("discovery", "qualification")
NEGOTIATION = c.conversion_name("negotiation", "won")
NO_DECISION = c.loss_reason_name("no_decision")
PROPERTY = settings(deadline=None, derandomize=True)  # same examples on every run


# --- assessment payloads, shaped like Assessment.to_dict() -------------------------------


def metric_evidence(
    metric: str, value: float | None, benchmark: float | None, revenue: float, n: float = 40
) -> dict[str, Any]:
    info = metric_info(metric)
    return {
        "kind": "metric",
        "metric": metric,
        "label": info.label,
        "unit": info.unit,
        "value": value,
        "benchmark": benchmark,
        "sample_size": n,
        "benchmark_sample_size": 300.0,
        "interval": None,
        "team_value": benchmark,
        "top_value": None,
        "verdict": "gap",
        "revenue_at_stake": revenue,
        "notes": [],
    }


def feedback_evidence(skill: str, value: float = 2.0, revenue: float = 0.0) -> dict[str, Any]:
    return {
        "kind": "feedback",
        "metric": f"feedback:{skill}",
        "label": f"{skill.replace('_', ' ')} feedback (1-5)",
        "unit": "rating",
        "value": value,
        "benchmark": 3.8,
        "sample_size": 3,
        "benchmark_sample_size": None,
        "interval": None,
        "team_value": 3.8,
        "top_value": None,
        "verdict": "gap",
        "revenue_at_stake": revenue,
        "notes": ["Did not ask about their process"],
    }


def gap(skill: str, revenue: float, *evidence: dict[str, Any]) -> dict[str, Any]:
    return {
        "skill": skill,
        "revenue_at_stake": revenue,
        "coachability": 0.9,
        "priority": revenue * 0.9,
        "evidence": list(evidence),
    }


def payload(*gaps: dict[str, Any], status: str = "assessed", rep_id: Any = 7) -> dict[str, Any]:
    return {"rep_id": rep_id, "status": status, "closed_deals": 40, "gaps": list(gaps)}


DISCOVERY_GAP = gap("discovery", 30000.0, metric_evidence(DISCOVERY, 0.33, 0.71, 30000.0))
NEGOTIATION_GAP = gap(
    "negotiation",
    20000.0,
    metric_evidence(NEGOTIATION, 0.40, 0.60, 12000.0),
    metric_evidence(c.DISCOUNT, 22.0, 10.0, 20000.0),
)
VALUE_GAP = gap(
    "value_articulation", 15000.0, metric_evidence(c.DEAL_SIZE, 20000.0, 30000.0, 15000.0)
)
PROCESS_GAP = gap("process_adherence", 0.0, metric_evidence(c.CYCLE_DAYS, 80.0, 50.0, 0.0))


# --- draft_plan ---------------------------------------------------------------------------


def test_draft_plan_turns_the_top_gaps_into_objectives_in_the_gaps_order():
    plan = draft_plan(payload(DISCOVERY_GAP, NEGOTIATION_GAP), TODAY)

    assert plan is not None
    assert plan.rep_id == 7 and plan.starts_on == TODAY
    assert [o.skill for o in plan.objectives] == ["discovery", "negotiation"]
    discovery, negotiation = plan.objectives
    assert discovery.metric == DISCOVERY
    assert (discovery.baseline, discovery.benchmark, discovery.target) == (0.33, 0.71, 0.52)
    assert discovery.baseline_n == 40.0 and discovery.higher_is_better is True
    assert discovery.label == "discovery → qualification conversion" and discovery.unit == "pct"
    # The negotiation gap's lead metric is the discount ($20,000 at stake), not the
    # negotiation → won conversion ($12,000).
    assert negotiation.metric == c.DISCOUNT and negotiation.higher_is_better is False
    assert (negotiation.baseline, negotiation.benchmark, negotiation.target) == (22.0, 10.0, 16.0)
    assert negotiation.unit == "points"


def test_draft_plan_schedules_a_90_day_plan_with_30_60_90_checkpoints():
    plan = draft_plan(payload(DISCOVERY_GAP, NEGOTIATION_GAP), TODAY)

    assert plan is not None
    assert plan.checkpoints == (date(2026, 12, 20), date(2027, 1, 19), date(2027, 2, 18))
    assert all(
        o.deadline == date(2027, 2, 18) == TODAY + timedelta(days=90) for o in plan.objectives
    )
    assert plan.cadence == BASE_CADENCE


def test_draft_plan_approach_and_leading_indicator_follow_the_skill():
    plan = draft_plan(payload(DISCOVERY_GAP, NEGOTIATION_GAP, VALUE_GAP), TODAY)

    assert plan is not None
    for objective in plan.objectives:
        assert objective.approach == APPROACHES[objective.skill]
        assert objective.leading_indicator == LEADING_INDICATORS[objective.skill]
    assert plan.objectives[0].approach == ("practice", "feedback", "observation")
    assert plan.objectives[2].approach == ("practice", "training", "feedback")


def test_draft_plan_keeps_at_most_three_objectives():
    plan = draft_plan(payload(DISCOVERY_GAP, NEGOTIATION_GAP, VALUE_GAP, PROCESS_GAP), TODAY)

    assert plan is not None
    assert [o.skill for o in plan.objectives] == ["discovery", "negotiation", "value_articulation"]
    # The rationale adds up the revenue of the three gaps planned for.
    assert "The 3 gaps" in plan.rationale and "(up to $65,000 a quarter)" in plan.rationale


def test_draft_plan_rationale_without_revenue_says_no_amount():
    plan = draft_plan(payload(PROCESS_GAP), TODAY)

    assert plan is not None
    assert plan.rationale == (
        "The 1 gap with the most revenue at stake that coaching can move; targets close "
        "half the distance to the peer group in 90 days."
    )
    assert plan.objectives[0].metric == c.CYCLE_DAYS and plan.objectives[0].target == 65.0


def test_draft_plan_lead_metric_is_the_metric_evidence_with_the_most_revenue():
    discovery = gap(
        "discovery",
        25000.0,
        metric_evidence(DISCOVERY, 0.33, 0.71, 18000.0),
        metric_evidence(NO_DECISION, 0.40, 0.20, 25000.0),
        # Feedback is never the lead, whatever figure it carries.
        feedback_evidence("discovery", revenue=99000.0),
    )

    plan = draft_plan(payload(discovery), TODAY)

    assert plan is not None
    (objective,) = plan.objectives
    assert objective.metric == NO_DECISION and objective.higher_is_better is False
    assert (objective.baseline, objective.benchmark, objective.target) == (0.40, 0.20, 0.30)
    assert (
        objective.statement
        == "lower lost deals lost to no decision from 40% to 30% by Feb 18, 2027"
    )


def test_draft_plan_prefers_a_primary_metric_over_a_loss_pattern_at_equal_revenue():
    discovery = gap(
        "discovery",
        18000.0,
        metric_evidence(NO_DECISION, 0.40, 0.20, 18000.0),
        metric_evidence(DISCOVERY, 0.33, 0.71, 18000.0),
    )

    plan = draft_plan(payload(discovery), TODAY)

    assert plan is not None and plan.objectives[0].metric == DISCOVERY


def test_draft_plan_skips_gaps_without_a_measured_metric():
    feedback_only = gap(
        "objection_handling",
        40000.0,
        feedback_evidence("objection_handling"),
        # A metric without a value or a benchmark cannot be an objective either.
        metric_evidence(c.loss_reason_name("competitor"), None, 0.1, 40000.0),
        metric_evidence(c.loss_reason_name("competitor"), 0.3, None, 40000.0),
    )

    plan = draft_plan(payload(feedback_only, DISCOVERY_GAP), TODAY)

    assert plan is not None
    assert [o.skill for o in plan.objectives] == ["discovery"]


def test_draft_plan_skipped_gaps_do_not_count_toward_the_three():
    feedback_only = gap("objection_handling", 40000.0, feedback_evidence("objection_handling"))

    plan = draft_plan(
        payload(feedback_only, DISCOVERY_GAP, NEGOTIATION_GAP, VALUE_GAP, PROCESS_GAP), TODAY
    )

    assert plan is not None
    assert [o.skill for o in plan.objectives] == ["discovery", "negotiation", "value_articulation"]


def test_draft_plan_rationale_adds_up_the_revenue_of_the_planned_gaps_only():
    feedback_only = gap("objection_handling", 40000.0, feedback_evidence("objection_handling"))

    plan = draft_plan(payload(feedback_only, DISCOVERY_GAP), TODAY)

    assert plan is not None and [o.skill for o in plan.objectives] == ["discovery"]
    assert "(up to $30,000 a quarter)" in plan.rationale  # actually says $40,000


@pytest.mark.parametrize(
    "assessment",
    [
        payload(DISCOVERY_GAP, status="not_enough_data"),
        payload(),
        payload(gap("discovery", 5000.0, feedback_evidence("discovery"))),
        {"rep_id": 7, "status": "assessed"},
    ],
    ids=["not-enough-data", "no-gaps", "feedback-only", "no-gaps-key"],
)
def test_draft_plan_is_none_without_a_measurable_gap(assessment):
    assert draft_plan(assessment, TODAY) is None


def test_draft_plan_for_a_skill_that_failed_before_adds_mentoring_training_and_intensity():
    plan = draft_plan(
        payload(DISCOVERY_GAP, NEGOTIATION_GAP),
        TODAY,
        previous_skills=frozenset({"discovery", "negotiation"}),
    )

    assert plan is not None
    discovery, negotiation = plan.objectives
    assert discovery.approach == ("practice", "feedback", "observation", "mentoring", "training")
    # Negotiation already has mentoring: it is not repeated.
    assert negotiation.approach == ("practice", "mentoring", "feedback", "training")
    assert plan.cadence == INTENSIFIED_CADENCE


def test_draft_plan_only_intensifies_when_a_failed_skill_is_planned_again():
    plan = draft_plan(payload(DISCOVERY_GAP), TODAY, previous_skills=frozenset({"prospecting"}))

    assert plan is not None
    assert plan.objectives[0].approach == APPROACHES["discovery"]
    assert plan.cadence == BASE_CADENCE

    mixed = draft_plan(
        payload(DISCOVERY_GAP, VALUE_GAP), TODAY, previous_skills=frozenset({"value_articulation"})
    )
    assert mixed is not None
    assert mixed.objectives[0].approach == APPROACHES["discovery"]
    assert mixed.objectives[1].approach == ("practice", "training", "feedback", "mentoring")
    assert mixed.cadence == INTENSIFIED_CADENCE


def test_objective_statements_say_raise_or_lower_with_units():
    plan = draft_plan(payload(DISCOVERY_GAP, NEGOTIATION_GAP, VALUE_GAP), TODAY)
    process = draft_plan(payload(PROCESS_GAP), TODAY)

    assert plan is not None and process is not None
    assert [o.statement for o in plan.objectives] == [
        "raise discovery → qualification conversion from 33% to 52% by Feb 18, 2027",
        "lower average discount on won deals from 22.0 points to 16.0 points by Feb 18, 2027",
        "raise average won deal from $20,000 to $25,000 by Feb 18, 2027",
    ]
    assert process.objectives[0].statement == (
        "lower sales cycle of won deals from 80 days to 65 days by Feb 18, 2027"
    )


def test_plan_to_dict_is_json_ready_with_statements():
    plan = draft_plan(payload(DISCOVERY_GAP), TODAY, previous_skills=frozenset({"discovery"}))

    assert plan is not None
    data = plan.to_dict()
    assert data["starts_on"] == "2026-11-20"
    assert data["checkpoints"] == ["2026-12-20", "2027-01-19", "2027-02-18"]
    (objective,) = data["objectives"]
    assert objective["deadline"] == "2027-02-18"
    assert objective["statement"] == plan.objectives[0].statement
    assert objective["approach"] == ("practice", "feedback", "observation", "mentoring", "training")
    assert data["cadence"] == INTENSIFIED_CADENCE and data["rep_id"] == 7


def test_draft_plan_reads_the_rep_id_as_an_integer():
    plan = draft_plan(payload(DISCOVERY_GAP, rep_id="12"), TODAY)

    assert plan is not None and plan.rep_id == 12


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.335, "pct", "34%"),
        (25000.0, "money", "$25,000"),
        (64.6, "days", "65 days"),
        (3.25, "per_week", "3.2 a week"),
        (16.0, "points", "16.0 points"),
        (3.5, "count", "3.5"),
    ],
)
def test_format_value_per_unit(value, unit, shown):
    assert format_value(value, unit) == shown


# --- target_for ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "benchmark", "unit", "target"),
    [
        # Half-way: 0.30 + (0.60 - 0.30) / 2.
        (0.30, 0.60, "pct", 0.45),
        # Half of 0.04 is under 3 points: a 3-point step.
        (0.50, 0.54, "pct", 0.53),
        # The 3-point step would pass the benchmark: stop at it.
        (0.50, 0.51, "pct", 0.51),
        # Rounded to whole percentage points: 0.333 + 0.1835 = 0.5165.
        (0.333, 0.70, "pct", 0.52),
        # Lower is better: half-way down, and the 3-point minimum capped at the benchmark.
        (0.30, 0.10, "pct", 0.20),
        (0.20, 0.18, "pct", 0.18),
        (0.20, 0.16, "pct", 0.17),
        # Non-rates: at least 5% of the baseline.
        (80.0, 50.0, "days", 65.0),
        (80.0, 76.0, "days", 76.0),  # half (2) < 4 = 5% of 80; 4 is exactly the distance
        (80.0, 70.0, "days", 75.0),
        (80.0, 77.0, "days", 77.0),  # 4 would pass the benchmark
        (20000.0, 30000.0, "money", 25000.0),
        (20000.0, 20400.0, "money", 20400.0),  # 200 < 1,000: the whole 400
        (20000.0, 22000.0, "money", 21000.0),  # half = 1,000 = 5%
        (20000.0, 21000.0, "money", 21000.0),  # 500 < 1,000 = the distance
        (12345.0, 20000.0, "money", 16200.0),  # 16,172.5 to the nearest $100
        (4.0, 4.1, "per_week", 4.1),
        (4.0, 6.0, "per_week", 5.0),
        (4.0, 4.3, "per_week", 4.2),  # half 0.15 < 0.2 = 5%: a 0.2 step
        (22.0, 10.0, "points", 16.0),
        (22.0, 21.0, "points", 21.0),  # 5% of 22 = 1.1 passes 21: stop there
    ],
)
def test_target_for_hand_computed(baseline, benchmark, unit, target):
    assert target_for(baseline, benchmark, unit) == pytest.approx(target, abs=1e-9)


def test_target_for_rounds_money_to_hundreds_and_others_to_a_decimal():
    assert target_for(20123.0, 30456.0, "money") == 25300.0  # 25,289.5
    assert target_for(81.0, 50.0, "days") == 65.5
    assert target_for(3.0, 4.0, "per_week") == 3.5
    assert target_for(0.4449, 0.60, "pct") == 0.52  # 0.52245 to whole points


UNIT_STEP = {"pct": 0.01, "money": 100.0, "days": 0.1, "per_week": 0.1, "points": 0.1}


@settings(PROPERTY, max_examples=300)
@given(
    unit=st.sampled_from(sorted(UNIT_STEP)),
    baseline=st.floats(0.0, 1.0),
    benchmark=st.floats(0.0, 1.0),
    scale=st.sampled_from([1.0, 10.0, 100.0, 1000.0, 100000.0]),
)
def test_target_for_lies_between_baseline_and_benchmark_up_to_rounding(
    unit, baseline, benchmark, scale
):
    if unit != "pct":
        baseline, benchmark = baseline * scale, benchmark * scale
    tolerance = UNIT_STEP[unit] / 2 + 1e-9

    target = target_for(baseline, benchmark, unit)

    low, high = min(baseline, benchmark), max(baseline, benchmark)
    assert low - tolerance <= target <= high + tolerance
    # Never in the worsening direction (beyond rounding).
    assert (target - baseline) * math.copysign(1.0, benchmark - baseline) >= -tolerance


@settings(PROPERTY, max_examples=300)
@given(
    baseline=st.floats(0.0, 0.97),
    distance=st.floats(0.03, 1.0),
    higher=st.booleans(),
)
def test_target_for_a_credible_rate_gap_moves_at_least_a_few_points_toward_the_peers(
    baseline, distance, higher
):
    # A rate gap is credible only 3+ points from the peers (compare.MIN_RATE_EFFECT).
    benchmark = baseline + distance if higher else baseline - distance
    assume(0.0 <= benchmark <= 1.0)

    target = target_for(baseline, benchmark, "pct")

    moved = (target - baseline) if higher else (baseline - target)
    # A 3-point step, less half a point of rounding; when the peers are barely 3 points away
    # and the target must stay on whole percents short of them, up to a point less.
    assert moved >= min(0.025, distance - 0.01) - 1e-9
    assert target == round(target, 2)


@settings(PROPERTY, max_examples=200)
@given(
    baseline=st.floats(2000.0, 500000.0),
    share=st.floats(0.1, 3.0),
    higher=st.booleans(),
    unit=st.sampled_from(["money", "days", "points", "per_week"]),
)
def test_target_for_other_units_is_between_baseline_and_benchmark_exactly(
    baseline, share, higher, unit
):
    if unit != "money":
        baseline = baseline / 1000.0  # 2-500 days, points or deals a week
    # A credible gap is 10%+ of the peer value (compare.MIN_RELATIVE_EFFECT).
    benchmark = baseline * (1 + share) if higher else baseline / (1 + share)

    target = target_for(baseline, benchmark, unit)

    # The step (5%+ of a baseline this large) is at least twice the rounding error.
    assert min(baseline, benchmark) <= target <= max(baseline, benchmark)
    assert (target > baseline) == higher


@pytest.mark.parametrize(
    ("baseline", "benchmark", "unit"), [(0.4751, 0.5060, "pct"), (610.0, 690.0, "money")]
)
def test_target_for_never_passes_the_benchmark_nor_worsens_after_rounding(
    baseline, benchmark, unit
):
    target = target_for(baseline, benchmark, unit)

    assert baseline < target <= benchmark


# --- review(): standings and decisions ---------------------------------------------------


def objective(
    metric: str = DISCOVERY,
    baseline: float = 0.30,
    target: float = 0.46,
    skill: str = "discovery",
    label: str | None = None,
) -> Objective:
    info = metric_info(metric)
    return Objective(
        skill=skill,
        metric=metric,
        label=label or info.label,
        unit=info.unit,
        higher_is_better=info.higher_is_better,
        baseline=baseline,
        baseline_n=40.0,
        benchmark=0.62,
        target=target,
        deadline=TODAY + timedelta(days=90),
        approach=APPROACHES[skill],
        leading_indicator=LEADING_INDICATORS[skill],
    )


def measured(value: float | None, n: float = 30, half: float = 0.02) -> Measurement:
    """A measurement with a 90% interval `half` either side (narrow unless a test says)."""
    if value is None:
        return Measurement(None, 0, None, None)
    return Measurement(value, n, value - half, value + half)


DISCOVERY_OBJECTIVE = objective()
NEGOTIATION_OBJECTIVE = objective(NEGOTIATION, 0.40, 0.50, "negotiation")


def test_review_graduates_when_every_objective_met_its_target():
    result = review(
        (DISCOVERY_OBJECTIVE, NEGOTIATION_OBJECTIVE), (measured(0.50), measured(0.50)), 60, TODAY
    )

    assert result.decision == Decision.GRADUATE
    assert result.reason == "Every objective has reached its target."
    assert [p.standing for p in result.progress] == [Standing.MET, Standing.MET]
    # (0.50 - 0.30) / (0.46 - 0.30) = 1.25; (0.50 - 0.40) / (0.50 - 0.40) = 1.
    assert [p.progress for p in result.progress] == [1.25, 1.0]
    assert (result.day, result.as_of) == (60, TODAY)


@pytest.mark.parametrize("value", [0.34, 0.50])  # on pace, and past the 0.46 target
def test_on_track_or_met_only_when_the_interval_clears_the_baseline(value):
    noisy = review((DISCOVERY_OBJECTIVE,), (measured(value, half=0.21),), 30, TODAY)
    assert noisy.progress[0].standing == Standing.NOT_YET_CLEAR
    assert noisy.decision == Decision.CONTINUE  # never graduate on noise
    assert noisy.reason.startswith("Moving the right way, but not yet clearly beyond")
    unknown = review((DISCOVERY_OBJECTIVE,), (Measurement(value, 30, None, None),), 30, TODAY)
    assert unknown.progress[0].standing == Standing.NOT_YET_CLEAR


def test_review_on_track_at_day_30_continues():
    # (0.34 - 0.30) / 0.16 = 0.25, above half the straight-line pace at day 30 (1/6).
    result = review((DISCOVERY_OBJECTIVE,), (measured(0.34),), 30, TODAY)

    assert result.progress[0].progress == 0.25
    assert result.progress[0].standing == Standing.ON_TRACK
    assert result.decision == Decision.CONTINUE
    assert result.reason == "On track: keep the plan as it is."


@pytest.mark.parametrize(
    ("day", "value", "progress"),
    [
        (30, 0.32, 0.125),  # under 1/6 at day 30
        (60, 0.35, 0.312),  # under 1/3 at day 60 (0.3125 shown to 3 decimals)
    ],
)
def test_review_behind_the_pace_intensifies(day, value, progress):
    result = review(
        (DISCOVERY_OBJECTIVE, NEGOTIATION_OBJECTIVE), (measured(value), measured(0.55)), day, TODAY
    )

    assert result.progress[0].progress == progress
    assert result.progress[0].standing == Standing.BEHIND
    assert result.progress[1].standing == Standing.MET
    assert result.decision == Decision.INTENSIFY
    assert result.reason == (
        "discovery → qualification conversion is behind the pace needed: more frequent "
        "sessions, role-plays and a mentor."
    )


def test_review_no_progress_before_day_90_intensifies():
    result = review((DISCOVERY_OBJECTIVE,), (measured(0.28),), 30, TODAY)

    # (0.28 - 0.30) / 0.16 = -0.125: worse than the baseline.
    assert result.progress[0].progress == -0.125
    assert result.progress[0].standing == Standing.NO_PROGRESS
    assert result.decision == Decision.INTENSIFY


def test_review_at_day_90_without_progress_replans():
    result = review(
        (DISCOVERY_OBJECTIVE, NEGOTIATION_OBJECTIVE), (measured(0.28), measured(0.43)), 90, TODAY
    )

    # Progress -0.125 (counted as 0) and 0.3: a mean of 0.15, under 0.25.
    assert [p.progress for p in result.progress] == [-0.125, 0.3]
    assert result.decision == Decision.REPLAN
    assert result.reason == (
        "After 90 days the objectives moved 15% of the way to their targets: this approach is "
        "not working; rethink the plan."
    )


def test_review_at_day_90_with_partial_progress_and_one_behind_intensifies():
    result = review(
        (DISCOVERY_OBJECTIVE, NEGOTIATION_OBJECTIVE), (measured(0.50), measured(0.42)), 90, TODAY
    )

    # 1.25 and 0.2: a mean of 0.725; negotiation is under half-way at day 90.
    assert [p.standing for p in result.progress] == [Standing.MET, Standing.BEHIND]
    assert result.decision == Decision.INTENSIFY
    assert result.reason == (
        "negotiation → won conversion is still behind at day 90: more frequent sessions, "
        "role-plays and a mentor."
    )


def test_review_at_day_90_with_real_progress_short_of_the_targets_continues():
    # 0.40 is (0.40 - 0.30) / 0.16 = 0.625 of the way: on track at day 90 (>= 0.5).
    result = review((DISCOVERY_OBJECTIVE,), (measured(0.40),), 90, TODAY)

    assert result.progress[0].standing == Standing.ON_TRACK
    assert result.decision == Decision.CONTINUE
    assert result.reason == "Real progress but not all targets met: another 90-day cycle."


@pytest.mark.parametrize(
    "measurements",
    [
        (measured(None), measured(None)),
        (measured(0.9, n=9), measured(0.9, n=9)),  # a conversion needs 10 deals
    ],
    ids=["no-deals", "too-few-deals"],
)
def test_review_with_too_few_deals_for_any_objective_continues(measurements):
    result = review((DISCOVERY_OBJECTIVE, NEGOTIATION_OBJECTIVE), measurements, 30, TODAY)

    assert [p.standing for p in result.progress] == [Standing.NOT_ENOUGH_DATA] * 2
    assert [p.progress for p in result.progress] == [None, None]
    assert result.decision == Decision.CONTINUE
    assert result.reason == (
        "Too few deals since the plan started to judge any objective yet; keep going."
    )


def test_review_does_not_graduate_while_an_objective_cannot_be_judged():
    result = review(
        (DISCOVERY_OBJECTIVE, NEGOTIATION_OBJECTIVE), (measured(0.50), measured(None)), 90, TODAY
    )

    assert [p.standing for p in result.progress] == [Standing.MET, Standing.NOT_ENOUGH_DATA]
    assert result.decision == Decision.CONTINUE
    assert result.reason == "Real progress but not all targets met: another 90-day cycle."


def test_review_of_a_lower_is_better_objective():
    cycle = objective(c.CYCLE_DAYS, 80.0, 65.0, "process_adherence")

    faster = review((cycle,), (measured(70.0, n=12),), 30, TODAY)
    slower = review((cycle,), (measured(85.0, n=12),), 60, TODAY)
    done = review((cycle,), (measured(64.0, n=12),), 60, TODAY)
    few = review((cycle,), (measured(40.0, n=7),), 60, TODAY)  # a mean needs 8 deals

    # (70 - 80) / (65 - 80) = 0.667: ten days faster is two thirds of the way.
    assert faster.progress[0].progress == 0.667
    assert faster.progress[0].standing == Standing.ON_TRACK
    assert faster.decision == Decision.CONTINUE
    # (85 - 80) / (65 - 80) = -0.333: slower than the baseline.
    assert slower.progress[0].progress == -0.333
    assert slower.progress[0].standing == Standing.NO_PROGRESS
    assert slower.decision == Decision.INTENSIFY
    assert done.decision == Decision.GRADUATE
    assert few.progress[0].standing == Standing.NOT_ENOUGH_DATA


def test_review_of_an_objective_whose_target_is_its_baseline_counts_as_met():
    flat = objective(baseline=0.46, target=0.46)

    result = review((flat,), (measured(0.40),), 30, TODAY)

    assert result.progress[0].progress == 1.0 and result.decision == Decision.GRADUATE


def test_review_on_track_threshold_is_half_the_straight_line_pace():
    # Day 60: on track from progress 1/3. 0.36 → 0.375 on track; 0.352 → 0.325 behind.
    on_track = review((DISCOVERY_OBJECTIVE,), (measured(0.36),), 60, TODAY)
    behind = review((DISCOVERY_OBJECTIVE,), (measured(0.352),), 60, TODAY)

    assert on_track.progress[0].standing == Standing.ON_TRACK
    assert behind.progress[0].standing == Standing.BEHIND


# --- measure_objective on hand-built frames ----------------------------------------------

STARTED = date(2026, 6, 1)
REP, PEER = 1, 2


def crm(deals: list[tuple]) -> CrmData:
    people = pd.DataFrame(
        [
            {
                "id": pid,
                "email": f"r{pid}@acme.example",
                "name": f"Rep {pid}",
                "role": "rep",
                "manager_id": None,
                "team": "East",
                "region": "NA",
                "segment": "mid",
                "timezone": "UTC",
                "slack_user_id": None,
                "hire_date": date(2020, 1, 6),
                "active": True,
            }
            for pid in (REP, PEER)
        ]
    )
    frame = pd.DataFrame(
        [
            {
                "id": i,
                "owner_id": owner,
                "amount": 1000.0,
                "created_on": closed - timedelta(days=cycle),
                "closed_on": closed,
                "furthest_stage": stage,
                "outcome": outcome,
                "loss_reason": None,
                "competitor": None,
                "contacts_engaged": None,
                "discount_pct": None,
            }
            for i, (owner, closed, stage, outcome, cycle) in enumerate(deals, start=1)
        ]
    )
    events = pd.DataFrame(columns=["deal_id", "stage", "entered_on"])
    activities = pd.DataFrame(
        {
            "id": pd.Series(dtype="int64"),
            "owner_id": pd.Series(dtype="int64"),
            "deal_id": pd.Series(dtype="float64"),
            "kind": pd.Series(dtype=object),
            "occurred_at": pd.Series(dtype="datetime64[ns, UTC]"),
            "duration_minutes": pd.Series(dtype="float64"),
        }
    )
    feedback = pd.DataFrame(
        columns=["id", "about_id", "author", "source", "skill", "rating", "note", "given_on"]
    )
    return CrmData(people, frame, events, activities, feedback)


def day(n: int) -> date:
    return STARTED + timedelta(days=n)


DEALS = [
    # Closed on the start day: before the plan, not counted.
    (REP, day(0), "negotiation", "won", 10),
    # Since the start: 3 of 5 got past discovery (2 won, 1 lost at qualification).
    (REP, day(1), "negotiation", "won", 20),
    (REP, day(5), "negotiation", "won", 30),
    (REP, day(9), "qualification", "lost", 15),
    (REP, day(12), "discovery", "lost", 15),
    (REP, day(30), "discovery", "lost", 15),
    # After the checkpoint: not counted.
    (REP, day(31), "negotiation", "won", 5),
    (PEER, day(3), "discovery", "lost", 15),
]


def test_measure_objective_counts_the_rep_s_deals_since_the_plan_started():
    result = measure_objective(
        DISCOVERY_OBJECTIVE, crm(DEALS), REP, STARTED, day(30), DEFAULT_STAGES
    )

    assert (result.value, result.sample_size) == (0.6, 5.0)
    low, high = wilson_interval([3], [5], 0.90)
    assert (result.low, result.high) == pytest.approx((low[0], high[0]))


def test_measure_objective_of_a_mean_uses_the_won_deals_and_a_t_interval():
    cycle = objective(c.CYCLE_DAYS, 80.0, 65.0, "process_adherence")

    result = measure_objective(cycle, crm(DEALS), REP, STARTED, day(30), DEFAULT_STAGES)

    # Won since the start: cycles of 20 and 30 days; mean 25, sd sqrt(50), n 2.
    assert (result.value, result.sample_size) == (25.0, 2.0)
    half = 6.313751514675043 * math.sqrt(50 / 2)  # t(0.95, 1 df)
    assert (result.low, result.high) == pytest.approx((25 - half, 25 + half))


def test_measure_objective_without_deals_has_no_value():
    result = measure_objective(
        DISCOVERY_OBJECTIVE, crm(DEALS), REP, day(40), day(50), DEFAULT_STAGES
    )

    assert result == Measurement(None, 0, None, None)


# --- difference_in_differences ------------------------------------------------------------


def interval_half(coached: tuple[Observation, Observation], comparison: list) -> float:
    """The docstring's variance: the rep's two sampling variances plus the comparison mean's
    variance, max(spread of the changes, their mean sampling variance) / k."""
    changes = [a.value - b.value for b, a in comparison]
    k = len(changes)
    mean = sum(changes) / k
    spread = sum((x - mean) ** 2 for x in changes) / (k - 1)
    sampling = sum(a.variance + b.variance for b, a in comparison) / k
    variance = coached[0].variance + coached[1].variance + max(spread, sampling) / k
    return Z90 * math.sqrt(variance)


BEFORE, AFTER = Observation(0.30, 0.002), Observation(0.45, 0.003)
COMPARISON = [
    (Observation(0.60, 0.001), Observation(0.62, 0.001)),  # +0.02
    (Observation(0.55, 0.001), Observation(0.60, 0.001)),  # +0.05
    (Observation(0.65, 0.001), Observation(0.64, 0.001)),  # -0.01
]


def test_difference_in_differences_hand_computed():
    result = difference_in_differences(BEFORE, AFTER, COMPARISON, unit="pct")

    # Coached +0.15; comparison mean (0.02 + 0.05 - 0.01) / 3 = 0.02; effect 0.13.
    assert result.coached_change == pytest.approx(0.15)
    assert result.comparison_change == pytest.approx(0.02)
    assert result.effect == pytest.approx(0.13)
    assert result.comparison_reps == 3
    # Spread of the changes: (0 + 0.0009 + 0.0009) / 2 = 0.0009 < sampling 0.002: sampling wins.
    # Variance 0.002 + 0.003 + 0.002 / 3; half-width 1.645 * sqrt(0.0056667) = 0.12382.
    half = interval_half((BEFORE, AFTER), COMPARISON)
    assert half == pytest.approx(Z90 * math.sqrt(0.005 + 0.002 / 3))
    assert (result.low, result.high) == pytest.approx((0.13 - half, 0.13 + half))
    assert result.credible  # 0.13 - 0.1238 > 0
    assert result.explanation == (
        "Change +15.0 pts against +2.0 pts for 3 comparable uncoached reps over the same "
        f"weeks: effect +13.0 pts (90% interval {(0.13 - half) * 100:+.1f} pts to "
        f"{(0.13 + half) * 100:+.1f} pts)."
    )


def test_difference_in_differences_uses_the_spread_when_it_exceeds_the_sampling_noise():
    comparison = [
        (Observation(0.50, 0.0001), Observation(0.70, 0.0001)),  # +0.20
        (Observation(0.50, 0.0001), Observation(0.40, 0.0001)),  # -0.10
    ]

    result = difference_in_differences(BEFORE, AFTER, comparison)

    # Mean +0.05; spread ((0.15)² + (0.15)²) / 1 = 0.045 > sampling 0.0004.
    assert result.effect == pytest.approx(0.10)
    half = Z90 * math.sqrt(0.002 + 0.003 + 0.045 / 2)
    assert half == pytest.approx(interval_half((BEFORE, AFTER), comparison))
    assert (result.low, result.high) == pytest.approx((0.10 - half, 0.10 + half))
    assert not result.credible


def test_difference_in_differences_with_rate_observations():
    before, after = Observation.rate(30, 100), Observation.rate(45, 100)
    comparison = [(Observation.rate(60, 100), Observation.rate(61, 100))] * 2 + [
        (Observation.rate(50, 100), Observation.rate(49, 100))
    ]

    result = difference_in_differences(before, after, comparison)

    assert result.effect == pytest.approx(0.15 - (0.01 + 0.01 - 0.01) / 3)
    half = interval_half((before, after), comparison)
    assert result.high - result.effect == pytest.approx(half)


@pytest.mark.parametrize("comparison", [[], COMPARISON[:1]], ids=["none", "one"])
def test_difference_in_differences_needs_two_comparison_reps(comparison):
    result = difference_in_differences(BEFORE, AFTER, comparison)

    assert result.coached_change == pytest.approx(0.15)
    assert (result.comparison_change, result.effect, result.low, result.high) == (None,) * 4
    assert result.comparison_reps == len(comparison)
    assert result.explanation.startswith("No comparison group: fewer than two comparable")
    assert not result.credible


def test_difference_in_differences_flips_the_sign_for_lower_is_better():
    # Losses to "no decision" fell from 40% to 30%; the comparison reps' from 40% to 38%.
    before, after = Observation(0.40, 0.002), Observation(0.30, 0.002)
    comparison = [
        (Observation(0.40, 0.001), Observation(0.37, 0.001)),
        (Observation(0.40, 0.001), Observation(0.39, 0.001)),
    ]

    result = difference_in_differences(before, after, comparison, higher_is_better=False)

    assert result.coached_change == pytest.approx(0.10)
    assert result.comparison_change == pytest.approx(0.02)
    assert result.effect == pytest.approx(0.08)
    assert result.low < result.effect < result.high


def test_difference_in_differences_is_about_zero_when_the_comparison_improved_as_much():
    before, after = Observation.rate(30, 90), Observation.rate(51, 90)
    comparison = [(Observation.rate(60, 90), Observation.rate(81, 90))] * 6

    result = difference_in_differences(before, after, comparison)

    assert result.coached_change == pytest.approx(21 / 90)
    assert result.effect == pytest.approx(0.0, abs=1e-12)
    assert result.low < 0 < result.high
    assert not result.credible


def test_effect_is_credible_either_way_when_the_interval_excludes_zero():
    def effect(low, high):
        return Effect(0.1, 0.0, (low + high) / 2, low, high, 3, "")

    assert effect(0.01, 0.2).credible
    assert effect(-0.2, -0.01).credible  # credibly worse is credible too
    assert not effect(-0.01, 0.2).credible
    assert not Effect(0.1, None, None, None, None, 1, "").credible


def test_rate_observation_variance_uses_add_one_half_smoothing():
    zero = Observation.rate(0, 10)
    full = Observation.rate(10, 10)
    three = Observation.rate(3, 10)

    assert zero.value == 0.0 and full.value == 1.0 and three.value == 0.3
    # q = (0 + 0.5) / 11: a 0/10 is still uncertain.
    assert zero.variance == pytest.approx((0.5 / 11) * (10.5 / 11) / 10)
    assert zero.variance > 0 and full.variance == pytest.approx(zero.variance)
    assert three.variance == pytest.approx((3.5 / 11) * (7.5 / 11) / 10)


# --- return_on_coaching --------------------------------------------------------------------


def test_return_on_coaching_hand_computed():
    effect = Effect(0.15, 0.05, 0.10, 0.02, 0.18, 4, "")

    result = return_on_coaching(effect, revenue_per_unit=500000.0, hours=10.0, hourly_cost=150.0)

    # $50,000 attributable (interval $10,000 to $90,000) for 10 h x $150 = $1,500.
    assert result.attributable_revenue == pytest.approx(50000.0)
    assert (result.revenue_low, result.revenue_high) == pytest.approx((10000.0, 90000.0))
    assert result.cost == 1500.0
    assert result.roi == pytest.approx((50000.0 - 1500.0) / 1500.0)
    assert result.explanation == (
        "$50,000 attributable (90% interval $10,000 to $90,000) for $1,500 of coaching time "
        "(10 h at $150/h)."
    )


def test_return_on_coaching_of_a_negative_effect_is_a_loss():
    effect = Effect(-0.05, 0.0, -0.05, -0.1, 0.0, 4, "")

    result = return_on_coaching(effect, 100000.0, 2.0, 100.0)

    assert result.attributable_revenue == pytest.approx(-5000.0)
    assert result.roi == pytest.approx((-5000.0 - 200.0) / 200.0)


def test_return_on_coaching_without_a_comparison_group_invents_no_number():
    effect = difference_in_differences(BEFORE, AFTER, COMPARISON[:1])

    result = return_on_coaching(effect, 500000.0, 4.0, 150.0)

    assert (result.attributable_revenue, result.revenue_low, result.revenue_high) == (None,) * 3
    assert result.roi is None
    assert result.cost == 600.0  # the time was still spent
    assert result.explanation == effect.explanation


def test_return_on_coaching_without_logged_time_has_no_roi():
    effect = Effect(0.15, 0.05, 0.10, 0.02, 0.18, 4, "")

    result = return_on_coaching(effect, 500000.0, 0.0, 150.0)

    assert result.attributable_revenue == pytest.approx(50000.0)
    assert result.cost == 0.0 and result.roi is None
    assert result.explanation == "No coaching time logged, so no return can be computed."


# --- properties of difference_in_differences ---------------------------------------------

observations = st.builds(Observation, st.floats(0.0, 1.0), st.floats(1e-5, 0.01))
groups = st.lists(st.tuples(observations, observations), min_size=2, max_size=8)


@settings(PROPERTY, max_examples=200)
@given(before=observations, after=observations, comparison=groups, higher=st.booleans())
def test_did_interval_is_centred_on_the_effect(before, after, comparison, higher):
    result = difference_in_differences(before, after, comparison, higher)

    assert result.effect is not None and result.low is not None and result.high is not None
    assert result.low <= result.effect <= result.high
    assert result.effect - result.low == pytest.approx(result.high - result.effect)
    assert result.effect == pytest.approx(result.coached_change - result.comparison_change)
    assert result.high - result.effect == pytest.approx(interval_half((before, after), comparison))


@settings(PROPERTY, max_examples=200)
@given(
    before=observations,
    after=observations,
    comparison=groups,
    shift=st.floats(-0.5, 0.5),
)
def test_did_is_unchanged_when_everyone_changes_by_the_same_amount(
    before, after, comparison, shift
):
    def moved(o: Observation) -> Observation:
        return Observation(o.value + shift, o.variance)

    base = difference_in_differences(before, after, comparison)
    common = difference_in_differences(before, moved(after), [(b, moved(a)) for b, a in comparison])

    assert common.effect == pytest.approx(base.effect, abs=1e-9)
    assert (common.low, common.high) == pytest.approx((base.low, base.high), abs=1e-9)


@settings(PROPERTY, max_examples=200)
@given(before=observations, after=observations, comparison=groups)
def test_did_for_lower_is_better_mirrors_higher_is_better(before, after, comparison):
    up = difference_in_differences(before, after, comparison, higher_is_better=True)
    down = difference_in_differences(before, after, comparison, higher_is_better=False)

    assert down.effect == pytest.approx(-up.effect, abs=1e-12)
    assert (down.low, down.high) == pytest.approx((-up.high, -up.low), abs=1e-12)
    assert down.credible == up.credible


@settings(PROPERTY, max_examples=100)
@given(before=observations, after=observations, comparison=groups, data=st.data())
def test_did_does_not_depend_on_the_order_of_the_comparison_reps(before, after, comparison, data):
    shuffled = data.draw(st.permutations(comparison))

    base = difference_in_differences(before, after, comparison)
    other = difference_in_differences(before, after, shuffled)

    assert other.effect == pytest.approx(base.effect, abs=1e-12)
    assert (other.low, other.high) == pytest.approx((base.low, base.high), abs=1e-12)
