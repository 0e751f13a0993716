"""roleplay sessions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roleplay_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'finished', 'stopped', 'abandoned')",
            name=op.f("ck_roleplay_sessions_status"),
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["people.id"],
            name=op.f("fk_roleplay_sessions_rep_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_roleplay_sessions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roleplay_sessions")),
    )
    op.create_index(
        "ix_roleplay_sessions_rep_status", "roleplay_sessions", ["workspace_id", "rep_id", "status"]
    )
    op.create_index(
        "ix_roleplay_sessions_thread", "roleplay_sessions", ["workspace_id", "channel", "thread_ts"]
    )


def downgrade() -> None:
    op.drop_index("ix_roleplay_sessions_thread", table_name="roleplay_sessions")
    op.drop_index("ix_roleplay_sessions_rep_status", table_name="roleplay_sessions")

    op.drop_table("roleplay_sessions")
