"""The CRM picture coachbot works from. Every row belongs to exactly one Slack workspace.

The models live in one module per area; importing this package registers every table on
`Base.metadata` (the Alembic environment relies on that) and exports every model, so callers
import them from `bot.store.models` whichever module defines them.
"""

from __future__ import annotations

from bot.store import slack_tables  # noqa: F401  (slack-sdk's tables, same metadata)
from bot.store.models.api import (
    ApiKey,
    ApiRequestWindow,
    CoachingRequest,
    ExternalBenchmark,
    IdempotentRequest,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from bot.store.models.bookkeeping import Delivery, ListenerFailure, ProcessedEvent
from bot.store.models.coaching import (
    AssessmentSnapshot,
    Checkpoint,
    CoachingPlan,
    CoachingSession,
    PlanVersion,
)
from bot.store.models.columns import MONEY
from bot.store.models.crm import Activity, Deal, Feedback, StageEvent
from bot.store.models.practice import Pairing, PeerGroup, PracticeMark, RoleplaySession
from bot.store.models.workspace import Person, Workspace

__all__ = [
    "MONEY",
    "Activity",
    "ApiKey",
    "ApiRequestWindow",
    "AssessmentSnapshot",
    "Checkpoint",
    "CoachingPlan",
    "CoachingRequest",
    "CoachingSession",
    "Deal",
    "Delivery",
    "ExternalBenchmark",
    "Feedback",
    "IdempotentRequest",
    "ListenerFailure",
    "Pairing",
    "PeerGroup",
    "Person",
    "PlanVersion",
    "PracticeMark",
    "ProcessedEvent",
    "RoleplaySession",
    "StageEvent",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "Workspace",
]
