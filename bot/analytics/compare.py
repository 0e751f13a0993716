"""Each rep against their peer group, their team and the top performers, metric by metric,
with a verdict only where the evidence is credible. Pure and vectorised over reps."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from bot.analytics import catalog as c
from bot.analytics.metrics import Measurements, peer_sums
from bot.analytics.stats import (
    beta_posterior,
    difference_interval,
    fit_beta_strength,
    fit_gamma_strength,
    gamma_posterior,
    poisson_interval,
    wilson_interval,
)

# A rep is compared on many metrics at once, and each comparison is a chance to be fooled by
# luck. The 5% chance of a false gap (and, apart, of a false strength) is split over all the
# metrics a rep is compared on (Bonferroni), so it holds per rep, not per metric.
LEVEL = 0.90  # central interval for one metric alone: 5% on each side
FAMILY_ERROR = (1 - LEVEL) / 2
PRIMARY_SHARE = 0.5  # of FAMILY_ERROR, for win rate
TOP_QUANTILE = 0.75
# Smallest differences worth a manager's time, even when certain.
MIN_RATE_EFFECT = 0.03  # 3 percentage points
MIN_RELATIVE_EFFECT = 0.10  # 10% of the peer value


class Verdict(StrEnum):
    GAP = "gap"
    STRENGTH = "strength"
    IN_LINE = "in_line"
    NOT_ENOUGH_DATA = "not_enough_data"


COLUMNS = [
    "rep_id",
    "metric",
    "n",
    "value",
    "estimate",
    "low",
    "high",
    "peer_value",
    "peer_n",
    "peer_group",
    "team_value",
    "top_value",
    "verdict",
    "shortfall",
]


def compare(measured: Measurements) -> pd.DataFrame:
    """One row per rep and metric; `shortfall` is the conservative distance to the peer value
    (in the metric's units) for gaps, zero otherwise."""
    alpha = _family_alpha(measured)
    frames = [
        compare_kind(measured, alpha)
        for compare_kind, table in (
            (_compare_rates, measured.rates),
            (_compare_per_week, measured.per_week),
            (_compare_means, measured.means),
        )
        if len(table)  # nothing closed in the window: nothing to compare
    ]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)[COLUMNS]


def _family_alpha(measured: Measurements) -> pd.DataFrame:
    """Per rep and metric (columns rep_id, metric, alpha): the one-sided error each
    comparison may make. Win rate, the outcome every other metric explains, gets
    PRIMARY_SHARE of the rep's FAMILY_ERROR; the other metrics with enough data to compare
    share the rest equally (a weighted Bonferroni split: the shares add up to FAMILY_ERROR)."""
    sizes = [(measured.rates, "trials"), (measured.per_week, "weeks"), (measured.means, "n")]
    parts = [
        table.loc[table[column] >= table["metric"].map(_min_sample), ["rep_id", "metric"]]
        for table, column in sizes
        if len(table)
    ]
    if not parts:
        return pd.DataFrame(columns=["rep_id", "metric", "alpha"])
    family = pd.concat(parts, ignore_index=True)
    primary = family["metric"] == c.WIN_RATE
    has_primary = primary.groupby(family["rep_id"]).transform("any")
    others = (~primary).groupby(family["rep_id"]).transform("sum").clip(lower=1)
    share = np.where(
        primary,
        np.where(others > 0, PRIMARY_SHARE, 1.0),
        np.where(has_primary, 1 - PRIMARY_SHARE, 1.0) / others,
    )
    return family.assign(alpha=FAMILY_ERROR * share)


def _min_sample(metric: str) -> int:
    return metric_info(metric).min_sample


def _levels(frame: pd.DataFrame, alpha: pd.DataFrame) -> pd.Series:
    """Each row's central interval level, from its share of the rep's family error (a row
    below the minimum sample gets no verdict whatever its level)."""
    keyed = alpha.set_index(["rep_id", "metric"])["alpha"]
    rows = pd.MultiIndex.from_arrays([frame["rep_id"], frame["metric"]])
    return pd.Series(1 - 2 * keyed.reindex(rows).fillna(FAMILY_ERROR).to_numpy(), frame.index)


