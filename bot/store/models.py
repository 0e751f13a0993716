"""The CRM picture coachbot works from. Every row belongs to exactly one Slack workspace."""

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
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store import slack_tables  # noqa: F401  (slack-sdk's tables, same metadata)
from bot.store.base import Base, UTCDateTime

MONEY = Numeric(18, 2)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Workspace(Base):
    """A Slack workspace (team). One database may serve several; nothing crosses between them."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("workspace_id", "email"),
        CheckConstraint(_in("role", ("rep", "manager", "admin")), name="role"),
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


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        CheckConstraint(_in("outcome", ("won", "lost", "open")), name="outcome"),
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
        CheckConstraint(_in("kind", ("call", "email", "meeting", "demo")), name="kind"),
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
        CheckConstraint(_in("source", ("manager", "customer", "peer")), name="source"),
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


class CoachingPlan(Base):
    """A rep's coaching plan: drafted by coachbot, approved by the manager, then followed at
    30, 60 and 90 days. The objectives live in versions; `version` points at the current one."""

    __tablename__ = "coaching_plans"
    __table_args__ = (
        CheckConstraint(
            _in("status", ("draft", "active", "graduated", "replanned", "closed")), name="status"
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
            + _in("decision", ("graduate", "continue", "intensify", "replan")),
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
            _in("kind", ("one_on_one", "roleplay", "observation", "mentoring", "training")),
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


class RoleplaySession(Base):
    """An interactive role-play in a rep's DM thread: scenario, transcript and scores."""

    __tablename__ = "roleplay_sessions"
    __table_args__ = (
        CheckConstraint(
            _in("status", ("active", "finished", "stopped", "abandoned")), name="status"
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
            _in("status", ("invited", "accepted", "declined", "expired", "ended")), name="status"
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


class Delivery(Base):
    """One message a job sends, under a unique key (kind, recipient, period): a job that is
    retried, restarted or triggered twice finds the key taken and does not send again."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("workspace_id", "kind", "recipient", "period"),
        CheckConstraint(_in("status", ("sending", "sent", "failed")), name="status"),
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
