"""The team development report as neighbouring systems read it. Field names are stable: new
fields may be added, none renamed or removed within /api/v1."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from bot.api.schemas.common import Strict


class DevelopmentQuery(Strict):
    team: str | None = Field(
        None, description="Only this team (as in the people import); no match: no teams"
    )


class SkillEffect(BaseModel):
    metric: str = Field(description="The objectives' metric, e.g. `win_rate`")
    label: str
    unit: str = Field(description="`pct` (0–1), `money`, `days` or `count`")
    effect: float = Field(
        description="Mean change of the coached reps minus that of comparable uncoached "
        "reps over the same weeks; positive is always an improvement"
    )
    interval: tuple[float, float] = Field(
        description="90% interval of the effect: the mean of the objectives' interval ends, "
        "which holds however much their comparison groups overlap"
    )
    credible: bool = Field(description="The interval is clear of zero")
    objectives: int = Field(description="Plan objectives on this metric that were measured")
    comparison_reps: int = Field(description="The smallest comparison group among them")


class SkillRow(BaseModel):
    skill: str
    reps_with_gap: int = Field(
        description="Active reps whose current assessment has this skill as a gap"
    )
    revenue_at_stake: float = Field(description="Sum over those gaps, per quarter")
    plans_in_progress: int = Field(
        description="Active (approved) plans with an objective on this skill"
    )
    effect_so_far: list[SkillEffect] | None = Field(
        description="What coaching on this skill has done so far in this team, one entry per "
        "metric its plans' objectives target (most objectives first), from GET "
        "/effectiveness; null when nothing is measurable yet (a plan needs two weeks and "
        "two comparable uncoached reps)"
    )


class TeamRow(BaseModel):
    team: str | None = Field(description="The team; null for reps without one")
    reps: int = Field(description="Active reps in the team")
    assessed_reps: int = Field(description="Of those, reps with enough closed deals to assess")
    skills: list[SkillRow] = Field(
        description="All eight skills, the most revenue at stake first, then the most reps "
        "with the gap"
    )


class DevelopmentReport(BaseModel):
    as_of: date
    teams: list[TeamRow] = Field(description="By team name; reps without a team last")
