"""the rep's chart on the App Home: the chart file last shared in their DM

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("home_chart_file_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("home_chart_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("home_chart_alt", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("home_chart_alt")
        batch.drop_column("home_chart_at")
        batch.drop_column("home_chart_file_id")
