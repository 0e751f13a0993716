"""What listeners need besides Slack's own arguments, handed to them in Bolt's context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.coaching.assessment import AssessmentConfig
from bot.config import Settings
from bot.render.charts import trend_chart
from bot.store.engine import Database

CONTEXT_KEY = "coachbot"


ChartRenderer = Callable[..., bytes | None]


@dataclass(frozen=True)
class Deps:
    db: Database
    settings: Settings
    clock: Clock
    chart: ChartRenderer = trend_chart  # production draws in a separate process (ChartProcess)

    @property
    def config(self) -> AssessmentConfig:
        return AssessmentConfig(stages=self.settings.stages)

    def today_for(self, timezone: str) -> date:
        """Today as the person sees it: a Monday-morning rep in Sydney is not on Sunday."""
        return self.clock.now().astimezone(ZoneInfo(timezone)).date()
