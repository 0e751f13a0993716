"""A process coach's coaching request, and how it stands."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from bot.api.schemas.common import Strict
from bot.vocabulary import COACHING_REQUEST_STATUSES, SKILLS

SkillName = StrEnum("SkillName", {name: name for name in SKILLS})  # type: ignore[misc]
RequestStatus = StrEnum("RequestStatus", {name: name for name in COACHING_REQUEST_STATUSES})  # type: ignore[misc]


class CoachingRequestIn(Strict):
    rep: str = Field(max_length=320, description="The rep's work email, as in the people import")
    skill: SkillName = Field(description="The skill the rep needs coaching on")
    context: str = Field(
        min_length=1,
        max_length=2000,
        description="What the process coach saw, shown to the manager as written (plain text)",
    )
    deal_id: str | None = Field(
        None, max_length=200, description="The CRM id of the rep's deal this is about, if any"
    )
    source: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Who asks, as the manager sees it; default: the API key's name",
    )


class RequestPath(BaseModel):
    request_id: int = Field(description="The id POST /coaching-requests answered with")


class CoachingRequestOut(BaseModel):
    id: int
    rep: str = Field(description="The rep's email")
    skill: SkillName
    status: RequestStatus = Field(
        description="`delivered` (the manager has it in Slack), `pending` (waiting for the "
        "manager to be matched to Slack; retried every few minutes) or `undeliverable` "
        "(the rep has no manager in the CRM data)"
    )
    reason: str | None = Field(
        None,
        description="Why it is not delivered yet: `manager_not_on_slack`, `queued` (the manager "
        "is on Slack; the job sends it within minutes) or `no_manager`",
    )
    manager: str | None = Field(None, description="The manager's email")
    created_at: datetime
    delivered_at: datetime | None = None
