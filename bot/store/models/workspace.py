"""Who is who: the Slack workspaces one database serves, and the people in each (reps,
managers, admins) with what the Slack directory sync and the people themselves set."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.base import Base, UTCDateTime
from bot.store.models.columns import one_of


class Workspace(Base):
    """A Slack workspace (team). One database may serve several; nothing crosses between them."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Counts changes to the CRM data (each CSV import, each API write): an assessment
    # snapshot computed from an earlier version is stale, and the next read assesses again.
    crm_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("workspace_id", "email"),
        CheckConstraint(one_of("role", ("rep", "manager", "admin")), name="role"),
        Index("ix_people_workspace_slack", "workspace_id", "slack_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    team: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100))
    segment: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    hire_date: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(default=True)
    # The person's weekly message (a rep's Monday nudge, a manager's Friday digest), paused
    # by them (/coach pause, the Home tab); never touched by a CRM import.
    nudges_paused: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set by the rep in Slack: not to be invited as a mentor. Imports never touch it.
    mentor_opt_out: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set by the rep on the Home tab: not to be put in peer learning groups.
    peer_groups_opt_out: Mapped[bool] = mapped_column(default=False, server_default=false())
    # "Snooze" on a nudge, or "pause until" on the Home tab: no weekly message before this.
    nudges_snoozed_until: Mapped[date | None] = mapped_column(Date)
    # The Slack directory sync (bot/services/directory.py): when this person was last looked
    # up, and whether Slack says their account is deactivated. Imports never touch either.
    slack_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slack_deactivated: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The rep's own trend chart, as last shared in their DM with coachbot: the App Home shows
    # that file (Slack shows a file only to people it was shared with, so never one sent to a
    # manager). Set by coachbot when it uploads; imports never touch it.
    home_chart_file_id: Mapped[str | None] = mapped_column(String(32))
    home_chart_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    home_chart_alt: Mapped[str | None] = mapped_column(Text)  # what the picture shows, in words
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    manager: Mapped[Person | None] = relationship(remote_side=[id])
