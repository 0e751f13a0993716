"""Coaching over time: assessment snapshots, and the plans drafted from them with their
versions, 30/60/90-day checkpoints and the sessions spent coaching."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
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
from bot.store.models.columns import MONEY, one_of


class AssessmentSnapshot(Base):
    """A rep's assessment as of one date, kept so history and checkpoints can compare."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("workspace_id", "person_id", "as_of", "window_days"),
        Index("ix_assessments_person_as_of", "person_id", "as_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    as_of: Mapped[date] = mapped_column(Date)
    window_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    closed_deals: Mapped[int] = mapped_column(Integer)
    win_rate: Mapped[float | None] = mapped_column(Float)
    revenue_at_stake: Mapped[Decimal] = mapped_column(MONEY)
    top_gap: Mapped[str | None] = mapped_column(String(64))
    trend: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The workspace's crm_version the assessment was computed from: current while they match.
    crm_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CoachingPlan(Base):
    """A rep's coaching plan: drafted by coachbot, approved by the manager, then followed at
    30, 60 and 90 days. The objectives live in versions; `version` points at the current one."""

    __tablename__ = "coaching_plans"
    __table_args__ = (
        CheckConstraint(
            one_of("status", ("draft", "active", "graduated", "replanned", "closed")), name="status"
        ),
        Index("ix_coaching_plans_rep_status", "workspace_id", "rep_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    drafted_on: Mapped[date] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlanVersion(Base):
    """What a plan says at one version: objectives (metric, baseline, target, deadline,
    approach), cadence and rationale. Edits add a version; nothing is overwritten."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("coaching_plans.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    objectives: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    cadence: Mapped[list[str]] = mapped_column(JSON)
    rationale: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Checkpoint(Base):
    """A 30/60/90-day review: what coachbot measured and proposed, and what the manager
    decided."""

    __tablename__ = "checkpoints"
    __table_args__ = (
        UniqueConstraint("plan_id", "day"),
        CheckConstraint(
            "decision IS NULL OR "
            + one_of("decision", ("graduate", "continue", "intensify", "replan")),
            name="decision",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("coaching_plans.id", ondelete="CASCADE"))
    day: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    review: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(16))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    manager_decision: Mapped[str | None] = mapped_column(String(16))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CoachingSession(Base):
    """Time spent coaching on a plan: the cost side of the return on coaching."""

    __tablename__ = "coaching_sessions"
    __table_args__ = (
        CheckConstraint(
            one_of("kind", ("one_on_one", "roleplay", "observation", "mentoring", "training")),
            name="kind",
        ),
        CheckConstraint("minutes > 0", name="minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("coaching_plans.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date)
    logged_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
