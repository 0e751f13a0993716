"""How a rep's profile turns into outcomes: stage-by-stage conversion (with the planted
patterns' effects), the luck that keeps results close to the profile, and where a deal ends."""

from __future__ import annotations

import random
from functools import cache

from bot.demo.patterns import BASE_CONVERSION, RepProfile


def with_odds(p: float, factor: float) -> float:
    """Scale a probability's odds: stays in (0, 1) however large the factor."""
    return p * factor / (1 - p + p * factor)


@cache
def _scale_for_win_rate(odds: tuple[float, ...], target: float) -> float:
    """The common odds factor that makes the whole pipeline convert at `target` (bisection)."""
    low, high = 0.01, 100.0
    for _ in range(50):
        mid = (low * high) ** 0.5
        win = 1.0
        for p, o in zip(BASE_CONVERSION, odds, strict=True):
            win *= with_odds(p, o * mid)
        low, high = (mid, high) if win < target else (low, mid)
    return (low * high) ** 0.5


def conversion(rep: RepProfile, big: bool, progress: float) -> list[float]:
    """Stage-by-stage conversion for one deal; progress runs 0..1 over the history."""
    odds = list(rep.stage_odds)
    if rep.pattern == "single_threaded":
        # One champion is enough for a small deal; a big one dies in the buying committee.
        for i in (2, 3, 4):
            odds[i] *= 0.3 if big else 1.2
    if rep.win_trend:
        first, last = rep.win_trend
        target = round(first + (last - first) * progress, 3)
        factor = _scale_for_win_rate(tuple(odds), target)
        odds = [o * factor for o in odds]
    return [with_odds(p, o) for p, o in zip(BASE_CONVERSION, odds, strict=True)]


class Luck:
    """Uniform draws in shuffled blocks of ten, one per decile. A rep's results then track
    their profile closely: ordinary reps do not look like outliers by chance, and planted
    patterns stay clear in a 90-day window."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._block: list[float] = []

    def draw(self) -> float:
        if not self._block:
            self._block = [(decile + self._rng.random()) / 10 for decile in range(10)]
            self._rng.shuffle(self._block)
        return self._block.pop()


def walk(probs: list[float], last: int, u: float) -> tuple[int, bool]:
    """Where a deal ends (furthest stage, won?) from one uniform draw: u below the chance of
    passing every stage up to `last` wins; above it, u picks the stage the deal died in."""
    passed_all = 1.0
    for p in probs[: last + 1]:
        passed_all *= p
    if u < passed_all:
        return last, True
    cumulative, reach = passed_all, 1.0
    for stage in range(last + 1):
        cumulative += reach * (1 - probs[stage])
        if u < cumulative:
            return stage, False
        reach *= probs[stage]
    return last, False  # only reached through rounding
