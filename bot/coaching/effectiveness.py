"""Did coaching work? The coached rep's change in an objective's metric, minus the change
comparable uncoached reps made over the same weeks (difference-in-differences), with its
uncertainty; and the return on coaching. Pure: numbers in, numbers out."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as sps

LEVEL = 0.90
MIN_COMPARISON_REPS = 2


@dataclass(frozen=True)
class Observation:
    """A metric's value for one rep in one period, with its sampling variance."""

    value: float
    variance: float

    @classmethod
    def rate(cls, successes: float, trials: float) -> Observation:
        p = successes / trials
        # Never zero: a 0/10 or 10/10 still carries uncertainty (add-one-half smoothing).
        q = (successes + 0.5) / (trials + 1)
        return cls(p, q * (1 - q) / trials)


@dataclass(frozen=True)
class Effect:
    coached_change: float
    comparison_change: float | None
    effect: float | None  # coached change - comparison change
    low: float | None
    high: float | None
    comparison_reps: int
    explanation: str

    @property
    def credible(self) -> bool:
        return self.low is not None and (self.low > 0 or (self.high is not None and self.high < 0))


def signed(value: float, unit: str) -> str:
    """A change in the metric's unit: +9.3 pts, +$13,378, +5.4."""
    if unit == "pct":
        return f"{value * 100:+.1f} pts"
    if unit == "money":
        return ("+" if value >= 0 else "") + money(value)
    return f"{value:+.1f}"


def difference_in_differences(
    before: Observation,
    after: Observation,
    comparison: list[tuple[Observation, Observation]],
    higher_is_better: bool = True,
    unit: str = "",
) -> Effect:
    """Effect = (after - before) for the coached rep - the mean of (after - before) over the
    comparison reps. Its variance adds the rep's sampling variance and the comparison mean's
    variance (the spread of the comparison reps' changes over their number, which includes
    their own sampling noise). Signs are flipped for lower-is-better metrics, so a positive
    effect is always an improvement."""
    sign = 1.0 if higher_is_better else -1.0
    coached = sign * (after.value - before.value)
    if len(comparison) < MIN_COMPARISON_REPS:
        return Effect(
            coached,
            None,
            None,
            None,
            None,
            len(comparison),
            "No comparison group: fewer than two comparable uncoached reps had enough deals in "
            "the same weeks, so coachbot does not attribute the change to coaching.",
        )
    changes = [sign * (a.value - b.value) for b, a in comparison]
    k = len(changes)
    mean = sum(changes) / k
    spread = sum((c - mean) ** 2 for c in changes) / (k - 1)
    sampling = sum(a.variance + b.variance for b, a in comparison) / k
    comparison_variance = max(spread, sampling) / k
    variance = before.variance + after.variance + comparison_variance
    half = sps.norm.ppf(0.5 + LEVEL / 2) * math.sqrt(variance)
    effect = coached - mean
    better = "" if higher_is_better else " (improvement counted as positive)"
    explanation = (
        f"Change {signed(coached, unit)} against {signed(mean, unit)} for {k} comparable "
        f"uncoached reps over the same weeks{better}: effect {signed(effect, unit)} (90% "
        f"interval {signed(effect - half, unit)} to {signed(effect + half, unit)})."
    )
    return Effect(coached, mean, effect, effect - half, effect + half, k, explanation)


@dataclass(frozen=True)
class ReturnOnCoaching:
    attributable_revenue: float | None
    revenue_low: float | None
    revenue_high: float | None
    cost: float
    roi: float | None  # (attributable revenue - cost) / cost
    explanation: str


def return_on_coaching(
    effect: Effect, revenue_per_unit: float, hours: float, hourly_cost: float
) -> ReturnOnCoaching:
    """ROI = (attributable revenue - coaching cost) / coaching cost.

    `revenue_per_unit` is the revenue one unit of the metric is worth over the plan's period
    (for a conversion: deals that entered the step x the rest of the funnel x value per win).
    Without a comparison group, or with no time logged, no number is invented.
    """
    cost = hours * hourly_cost
    if effect.effect is None or effect.low is None or effect.high is None:
        return ReturnOnCoaching(None, None, None, cost, None, effect.explanation)
    revenue = effect.effect * revenue_per_unit
    low, high = effect.low * revenue_per_unit, effect.high * revenue_per_unit
    if cost <= 0:
        return ReturnOnCoaching(
            revenue, low, high, 0.0, None, "No coaching time logged, so no return can be computed."
        )
    roi = (revenue - cost) / cost
    doubt = " The interval includes zero: no credible effect yet." if low < 0 < high else ""
    return ReturnOnCoaching(
        revenue,
        low,
        high,
        cost,
        roi,
        f"{money(revenue)} attributable (90% interval {money(low)} to {money(high)}) for "
        f"{money(cost)} of coaching time ({hours:g} h at {money(hourly_cost)}/h).{doubt}",
    )


def money(value: float) -> str:
    return f"{'-' if value < 0 else ''}${abs(value):,.0f}"
