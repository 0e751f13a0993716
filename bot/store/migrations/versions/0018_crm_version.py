"""a version of each workspace's CRM data, kept on the assessments computed from it, so an
import or an API write makes the assessments before it stale

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-14
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing snapshots and workspaces both start at 0: what was current stays current.
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("crm_version", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("crm_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("crm_version")
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("crm_version")
