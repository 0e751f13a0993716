"""The CRM picture coachbot works from, as imported: deals, the stages they entered, the
activities logged against them and the feedback people were given."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base, UTCDateTime
from bot.store.models.columns import MONEY, one_of


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        CheckConstraint(one_of("outcome", ("won", "lost", "open")), name="outcome"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index("ix_deals_workspace_owner", "workspace_id", "owner_id"),
        Index("ix_deals_workspace_closed", "workspace_id", "closed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    account: Mapped[str | None] = mapped_column(String(300))
    industry: Mapped[str | None] = mapped_column(String(100))
    segment: Mapped[str | None] = mapped_column(String(100))
    product: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    created_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    furthest_stage: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(8))
    loss_reason: Mapped[str | None] = mapped_column(String(300))
    competitor: Mapped[str | None] = mapped_column(String(200))
    contacts_engaged: Mapped[int | None] = mapped_column(Integer)
    discount_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    recording_url: Mapped[str | None] = mapped_column(String(1000))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StageEvent(Base):
    """A deal entering a stage; where the CRM export has it, it refines stage conversion."""

    __tablename__ = "stage_events"
    __table_args__ = (UniqueConstraint("deal_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(64))
    entered_on: Mapped[date] = mapped_column(Date)


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        CheckConstraint(one_of("kind", ("call", "email", "meeting", "demo")), name="kind"),
        Index("ix_activities_workspace_owner_time", "workspace_id", "owner_id", "occurred_at"),
        # Deleting a deal sets its activities' deal_id to NULL: without this, a full scan.
        Index("ix_activities_deal", "deal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        CheckConstraint(one_of("source", ("manager", "customer", "peer")), name="source"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_feedback_workspace_about", "workspace_id", "about_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    about_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    author: Mapped[str | None] = mapped_column(String(300))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))
    skill: Mapped[str | None] = mapped_column(String(64))
    rating: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    given_on: Mapped[date] = mapped_column(Date)
