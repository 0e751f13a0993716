"""What coachbot keeps for the systems beside it: their API keys and request allowance, the
results of idempotent requests, the benchmarks and targets they send, the coaching requests
a process coach files, and the webhooks coachbot calls back with their events and
deliveries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base, UTCDateTime
from bot.store.models.columns import one_of
from bot.vocabulary import (
    API_SCOPES,
    BENCHMARK_KINDS,
    BENCHMARK_SCOPES,
    COACHING_REQUEST_STATUSES,
    WEBHOOK_DELIVERY_STATUSES,
)


class ApiKey(Base):
    """A neighbouring system's key to one workspace. Only a hash of the key is kept: the key
    itself is shown once, when it is created. `prefix` (not secret) finds the row and names
    the key in listings and logs."""

    __tablename__ = "api_keys"
    __table_args__ = (
        UniqueConstraint("prefix"),
        CheckConstraint(one_of("scope", API_SCOPES), name="scope"),
        Index("ix_api_keys_workspace", "workspace_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(8))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiRequestWindow(Base):
    """Requests a key made in one fixed window: the counter every web process shares, so a
    key's limit holds however many processes serve it."""

    __tablename__ = "api_request_windows"

    api_key_id: Mapped[int] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True
    )
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    requests: Mapped[int] = mapped_column(Integer)


class IdempotentRequest(Base):
    """A write sent with an Idempotency-Key: claimed while it runs, then its response kept so
    a retry gets the same answer and changes nothing."""

    __tablename__ = "api_idempotent_requests"
    __table_args__ = (
        UniqueConstraint("workspace_id", "idempotency_key"),
        CheckConstraint(one_of("state", ("running", "done")), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(200))  # method and path
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ExternalBenchmark(Base):
    """A benchmark or target another system sends (a forecasting system's win rate for a
    segment, sales operations' activity target for a team), shown beside the peer value."""

    __tablename__ = "external_benchmarks"
    __table_args__ = (
        UniqueConstraint("workspace_id", "kind", "metric", "scope", "scope_value"),
        CheckConstraint(one_of("kind", BENCHMARK_KINDS), name="kind"),
        CheckConstraint(one_of("scope", BENCHMARK_SCOPES), name="scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    metric: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(16))
    # The team's or segment's name; empty for the whole workspace.
    scope_value: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CoachingRequest(Base):
    """A process coach asks for coaching: a rep, a skill and what it saw. It reaches the
    rep's manager in Slack as a suggestion."""

    __tablename__ = "coaching_requests"
    __table_args__ = (
        CheckConstraint(one_of("status", COACHING_REQUEST_STATUSES), name="status"),
        Index("ix_coaching_requests_workspace_status", "workspace_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    skill: Mapped[str] = mapped_column(String(40))
    context: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(100))  # the system that filed it
    deal_external_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Webhook(Base):
    """An endpoint an admin registered for some of a workspace's events. The signing secret
    is kept encrypted with the same keys as Slack's tokens."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    secret_cipher: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookEvent(Base):
    """Something that happened that a neighbouring system may want to hear about, written in
    the same transaction as the change itself (so an event is never lost nor invented)."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_workspace_id", "workspace_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One event to one endpoint: delivered once, retried with back-off until it is or the
    attempts run out. Each endpoint's deliveries are independent of the others'."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        CheckConstraint(one_of("status", WEBHOOK_DELIVERY_STATUSES), name="status"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The lease of the sender that is trying now, so two workers never send one delivery.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
