"""Each rep against their peer group, their team and the top performers, metric by metric,
with a verdict only where the evidence is credible. Pure and vectorised over reps."""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd
from scipy import stats as sps

from bot.analytics import catalog as c
from bot.analytics.metrics import Measurements, peer_sums
from bot.analytics.stats import (
    beta_posterior,
    fit_beta_strength,
    fit_gamma_strength,
    gamma_posterior,
    wilson_interval,
)

LEVEL = 0.90  # central interval: a verdict needs 95% one-sided certainty
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
    frames = [
        compare_kind(measured)
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
    frame = frame.join(reps[["team", "peer_group"]], on="rep_id")
    frame["team"] = frame["team"].fillna("(no team)")
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
    higher = frame["metric"].map(lambda m: metric_info(m).higher_is_better).astype(bool)
    peer = frame["peer_value"]
    if rate_like:
        effect = pd.Series(MIN_RATE_EFFECT, index=frame.index)
    else:
        effect = (peer.abs() * MIN_RELATIVE_EFFECT).fillna(np.inf)
    below = (frame["high"] < peer) & (peer - frame["estimate"] >= effect)
    above = (frame["low"] > peer) & (frame["estimate"] - peer >= effect)
    gap = np.where(higher, below, above)
    strength = np.where(higher, above, below)
    enough = (frame["n"] >= min_sample) & peer.notna()
    frame["verdict"] = np.select(
        [~enough, gap, strength],
        [Verdict.NOT_ENOUGH_DATA, Verdict.GAP, Verdict.STRENGTH],
        default=Verdict.IN_LINE,
    )
    shortfall = np.where(higher, peer - frame["high"], frame["low"] - peer)
    frame["shortfall"] = np.where(frame["verdict"] == Verdict.GAP, shortfall, 0.0)
    return frame


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


def _compare_rates(measured: Measurements) -> pd.DataFrame:
    frame = _pools(measured.rates.copy(), measured.reps, ["successes", "trials"])
    frame["n"] = frame["trials"]
    frame["value"] = (frame["successes"] / frame["trials"]).where(frame["trials"] > 0)
    frame["peer_value"] = (frame["peer_successes"] / frame["peer_trials"]).where(
        frame["peer_trials"] > 0
    )
    frame["peer_n"] = frame["peer_trials"]
    frame["team_value"] = frame["team_successes"] / frame["team_trials"].replace(0, np.nan)
    parts = []
    for _metric, group in frame.groupby("metric", sort=False):
        group = group.copy()
        # Each rep is shrunk toward their own peers' rate, so a team that is better than the
        # rest of the org does not make its average members look weak.
        pooled = group["successes"].sum() / max(group["trials"].sum(), 1)
        centre = group["peer_value"].fillna(pooled)
        strength = fit_beta_strength(group["successes"], group["trials"], centre)
        if strength is None:
            low, high = wilson_interval(group["successes"], group["trials"], LEVEL)
            group["estimate"], group["low"], group["high"] = group["value"], low, high
        else:
            estimate, low, high = beta_posterior(
                centre, strength, group["successes"], group["trials"], LEVEL
            )
            group["estimate"], group["low"], group["high"] = estimate, low, high
        parts.append(group)
    frame = pd.concat(parts)
    minimum = _minimums(frame)
    frame["top_value"] = _top(frame, minimum)
    return _verdicts(frame, minimum, rate_like=True)


def _compare_per_week(measured: Measurements) -> pd.DataFrame:
    frame = _pools(measured.per_week.copy(), measured.reps, ["count", "weeks"])
    frame["n"] = frame["weeks"]
    frame["value"] = frame["count"] / frame["weeks"].replace(0, np.nan)
    frame["peer_value"] = frame["peer_count"] / frame["peer_weeks"].replace(0, np.nan)
    frame["peer_n"] = frame["peer_weeks"]
    frame["team_value"] = frame["team_count"] / frame["team_weeks"].replace(0, np.nan)
    parts = []
    for _metric, group in frame.groupby("metric", sort=False):
        group = group.copy()
        pooled = group["count"].sum() / max(group["weeks"].sum(), 1e-9)
        centre = group["peer_value"].fillna(pooled)
        strength = fit_gamma_strength(group["count"], group["weeks"], centre)
        if strength is None:
            # Too few reps to learn a prior: the rep's own Poisson interval (Jeffreys).
            shape = group["count"] + 0.5
            scale = 1 / group["weeks"].replace(0, np.nan)
            group["estimate"] = group["value"]
            group["low"] = sps.gamma.ppf((1 - LEVEL) / 2, shape, scale=scale)
            group["high"] = sps.gamma.ppf(0.5 + LEVEL / 2, shape, scale=scale)
        else:
            estimate, low, high = gamma_posterior(
                centre, strength, group["count"], group["weeks"], LEVEL
            )
            group["estimate"], group["low"], group["high"] = estimate, low, high
        parts.append(group)
    frame = pd.concat(parts)
    minimum = _minimums(frame)
    frame["top_value"] = _top(frame, minimum)
    return _verdicts(frame, minimum, rate_like=False)


def _compare_means(measured: Measurements) -> pd.DataFrame:
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
        t = sps.t.ppf(0.5 + LEVEL / 2, df.fillna(1).clip(lower=1))
        half = t * np.sqrt(se2)
    frame["value"] = m1
    frame["estimate"] = m1
    frame["peer_value"] = m2.where(n2 >= 2)
    frame["low"] = m2 + (m1 - m2) - half
    frame["high"] = m2 + (m1 - m2) + half
    frame["peer_n"] = frame["peer_n"].astype(int)
    frame["team_value"] = frame["team_total"] / frame["team_n"].replace(0, np.nan)
    minimum = _minimums(frame)
    frame["top_value"] = _top(frame, minimum)
    return _verdicts(frame, minimum, rate_like=False)
