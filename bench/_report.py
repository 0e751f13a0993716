"""How the benchmarks print what they measured: durations, sizes, percentiles, verdicts."""

from __future__ import annotations

import numpy as np


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def mib(size: float) -> str:
    return f"{size / 2**20:,.0f} MiB"


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile; infinite without samples, so an empty run never meets a goal."""
    return float(np.percentile(values, q)) if values else float("inf")


def spread(values: list[float]) -> str:
    if not values:
        return "no samples"
    p50, p90, p99 = np.percentile(values, [50, 90, 99]).tolist()
    return f"p50 {ms(p50)}, p90 {ms(p90)}, p99 {ms(p99)}, max {ms(max(values))}"


def verdict(met: bool, *, loud: bool = False) -> str:
    """'met' or 'NOT MET' (loud: 'MET' or 'NOT MET')."""
    if met:
        return "MET" if loud else "met"
    return "NOT MET"
