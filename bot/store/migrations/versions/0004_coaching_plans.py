"""coaching plans

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coaching_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("drafted_on", sa.Date(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'graduated', 'replanned', 'closed')",
            name=op.f("ck_coaching_plans_status"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["people.id"],
            name=op.f("fk_coaching_plans_approved_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["people.id"],
            name=op.f("fk_coaching_plans_manager_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["people.id"],
            name=op.f("fk_coaching_plans_rep_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_coaching_plans_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_plans")),
    )
    op.create_index(
        "ix_coaching_plans_rep_status", "coaching_plans", ["workspace_id", "rep_id", "status"]
    )

    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("review", sa.JSON(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manager_decision", sa.String(length=16), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('graduate', 'continue', 'intensify', 'replan')",
            name=op.f("ck_checkpoints_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"],
            ["people.id"],
            name=op.f("fk_checkpoints_confirmed_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["coaching_plans.id"],
            name=op.f("fk_checkpoints_plan_id_coaching_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoints")),
        sa.UniqueConstraint("plan_id", "day", name=op.f("uq_checkpoints_plan_id_day")),
    )
    op.create_table(
        "coaching_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("logged_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('one_on_one', 'roleplay', 'observation', 'mentoring', 'training')",
            name=op.f("ck_coaching_sessions_kind"),
        ),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_coaching_sessions_minutes_positive")),
        sa.ForeignKeyConstraint(
            ["logged_by"],
            ["people.id"],
            name=op.f("fk_coaching_sessions_logged_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["coaching_plans.id"],
            name=op.f("fk_coaching_sessions_plan_id_coaching_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_sessions")),
    )
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("cadence", sa.JSON(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["people.id"],
            name=op.f("fk_plan_versions_created_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["coaching_plans.id"],
            name=op.f("fk_plan_versions_plan_id_coaching_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint("plan_id", "version", name=op.f("uq_plan_versions_plan_id_version")),
    )


def downgrade() -> None:
    op.drop_table("plan_versions")
    op.drop_table("coaching_sessions")
    op.drop_table("checkpoints")
    op.drop_index("ix_coaching_plans_rep_status", table_name="coaching_plans")

    op.drop_table("coaching_plans")