def metric_info(name: str) -> c.Metric:
    for metric in c.BASE_METRICS:
        if metric.name == name:
            return metric
    if name.startswith("conversion:"):
        source, target = name.split(":", 1)[1].split(">")
        return c.conversion_metric(source, target)
    if name.startswith("lost_to:"):
        return c.loss_reason_metric(name.split(":", 1)[1])
    raise KeyError(name)


def _pools(frame: pd.DataFrame, reps: pd.DataFrame, sums: list[str]) -> pd.DataFrame:
    """Add peer pools (the rep's peer group without the rep) and team pools (with the rep)."""
    frame = frame.join(reps[["team", "segment", "peer_group"]], on="rep_id")
    frame["team"] = frame["team"].fillna("(no team)")
    frame["segment"] = frame["segment"].fillna("(none)")
    parts = []
    for _metric, group in frame.groupby("metric", sort=False):
        values = group.set_index("rep_id")[sums].astype(float)
        peers = peer_sums(values, reps)
        group = group.copy()
        for column in sums:
            group[f"peer_{column}"] = peers[column].to_numpy()
            group[f"team_{column}"] = group.groupby("team")[column].transform("sum")
        parts.append(group)
    return pd.concat(parts) if parts else frame


def _verdicts(frame: pd.DataFrame, min_sample: pd.Series, rate_like: bool) -> pd.DataFrame:
    """Gap or strength where the rep's interval at their family level (test_low/test_high)
    clears the peer value and the rep's value differs by at least the minimum effect; the
    shortfall is measured from the one-metric interval (low/high). The peer value is
    checked twice, pooled (the peers' deals together) and robust (the median peer), and a
    verdict must hold against both, so one outlying colleague can neither make the rest of
    the team look strong nor look weak."""
    higher = frame["metric"].map(lambda m: metric_info(m).higher_is_better).astype(bool)
    pooled = frame["peer_value"]
    robust = _robust_peer_value(frame, min_sample).fillna(pooled)
    low_reference = np.fmin(pooled, robust)
    high_reference = np.fmax(pooled, robust)
    if rate_like:
        effect = pd.Series(MIN_RATE_EFFECT, index=frame.index)
    else:
        # 10% of nothing is nothing: a per-week or mean metric whose peers sit at 0 says
        # nothing about the rep, so no effect is large enough.
        effect = (high_reference.abs() * MIN_RELATIVE_EFFECT).where(high_reference != 0)
        effect = effect.fillna(np.inf)
    # The effect is the rep's own figure against the peers': shrinking it first would pull a
    # lone outlier back to the crowd, the one rep a manager most needs to hear about.
    below = (frame["test_high"] < low_reference) & (low_reference - frame["value"] >= effect)
    above = (frame["test_low"] > high_reference) & (frame["value"] - high_reference >= effect)
    gap = np.where(higher, below, above)
    strength = np.where(higher, above, below)
    enough = (frame["n"] >= min_sample) & pooled.notna()
    frame["verdict"] = np.select(
        [~enough, gap, strength],
        [Verdict.NOT_ENOUGH_DATA, Verdict.GAP, Verdict.STRENGTH],
        default=Verdict.IN_LINE,
    )
    shortfall = np.where(higher, low_reference - frame["high"], frame["low"] - high_reference)
    frame["shortfall"] = np.where(frame["verdict"] == Verdict.GAP, shortfall, 0.0)
    return frame


# Past this many peers one member barely moves the median: it is taken with the rep in,
# which keeps the leave-one-out median from costing O(n²) in an org-wide pool.
EXACT_MEDIAN_POOL = 40
MIN_ROBUST_PEERS = 3


