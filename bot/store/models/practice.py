"""Practice beyond the plan: role-plays, mentor pairings, peer learning groups and the
weekly practice actions reps mark done."""

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


class RoleplaySession(Base):
    """An interactive role-play in a rep's DM thread: scenario, transcript and scores."""

    __tablename__ = "roleplay_sessions"
    __table_args__ = (
        CheckConstraint(
            one_of("status", ("active", "finished", "stopped", "abandoned")), name="status"
        ),
        Index("ix_roleplay_sessions_thread", "workspace_id", "channel", "thread_ts"),
        Index("ix_roleplay_sessions_rep_status", "workspace_id", "rep_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    skill: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    scores: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    score: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Pairing(Base):
    """A mentor invited to help a mentee with one skill, and what came of it."""

    __tablename__ = "pairings"
    __table_args__ = (
        CheckConstraint(
            one_of("status", ("invited", "accepted", "declined", "expired", "ended")), name="status"
        ),
        Index("ix_pairings_workspace_status", "workspace_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    skill: Mapped[str] = mapped_column(String(64))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    benefit: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    invited_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PeerGroup(Base):
    """Reps who share a gap, led by someone strong in it, with a monthly topic and exercise."""

    __tablename__ = "peer_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    skill: Mapped[str] = mapped_column(String(64))
    leader_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    member_ids: Mapped[list[int]] = mapped_column(JSON)
    topic: Mapped[str] = mapped_column(Text)
    exercise: Mapped[str] = mapped_column(Text)
    formed_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(default=True)
    channel: Mapped[str | None] = mapped_column(String(32))


class PracticeMark(Base):
    """A rep marked the week's practice action done (the nudge's "Mark done")."""

    __tablename__ = "practice_marks"
    __table_args__ = (UniqueConstraint("person_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(10))  # ISO week, e.g. 2026-W48
    skill: Mapped[str] = mapped_column(String(64))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)
