"""What listeners need besides Slack's own arguments, handed to them in Bolt's context."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from bot.clock import Clock, local
from bot.coaching.assessment import AssessmentConfig
from bot.config import Settings
from bot.delivery.once import Outcome, Outgoing, deliver
from bot.render.charts import InlineCharts
from bot.services.assessments import assessment_config
from bot.store.engine import Database

CONTEXT_KEY = "coachbot"


class Charts(Protocol):
    def send(
        self,
        deliver: Callable[[bytes], None],
        series: Sequence[Sequence[object]],
        title: str,
        peer_rate: float | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class Deps:
    db: Database
    settings: Settings
    clock: Clock
    # Production draws charts in a separate process and uploads them in the background.
    charts: Charts = field(default_factory=InlineCharts)

    @property
    def config(self) -> AssessmentConfig:
        return assessment_config(self.settings)

    def today_for(self, timezone: str) -> date:
        """Today as the person sees it: a Monday-morning rep in Sydney is not on Sunday."""
        return local(self.clock.now(), timezone).date()

    def deliver(self, client: Any, workspace_id: int, outgoing: Outgoing | None) -> Outcome | None:
        """A message that a click causes (an introduction, a plan to its rep), sent once per
        key through the delivery log like the jobs' messages: a click Slack re-delivers, or
        one that a crash interrupted, never posts it twice. None when there is nothing to
        send (the recipient is not on Slack)."""
        if outgoing is None:
            return None
        return deliver(self.db, client, workspace_id, outgoing, self.clock.now())