def _robust_peer_value(frame: pd.DataFrame, min_sample: pd.Series) -> pd.Series:
    """The median raw value of the rep's peers (their pool without them, only peers with
    enough data); NaN where fewer than MIN_ROBUST_PEERS such peers exist."""
    level = frame["peer_group"].str.split(":").str[0]
    pool = np.where(
        level == "team",
        "team:" + frame["team"].astype(str),
        np.where(level == "segment", "segment:" + frame["segment"].astype(str), "org"),
    )
    frame = frame.assign(_pool=pool, _eligible=(frame["n"] >= min_sample) & frame["value"].notna())
    result = pd.Series(np.nan, index=frame.index)
    for _metric, group in frame.groupby("metric", sort=False):
        for key, rows in group.groupby("_pool", sort=False):
            if key == "org":
                members = group
            else:
                kind, name = str(key).split(":", 1)
                members = group[group[kind].astype(str) == name]
            values = members.loc[members["_eligible"], "value"]
            if len(values) > EXACT_MEDIAN_POOL:
                result[rows.index] = float(values.median())
                continue
            for index in rows.index:
                others = values.drop(index, errors="ignore")
                if len(others) >= MIN_ROBUST_PEERS:
                    result[index] = float(others.median())
    return result


def _top(frame: pd.DataFrame, min_sample: pd.Series) -> pd.Series:
    """The value top performers reach: the upper quartile (lower where lower is better) among
    the reps with enough data in the rep's own peer group, or the whole org when the group has
    fewer than four such reps. Deal sizes differ by segment, so an org-wide top would mislead."""
    eligible = frame[frame["n"] >= min_sample]

    def quartile(group: pd.DataFrame, metric: str) -> float:
        if len(group) < 4:
            return np.nan
        q = TOP_QUANTILE if metric_info(metric).higher_is_better else 1 - TOP_QUANTILE
        return float(group["estimate"].quantile(q))

    by_group = {
        (metric, peer): quartile(group, str(metric))
        for (metric, peer), group in eligible.groupby(["metric", "peer_group"])
    }
    by_org = {metric: quartile(group, str(metric)) for metric, group in eligible.groupby("metric")}
    keys = zip(frame["metric"], frame["peer_group"], strict=True)
    return pd.Series(
        [
            value
            if not np.isnan(value := by_group.get(key, np.nan))
            else by_org.get(key[0], np.nan)
            for key in keys
        ],
        index=frame.index,
    )


def _minimums(frame: pd.DataFrame) -> pd.Series:
    return frame["metric"].map(lambda m: metric_info(m).min_sample)


def _compare_rates(measured: Measurements, alpha: pd.DataFrame) -> pd.DataFrame:
    """The estimate is the rep's rate shrunk toward their peers' (beta-binomial), the best
    guess of where they really stand; low/high are the rep's rate as seen against the
    peers': the peer value plus the interval of the difference, at the rep's family level.
    The test does not shrink: a lone outlier among identical peers is exactly the rep whom
    shrinkage would pull back to the crowd."""
    frame = _pools(measured.rates.copy(), measured.reps, ["successes", "trials"])
    frame["n"] = frame["trials"]
    frame["value"] = (frame["successes"] / frame["trials"]).where(frame["trials"] > 0)
    frame["peer_value"] = (frame["peer_successes"] / frame["peer_trials"]).where(
        frame["peer_trials"] > 0
    )
    frame["peer_n"] = frame["peer_trials"]
    frame["team_value"] = frame["team_successes"] / frame["team_trials"].replace(0, np.nan)
    for prefix, level in (("", LEVEL), ("test_", _levels(frame, alpha))):
        own_low, own_high = wilson_interval(frame["successes"], frame["trials"], level)
        peer_low, peer_high = wilson_interval(frame["peer_successes"], frame["peer_trials"], level)
        low, high = difference_interval(
            frame["value"], own_low, own_high, frame["peer_value"], peer_low, peer_high
        )
        frame[f"{prefix}low"] = (frame["peer_value"] + low).clip(0, 1)
        frame[f"{prefix}high"] = (frame["peer_value"] + high).clip(0, 1)
    frame = _shrunk(frame, "successes", "trials", 1, fit_beta_strength, beta_posterior)
    return _judged(frame, rate_like=True)


