"""What coachbot records about its own work so it acts once and can be asked later: messages
sent, requests already handled, and listener failures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base, UTCDateTime
from bot.store.models.columns import one_of


class Delivery(Base):
    """One message a job sends, under a unique key (kind, recipient, period): a job that is
    retried, restarted or triggered twice finds the key taken and does not send again."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("workspace_id", "kind", "recipient", "period"),
        CheckConstraint(one_of("status", ("sending", "sent", "failed")), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The lease: when the current claim began, and how many claims there have been (the
    # counter makes taking over a dead sender's claim a compare-and-set).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claims: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ProcessedEvent(Base):
    """Requests already handled, by key (`bot/store/handled.py`): an event's id (Slack retries
    one it thinks we missed), a hash of a button click, or of a submitted form (its key
    written with what the form saved). A repeat must not act twice."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ListenerFailure(Base):
    """A Slack request whose listener failed: what an operator looks up by the reference the
    user was given. Forgotten after a while by the nightly job."""

    __tablename__ = "listener_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), index=True)
    team_id: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(String(300))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
