"""What every job gets: settings, the database, a Slack (or preview) client and the time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.coaching.assessment import AssessmentConfig
from bot.config import Settings
from bot.store.engine import Database
from bot.store.models import Workspace


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    db: Database
    client: Any  # a slack_sdk WebClient, or the preview client without a workspace
    now: datetime  # aware, UTC

    @property
    def config(self) -> AssessmentConfig:
        return AssessmentConfig(stages=self.settings.stages)

    def local(self, timezone: str | None) -> datetime:
        return self.now.astimezone(ZoneInfo(timezone or self.settings.timezone))

    def workspaces(self) -> list[tuple[int, str]]:
        with self.db.begin() as session:
            return [(w.id, w.team_id) for w in session.scalars(select(Workspace))]


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Tally:
    """What a job's deliveries came to, as the one-line summary operators read."""

    name: str
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, status: str) -> None:
        self.counts[status] += 1

    def __str__(self) -> str:
        c = self.counts
        return f"{self.name}: {c['sent']} sent, {c['skipped']} already sent, {c['failed']} failed"