def _compare_per_week(measured: Measurements, alpha: pd.DataFrame) -> pd.DataFrame:
    """As for rates, with Poisson counts per week: a gamma-Poisson shrunk estimate, and the
    difference to the peers from each side's Jeffreys interval."""
    frame = _pools(measured.per_week.copy(), measured.reps, ["count", "weeks"])
    frame["n"] = frame["weeks"]
    frame["value"] = frame["count"] / frame["weeks"].replace(0, np.nan)
    frame["peer_value"] = frame["peer_count"] / frame["peer_weeks"].replace(0, np.nan)
    frame["peer_n"] = frame["peer_weeks"]
    frame["team_value"] = frame["team_count"] / frame["team_weeks"].replace(0, np.nan)
    for prefix, level in (("", LEVEL), ("test_", _levels(frame, alpha))):
        own_low, own_high = poisson_interval(frame["count"], frame["weeks"], level)
        peer_low, peer_high = poisson_interval(frame["peer_count"], frame["peer_weeks"], level)
        low, high = difference_interval(
            frame["value"], own_low, own_high, frame["peer_value"], peer_low, peer_high
        )
        frame[f"{prefix}low"] = frame["peer_value"] + low
        frame[f"{prefix}high"] = frame["peer_value"] + high
    frame = _shrunk(frame, "count", "weeks", 1e-9, fit_gamma_strength, gamma_posterior)
    return _judged(frame, rate_like=False)


def _compare_means(measured: Measurements, alpha: pd.DataFrame) -> pd.DataFrame:
    """Welch comparison of the rep's mean with the peers' mean, from sums and sums of squares.

    low/high bound the rep's mean as seen against the peer mean: peer mean + the interval of
    the difference, so one rule ("high below the peer value") serves every kind of metric.
    """
    frame = _pools(measured.means.copy(), measured.reps, ["n", "total", "total_sq"])
    n1, n2 = frame["n"].astype(float), frame["peer_n"].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        m1 = frame["total"] / n1
        m2 = frame["peer_total"] / n2
        v1 = (frame["total_sq"] - n1 * m1**2) / (n1 - 1)
        v2 = (frame["peer_total_sq"] - n2 * m2**2) / (n2 - 1)
        v1, v2 = v1.clip(lower=0), v2.clip(lower=0)
        se2 = v1 / n1 + v2 / n2
        df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
        degrees = df.fillna(1).clip(lower=1)
        for prefix, level in (("", LEVEL), ("test_", _levels(frame, alpha))):
            half = sps.t.ppf(0.5 + level / 2, degrees) * np.sqrt(se2)
            frame[f"{prefix}low"] = m1 - half
            frame[f"{prefix}high"] = m1 + half
    frame["value"] = m1
    frame["estimate"] = m1
    frame["peer_value"] = m2.where(n2 >= 2)
    frame["peer_n"] = frame["peer_n"].astype(int)
    frame["team_value"] = frame["team_total"] / frame["team_n"].replace(0, np.nan)
    return _judged(frame, rate_like=False)


def _shrunk(
    frame: pd.DataFrame,
    counts: str,
    exposure: str,
    floor: float,
    fit: Callable[..., float | None],
    posterior: Callable[..., tuple[Any, ...]],
) -> pd.DataFrame:
    """Each rep's estimate, metric by metric, shrunk toward their own peers' value (the
    pooled value where they have no peers) with a prior strength fitted to the metric, so a
    team that is better than the rest of the org does not make its average members look
    weak; the raw value where no prior can be fitted."""
    parts = []
    for _metric, group in frame.groupby("metric", sort=False):
        group = group.copy()
        pooled = group[counts].sum() / max(group[exposure].sum(), floor)
        centre = group["peer_value"].fillna(pooled)
        strength = fit(group[counts], group[exposure], centre)
        if strength is None:
            group["estimate"] = group["value"]
        else:
            group["estimate"] = posterior(centre, strength, group[counts], group[exposure], LEVEL)[
                0
            ]
        parts.append(group)
    return pd.concat(parts)


def _judged(frame: pd.DataFrame, rate_like: bool) -> pd.DataFrame:
    """The top performers' value and the verdicts, once the rep's value is estimated."""
    minimum = _minimums(frame)
    frame["top_value"] = _top(frame, minimum)
    return _verdicts(frame, minimum, rate_like=rate_like)
