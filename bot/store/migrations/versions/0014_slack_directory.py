"""people matched to Slack up front: when each was last looked up, and who Slack deactivated

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("slack_checked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("slack_deactivated", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("slack_deactivated")
        batch.drop_column("slack_checked_at")
