"""index activities by deal

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_activities_deal", "activities", ["deal_id"])


def downgrade() -> None:
    op.drop_index("ix_activities_deal", table_name="activities")
