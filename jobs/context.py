"""What every job gets: settings, the database, a Slack (or preview) client and the time."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.coaching.assessment import AssessmentConfig
from bot.config import Settings
from bot.delivery.once import Outcome, Outgoing, deliver_all
from bot.delivery.preview import PreviewClient
from bot.store.engine import Database
from bot.store.models import Workspace


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    db: Database
    client: Any  # a slack_sdk WebClient, or the preview client without a workspace
    now: datetime  # aware, UTC: when the run began
    started: float = field(default_factory=time.monotonic, compare=False, repr=False)
    team_id: str | None = None  # only this workspace (many installed through OAuth)

    @property
    def config(self) -> AssessmentConfig:
        return AssessmentConfig(stages=self.settings.stages)

    def moment(self) -> datetime:
        """The run's clock moving on in real time: `now` plus how long the run has taken.
        A claim on a message is stamped with this, so a long fan-out's claims stay fresh."""
        return self.now + timedelta(seconds=time.monotonic() - self.started)

    @property
    def send_threads(self) -> int:
        """How many messages are built and sent at once. One for the preview, whose page
        keeps the order things were sent in."""
        return 1 if isinstance(self.client, PreviewClient) else self.settings.send_threads

    def deliver(self, workspace_id: int, messages: Sequence[Outgoing]) -> list[Outcome]:
        return deliver_all(
            self.db, self.client, workspace_id, messages, self.moment, self.send_threads
        )

    def local(self, timezone: str | None) -> datetime:
        return self.now.astimezone(ZoneInfo(timezone or self.settings.timezone))

    def workspaces(self) -> list[tuple[int, str]]:
        query = select(Workspace)
        if self.team_id is not None:
            query = query.where(Workspace.team_id == self.team_id)
        with self.db.begin() as session:
            return [(w.id, w.team_id) for w in session.scalars(query)]


@dataclass
class Tally:
    """What a job's deliveries came to, as the one-line summary operators read."""

    name: str
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, status: str) -> None:
        self.counts[status] += 1

    def __str__(self) -> str:
        c = self.counts
        busy = f", {c['busy']} being sent by another run" if c["busy"] else ""
        return (
            f"{self.name}: {c['sent']} sent, {c['skipped']} already sent, "
            f"{c['failed']} failed{busy}"
        )
