"""Benchmarks and targets other systems send, per team, segment or the whole workspace and
metric; assessments show them beside the peer value (Evidence.external)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.api.schemas.common import Page, Strict

MAX_BATCH = 1000


class BenchmarkIn(Strict):
    kind: Literal["benchmark", "target"] = Field(
        description=(
            "`benchmark` (what is typical, e.g. a forecasting system's figure) or `target` "
            "(what is expected)"
        )
    )
    metric: str = Field(
        max_length=40,
        description=(
            "The assessment's metric name: `win_rate`, `deal_size`, `discount`, `cycle_days`, "
            "`multithreaded_share`, `deals_created_per_week`, `activities_per_week`, a stage "
            "conversion `conversion:<from>><to>` along the workspace's stages (the last "
            "stage's is `conversion:<last>>won`) or a loss reason's share `lost_to:<reason>`"
        ),
    )
    scope: Literal["workspace", "team", "segment"] = Field(
        description=(
            "`workspace` (everyone), `team` or `segment`: per metric and kind, a rep is shown "
            "the most specific one that applies (team over segment over workspace)"
        )
    )
    scope_value: str = Field(
        "",
        max_length=200,
        description=(
            "The team's or segment's name exactly as the CRM data spells it (people's team; "
            "people's or deals' segment); empty for the workspace"
        ),
    )
    value: float = Field(
        allow_inf_nan=False,
        description=(
            "In the metric's unit: `pct` metrics (win rate, conversions, shares) as a fraction "
            "0–1; money, days, points and per-week counts as numbers of 0 or more"
        ),
    )
    source: str = Field(
        min_length=1,
        max_length=100,
        description="Who sent it, shown beside the value, e.g. `Sales Ops`",
    )
    valid_from: date | None = Field(None, description="Shown from this date on; null for at once")


class BenchmarkBatch(Strict):
    benchmarks: list[BenchmarkIn] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=(
            "1 to 1,000 benchmarks and targets, written all or nothing; one with the same "
            "kind, metric, scope and scope_value as a stored one replaces it"
        ),
    )


class Benchmark(BenchmarkIn):
    """A stored benchmark or target: what was sent, with its id."""

    model_config = ConfigDict(extra="ignore")

    id: int = Field(description="Pass to DELETE /benchmarks/{benchmark_id}")
    updated_at: datetime = Field(description="When it was last sent")


class BenchmarksWritten(BaseModel):
    data: list[Benchmark] = Field(description="The batch as stored, in the order sent")
    created: int = Field(description="How many were new")
    updated: int = Field(description="How many replaced a stored one with the same key")


class BenchmarkPage(Page):
    data: list[Benchmark]


class BenchmarkPath(BaseModel):
    benchmark_id: int = Field(description="The benchmark's `id`")
