"""Coaching plans as neighbouring systems read them. Field names are stable: new fields may
be added, none renamed or removed within /api/v1."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from bot.api.schemas.common import ChangedSinceQuery, Page

# As the coaching_plans table's check constraint has them.
PlanStatus = Literal["draft", "active", "graduated", "replanned", "closed"]


class PlanQuery(ChangedSinceQuery):
    status: PlanStatus | None = Field(None, description="Only plans with this status")
    rep: str | None = Field(None, description="Only this rep's plans (their work email)")


class PlanPath(BaseModel):
    plan_id: int = Field(description="The plan's `id`")


class Objective(BaseModel):
    skill: str
    metric: str = Field(description="e.g. `conversion:discovery>qualification`, `win_rate`")
    label: str
    unit: str = Field(description="`pct` (0–1), `money`, `days` or `count`")
    higher_is_better: bool
    baseline: float = Field(description="The rep's value when the plan was drafted")
    baseline_n: float = Field(description="The sample the baseline was measured on")
    benchmark: float = Field(description="The peer group's value")
    target: float = Field(description="Half-way to the benchmark unless the manager edited it")
    deadline: date
    approach: list[str] = Field(
        description="How it is coached, most effective first: `practice`, `feedback`, "
        "`observation`, `mentoring`, `training`"
    )
    leading_indicator: str = Field(description="What the rep controls week to week")
    statement: str = Field(description="The objective in one sentence")


class Measured(BaseModel):
    metric: str | None = Field(description="The objective's metric (null if since removed)")
    label: str
    unit: str
    baseline: float
    target: float
    value: float | None = Field(description="Measured since the plan started")
    sample_size: float
    interval: tuple[float, float] | None = Field(description="90% interval of the value")
    progress: float | None = Field(description="0 at the baseline, 1 at the target")
    standing: str = Field(
        description="`met`, `on_track`, `behind`, `no_progress`, `not_yet_clear` or "
        "`not_enough_data`"
    )


class PlanCheckpoint(BaseModel):
    day: int = Field(description="30, 60 or 90 (then 120, 150, ... when a plan continues)")
    due_on: date
    decision: str | None = Field(
        description="coachbot's proposal once reviewed: `graduate`, `continue`, `intensify` "
        "or `replan`; null before the review"
    )
    reason: str | None = Field(description="Why coachbot proposes it")
    reviewed_at: datetime | None
    manager_decision: str | None = Field(description="What the manager decided; null until then")
    decided_at: datetime | None
    measured: list[Measured] = Field(description="Each objective at the review; empty before")


class Plan(BaseModel):
    id: int
    rep_email: str | None
    rep_name: str
    manager_email: str | None
    status: str = Field(description="`draft`, `active`, `graduated`, `replanned` or `closed`")
    version: int = Field(description="Edits make a new version; this is the current one")
    drafted_on: date
    started_on: date | None = Field(description="The day the manager approved it")
    approved_at: datetime | None
    closed_on: date | None
    updated_at: datetime = Field(
        description="When the plan last changed: drafted, approved, edited, reviewed, decided"
    )
    objectives: list[Objective]
    approach: list[str] = Field(
        description="Every objective's approaches, in the plan's order, without repeats"
    )
    cadence: list[str] = Field(description="The coaching rhythm, e.g. a weekly 1:1")
    rationale: str
    checkpoints: list[PlanCheckpoint] = Field(description="In day order")


class PlanPage(Page):
    data: list[Plan]
