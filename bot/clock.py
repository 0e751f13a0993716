"""Time is passed in, never read from the wall in the core: a test can live through 90 days.
The one clock: a `Clock` is injected (listeners: `Deps.clock`; jobs: `JobContext.now`), and
`local` is how every surface turns it into a person's own time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to; for tests and demos."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)


def today(clock: Clock) -> date:
    return clock.now().date()


def iso_week(moment: datetime) -> str:
    """The ISO week a moment falls in, '2026-W48': the period of a weekly message."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def local(moment: datetime, timezone: str) -> datetime:
    """`moment` as a person in `timezone` sees it: a Monday-morning rep in Sydney is not on
    Sunday. Instants are stored in UTC; this is only for deciding when, and for showing."""
    return moment.astimezone(ZoneInfo(timezone))
