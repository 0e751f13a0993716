"""Did coaching work, as neighbouring systems read it. Field names are stable: new fields may
be added, none renamed or removed within /api/v1."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class ObjectiveEffect(BaseModel):
    skill: str
    metric: str
    label: str
    unit: str = Field(description="`pct` (0–1), `money`, `days` or `count`")
    baseline: float | None = Field(description="The rep's value in the 90 days before the plan")
    current: float | None = Field(description="The rep's value since the plan started")
    target: float
    met: bool = Field(description="The current value reaches the target")
    coached_change: float | None = Field(description="The rep's change; positive is an improvement")
    comparison_change: float | None = Field(
        description="The mean change of comparable uncoached reps over the same weeks"
    )
    effect: float | None = Field(
        description="Coached change minus comparison change (difference-in-differences); "
        "null without two comparable uncoached reps with enough deals"
    )
    interval: tuple[float, float] | None = Field(description="90% interval of the effect")
    credible: bool = Field(description="The interval is clear of zero")
    comparison_reps: int
    explanation: str


class PlanEffect(BaseModel):
    plan_id: int
    rep_email: str | None
    rep_name: str
    team: str | None
    status: str
    started_on: date
    days: int = Field(description="Days measured since the plan started (at most 90)")
    hours: float = Field(description="Coaching time logged on the plan")
    objectives: list[ObjectiveEffect]
    attributable_revenue: float | None = Field(
        description="Revenue the objectives' effects are worth over the plan's weeks; null "
        "when no objective has a revenue model and a comparison group"
    )
    revenue_interval: tuple[float, float] | None = Field(description="90% interval")
    cost: float = Field(description="Hours times the hourly cost of coaching")
    roi: float | None = Field(description="(attributable revenue − cost) / cost")
    explanation: str


class EffectivenessReport(BaseModel):
    as_of: date
    hourly_cost: float = Field(description="The install's cost of an hour of coaching")
    attainment: float | None = Field(description="Share of objectives met (0–1)")
    attributable_revenue: float | None = Field(description="Sum over the plans")
    revenue_interval: tuple[float, float] | None = Field(
        description="Sum of the plans' 90% interval ends: wider than the exact one, cautious"
    )
    coaching_cost: float
    roi: float | None = Field(description="Return on coaching over every plan")
    plans: list[PlanEffect] = Field(
        description="Every plan running for two weeks or more, graduated and closed ones too"
    )
