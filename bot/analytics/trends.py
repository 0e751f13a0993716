"""Is a rep getting better? A robust slope of the monthly win rate, with its uncertainty."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from bot.analytics.stats import theil_sen

MIN_PERIODS = 6  # months with enough closed deals before a trend is named
MIN_DEALS_PER_PERIOD = 3  # a month with fewer closed deals says too little to use
# A slope must move the rate at least this much over the periods shown to count.
MIN_TOTAL_CHANGE = 0.05


class Direction(StrEnum):
    IMPROVING = "improving"
    DECLINING = "declining"
    STAGNANT = "stagnant"
    NOT_ENOUGH_DATA = "not_enough_data"


@dataclass(frozen=True)
class TrendResult:
    direction: Direction
    periods: int  # months used
    slope: float | None  # change in win rate per month
    low: float | None
    high: float | None
    series: list[tuple[str, float | None, int]]  # (month, win rate, closed deals)


def win_rate_trend(history: pd.DataFrame) -> TrendResult:
    """Trend of one rep's monthly win rate (`history` rows: month, closed, won, win_rate).

    Theil-Sen slope with a 90% interval over the months with enough closed deals: improving
    when the whole interval is above zero, declining when below, stagnant otherwise.
    """
    series = [
        (str(row.month), None if pd.isna(row.win_rate) else float(row.win_rate), int(row.closed))
        for row in history.itertuples()
    ]
    usable = history["win_rate"].where(history["closed"] >= MIN_DEALS_PER_PERIOD)
    periods = int(usable.notna().sum())
    if periods < MIN_PERIODS:
        return TrendResult(Direction.NOT_ENOUGH_DATA, periods, None, None, None, series)
    fit = theil_sen(usable.to_numpy())
    assert fit is not None
    span = len(usable) - 1
    if fit.low > 0 and fit.slope * span >= MIN_TOTAL_CHANGE:
        direction = Direction.IMPROVING
    elif fit.high < 0 and -fit.slope * span >= MIN_TOTAL_CHANGE:
        direction = Direction.DECLINING
    else:
        direction = Direction.STAGNANT
    return TrendResult(direction, periods, fit.slope, fit.low, fit.high, series)
