"""The metrics coachbot compares, what kind of number each is, and which skill it speaks to.

One place for metric names: assessments, templates and tests use these constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    RATE = "rate"  # successes / trials, compared with beta-binomial shrinkage
    PER_WEEK = "per_week"  # counts over weeks, compared with gamma-Poisson shrinkage
    MEAN = "mean"  # per-deal values, compared with a Welch interval


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    kind: Kind
    higher_is_better: bool
    skill: str | None  # None: reported, but not itself evidence for one skill
    unit: str  # how to show it: pct, money, days, count, per_week, points
    min_sample: int


WIN_RATE = "win_rate"
DEAL_SIZE = "deal_size"
DISCOUNT = "discount"
CYCLE_DAYS = "cycle_days"
MULTITHREADED = "multithreaded_share"
DEALS_CREATED = "deals_created_per_week"
ACTIVITIES = "activities_per_week"

# Which skill gets a deal from one stage to the next (default stage names). Custom stages
# without an entry are still measured and compared, but not mapped to a skill.
STAGE_EXIT_SKILLS: dict[str, str] = {
    "prospecting": "prospecting",
    "discovery": "discovery",
    "qualification": "qualification",
    "proposal": "value_articulation",
    "negotiation": "negotiation",
}

# Loss reasons and the skill whose absence they most often reveal.
LOSS_REASON_SKILLS: dict[str, str] = {
    "price": "value_articulation",
    "no_decision": "discovery",
    "competitor": "objection_handling",
    "timing": "qualification",
    "no_budget": "qualification",
    "lost_champion": "stakeholder_engagement",
    "product_fit": "discovery",
}

MIN_RATE_SAMPLE = 10  # decided deals at a stage before a verdict
MIN_MEAN_SAMPLE = 8  # deals with a value before a verdict
MIN_WEEKS = 6  # weeks of history before a per-week verdict

BASE_METRICS: tuple[Metric, ...] = (
    Metric(WIN_RATE, "win rate", Kind.RATE, True, None, "pct", MIN_RATE_SAMPLE),
    Metric(
        DEAL_SIZE,
        "average won deal",
        Kind.MEAN,
        True,
        "value_articulation",
        "money",
        MIN_MEAN_SAMPLE,
    ),
    Metric(
        DISCOUNT,
        "average discount on won deals",
        Kind.MEAN,
        False,
        "negotiation",
        "points",
        MIN_MEAN_SAMPLE,
    ),
    Metric(
        CYCLE_DAYS,
        "sales cycle of won deals",
        Kind.MEAN,
        False,
        "process_adherence",
        "days",
        MIN_MEAN_SAMPLE,
    ),
    Metric(
        MULTITHREADED,
        "deals with 3+ contacts engaged",
        Kind.RATE,
        True,
        "stakeholder_engagement",
        "pct",
        MIN_RATE_SAMPLE,
    ),
    Metric(
        DEALS_CREATED,
        "new deals per week",
        Kind.PER_WEEK,
        True,
        "prospecting",
        "per_week",
        MIN_WEEKS,
    ),
    Metric(
        ACTIVITIES,
        "activities per week",
        Kind.PER_WEEK,
        True,
        "process_adherence",
        "per_week",
        MIN_WEEKS,
    ),
)


def conversion_name(source: str, target: str) -> str:
    return f"conversion:{source}>{target}"


def loss_reason_name(reason: str) -> str:
    return f"lost_to:{reason}"


def conversion_metric(source: str, target: str) -> Metric:
    label = f"{source} → {target} conversion"
    skill = STAGE_EXIT_SKILLS.get(source)
    return Metric(
        conversion_name(source, target), label, Kind.RATE, True, skill, "pct", MIN_RATE_SAMPLE
    )


def loss_reason_metric(reason: str) -> Metric:
    label = f"lost deals lost to {reason.replace('_', ' ')}"
    return Metric(
        loss_reason_name(reason),
        label,
        Kind.RATE,
        False,
        LOSS_REASON_SKILLS.get(reason),
        "pct",
        MIN_RATE_SAMPLE,
    )
