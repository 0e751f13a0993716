"""A rep's assessment as neighbouring systems read it. Field names are stable: new fields may
be added, none renamed or removed within /api/v1."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from bot.api.schemas.common import Page


class Evidence(BaseModel):
    kind: str = Field(description="`metric` (a measured comparison) or `feedback`")
    metric: str = Field(description="e.g. `win_rate`, `cycle_days`, `multithreaded_share`")
    label: str
    unit: str = Field(description="`pct` (0–1), `money`, `days` or `count`")
    value: float | None = Field(description="The rep's value")
    benchmark: float | None = Field(description="The peer group's value")
    sample_size: float
    benchmark_sample_size: float | None
    interval: tuple[float, float] | None = Field(
        description="90% interval of the rep's value; a verdict needs it clear of the peers'"
    )
    team_value: float | None
    top_value: float | None = Field(description="The top performers' value")
    verdict: str = Field(description="`gap`, `strength`, `in_line` or `not_enough_data`")
    revenue_at_stake: float = Field(description="Per quarter, conservative")
    notes: list[str] = Field(default_factory=list)
    external: list[ExternalValue] = Field(
        default_factory=list,
        description="Benchmarks and targets other systems sent for this metric (POST /benchmarks)",
    )


class ExternalValue(BaseModel):
    kind: str = Field(description="`benchmark` or `target`")
    value: float
    source: str
    scope: str = Field(description="`workspace`, `team` or `segment`")
    scope_value: str


class Finding(BaseModel):
    skill: str
    revenue_at_stake: float = Field(description="Per quarter, conservative")
    coachability: float = Field(description="0–1: how much coaching tends to move this skill")
    priority: float
    evidence: list[Evidence]
    diagnostic: bool = Field(
        False, description="A win-rate gap nothing in the data explains: where coaching starts"
    )
    diagnosis: str | None = None


class Trend(BaseModel):
    direction: str = Field(description="`improving`, `declining`, `stagnant` or `unknown`")
    periods: int = Field(description="Months used")
    slope: float | None = Field(description="Change in win rate per month")
    low: float | None
    high: float | None


class Headline(BaseModel):
    win_rate: float | None = None
    peer_win_rate: float | None = None
    average_won_deal: float | None = None
    peer_average_won_deal: float | None = None
    cycle_days: float | None = None
    peer_cycle_days: float | None = None
    activities_per_week: float | None = None
    peer_activities_per_week: float | None = None
    won_amount: float | None = None
    pipeline_created: float | None = None
    open_pipeline: float | None = None


class Assessment(BaseModel):
    email: str
    name: str
    team: str | None
    as_of: date
    window_days: int
    status: str = Field(description="`assessed`, or `not_enough_data` below 10 closed deals")
    closed_deals: int
    won_deals: int
    headline: Headline
    gaps: list[Finding] = Field(description="Ranked: the first is where coaching starts")
    strengths: list[Finding]
    trend: Trend
    comparisons: list[Evidence]
    loss_reasons: dict[str, int]
    competitors: dict[str, int]
    revenue_at_stake: float = Field(description="Sum over gaps, an upper bound per quarter")
    assessed_at: datetime | None = Field(None, description="When this assessment was computed")


class AssessmentPage(Page):
    data: list[Assessment]


Evidence.model_rebuild()
