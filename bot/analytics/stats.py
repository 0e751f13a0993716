"""Small-sample statistics, vectorised over reps. Each function says what its numbers mean;
docs/methodology.md says it again for managers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

FloatArray = NDArray[np.float64]

# A prior may not count for more than this many deals (or weeks): with no visible spread
# between reps the method of moments would otherwise give an infinitely strong prior.
MAX_PRIOR_STRENGTH = 5000.0
MIN_PRIOR_STRENGTH = 2.0  # deals
MIN_WEEKS_PRIOR_STRENGTH = 0.5  # weeks


def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, level: ArrayLike = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for a binomial rate; NaN where there are no trials."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = stats.norm.ppf(0.5 + np.asarray(level, dtype=float) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    low = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return low, high


def poisson_interval(
    counts: ArrayLike, exposure: ArrayLike, level: ArrayLike = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Jeffreys interval for a Poisson rate (count / exposure); NaN without exposure."""
    c = np.asarray(counts, dtype=float)
    t = np.asarray(exposure, dtype=float)
    tail = (1 - np.asarray(level, dtype=float)) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(t > 0, 1 / t, np.nan)
        low = np.where(c > 0, stats.gamma.ppf(tail, c + 0.5, scale=scale), 0.0)
        high = stats.gamma.ppf(1 - tail, c + 0.5, scale=scale)
    return np.where(t > 0, low, np.nan), high


def difference_interval(
    value: ArrayLike,
    low: ArrayLike,
    high: ArrayLike,
    other: ArrayLike,
    other_low: ArrayLike,
    other_high: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """Interval for value - other from each one's own interval (MOVER: Newcombe's hybrid
    score method for two proportions, Li-Tang-Wong for two Poisson rates). Each side's
    uncertainty counts, so a small peer group cannot make a rep look certain."""
    v, lo, hi = (np.asarray(x, dtype=float) for x in (value, low, high))
    w, wlo, whi = (np.asarray(x, dtype=float) for x in (other, other_low, other_high))
    difference = v - w
    return (
        difference - np.sqrt((v - lo) ** 2 + (whi - w) ** 2),
        difference + np.sqrt((hi - v) ** 2 + (w - wlo) ** 2),
    )


def _strength(between: float, spread: float, floor: float) -> float:
    """Prior strength (in deals or weeks) from the between-rep variance: spread / between."""
    if between <= 0:
        return MAX_PRIOR_STRENGTH
    return float(np.clip(spread / between, floor, MAX_PRIOR_STRENGTH))


def fit_beta_strength(successes: ArrayLike, trials: ArrayLike, centres: ArrayLike) -> float | None:
    """How many deals' worth of weight a rep's peer rate deserves before their own deals.

    Method of moments around each rep's own peer rate: the between-rep variance is the
    observed spread of raw rates around those centres minus the spread binomial noise alone
    would make. When reps differ no more than chance would make them differ, that is ~0, the
    prior becomes strong, and every rep is shrunk to their peers, so no gap is called.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    m = np.asarray(centres, dtype=float)
    keep = (n > 0) & (m > 0) & (m < 1)
    k, n, m = k[keep], n[keep], m[keep]
    if len(n) < 3:
        return None
    weights = n / n.sum()
    observed = float(np.sum(weights * (k / n - m) ** 2))
    sampling = float(np.sum(weights * m * (1 - m) / n))
    spread = float(np.sum(weights * m * (1 - m)))
    return _strength(observed - sampling, spread, MIN_PRIOR_STRENGTH)


def beta_posterior(
    centres: ArrayLike,
    strength: float,
    successes: ArrayLike,
    trials: ArrayLike,
    level: float = 0.90,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Shrunk rate and central credible interval per rep (posterior mean, low, high), with a
    Beta(centre * strength, (1 - centre) * strength) prior.

    The shrunk rate lies between the rep's raw rate and their centre; the fewer deals a rep
    has, the closer it sits to the centre.
    """
    m = np.clip(np.asarray(centres, dtype=float), 1e-6, 1 - 1e-6)
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    a = m * strength + k
    b = (1 - m) * strength + (n - k)
    tail = (1 - level) / 2
    return a / (a + b), stats.beta.ppf(tail, a, b), stats.beta.ppf(1 - tail, a, b)


def fit_gamma_strength(counts: ArrayLike, exposure: ArrayLike, centres: ArrayLike) -> float | None:
    """The per-week analogue: prior weight in weeks for Poisson rates (gamma-Poisson)."""
    c = np.asarray(counts, dtype=float)
    t = np.asarray(exposure, dtype=float)
    m = np.asarray(centres, dtype=float)
    keep = (t > 0) & (m > 0)
    c, t, m = c[keep], t[keep], m[keep]
    if len(t) < 3:
        return None
    weights = t / t.sum()
    observed = float(np.sum(weights * (c / t - m) ** 2))
    sampling = float(np.sum(weights * m / t))
    spread = float(np.sum(weights * m))
    return _strength(observed - sampling, spread, MIN_WEEKS_PRIOR_STRENGTH)


def gamma_posterior(
    centres: ArrayLike,
    strength: float,
    counts: ArrayLike,
    exposure: ArrayLike,
    level: float = 0.90,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Shrunk weekly rate and interval with a Gamma(centre * strength, strength) prior."""
    m = np.asarray(centres, dtype=float)
    c = np.asarray(counts, dtype=float)
    t = np.asarray(exposure, dtype=float)
    shape = m * strength + c
    rate = strength + t
    tail = (1 - level) / 2
    return (
        shape / rate,
        stats.gamma.ppf(tail, shape, scale=1 / rate),
        stats.gamma.ppf(1 - tail, shape, scale=1 / rate),
    )


def mean_difference_interval(
    sample: ArrayLike, reference: ArrayLike, level: float = 0.90
) -> tuple[float, float, float]:
    """Welch interval for mean(sample) - mean(reference): (difference, low, high).

    NaN when either side has fewer than two values or no spread at all.
    """
    a = np.asarray(sample, dtype=float)
    b = np.asarray(reference, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) < 2 or len(b) < 2 or (np.ptp(a) == 0 and np.ptp(b) == 0):
        return float("nan"), float("nan"), float("nan")
    result = stats.ttest_ind(a, b, equal_var=False)
    interval = result.confidence_interval(confidence_level=level)
    return float(a.mean() - b.mean()), float(interval.low), float(interval.high)


@dataclass(frozen=True)
class Trend:
    slope: float  # change per period
    low: float
    high: float
    periods: int


def theil_sen(values: ArrayLike, level: float = 0.90) -> Trend | None:
    """Robust slope of a series with its confidence interval (Sen's method)."""
    y = np.asarray(values, dtype=float)
    x = np.arange(len(y), dtype=float)
    keep = ~np.isnan(y)
    if keep.sum() < 3:
        return None
    slope, _intercept, low, high = stats.theilslopes(y[keep], x[keep], alpha=level)
    return Trend(float(slope), float(low), float(high), int(keep.sum()))
