"""A skill's playbook as neighbouring systems read it. Field names are stable: new fields may
be added, none renamed or removed within /api/v1."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Behaviour(BaseModel):
    label: str
    top: float = Field(description="The top performers' value, pooled")
    others: float = Field(description="Everyone else's value, pooled")
    unit: str = Field(description="`pct` (0–1), `money`, `days`, `per_week`, `points`, `count`")
    top_n: int
    others_n: int
    basis: str = Field(description="What top_n and others_n count, e.g. `deals`, `reps`")
    note: str = Field(description="What the difference means for a rep")


class ExemplarCall(BaseModel):
    url: str = Field(description="The recording of a top performer's won deal")
    account: str | None
    details: list[str] = Field(description="Product and industry, as the CRM has them")
    amount: float | None
    won_on: date | None


class Playbook(BaseModel):
    skill: str
    name: str
    as_of: date
    window_days: int = Field(description="Deals closed in this many days before as_of")
    selected_by: str = Field(
        description="`strength`: top performers are the reps assessed strong in the skill; "
        "`win_rate`: fewer than two are, so the highest win rates"
    )
    top_reps: int
    other_reps: int
    behaviours: list[Behaviour] = Field(description="Where the top performers differ")
    exemplar_calls: list[ExemplarCall] = Field(description="Newest first")
    summary: str = Field(description="What good looks like")
    tips: list[str]
    exercise: str
    markdown: str = Field(description="The playbook as `coachbot playbook SKILL` writes it")
