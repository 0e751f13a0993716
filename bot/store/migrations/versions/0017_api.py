"""the API for neighbouring systems: keys, request windows, idempotent requests, external
benchmarks, coaching requests, webhooks with their events and deliveries

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def _workspace() -> sa.Column:
    return sa.Column(
        "workspace_id",
        sa.Integer(),
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_used_at", WHEN, nullable=True),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.UniqueConstraint("prefix"),
        sa.CheckConstraint("scope IN ('read', 'write')", name="scope"),
    )
    op.create_index("ix_api_keys_workspace", "api_keys", ["workspace_id"])
    op.create_table(
        "api_request_windows",
        sa.Column(
            "api_key_id",
            sa.Integer(),
            sa.ForeignKey("api_keys.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("window_start", WHEN, primary_key=True),
        sa.Column("requests", sa.Integer(), nullable=False),
    )
    op.create_table(
        "api_idempotent_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("operation", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.JSON(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("workspace_id", "idempotency_key"),
        sa.CheckConstraint("state IN ('running', 'done')", name="state"),
    )
    op.create_index(
        "ix_api_idempotent_requests_created_at", "api_idempotent_requests", ["created_at"]
    )
    op.create_table(
        "external_benchmarks",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("scope_value", sa.String(200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.UniqueConstraint("workspace_id", "kind", "metric", "scope", "scope_value"),
        sa.CheckConstraint("kind IN ('benchmark', 'target')", name="kind"),
        sa.CheckConstraint("scope IN ('workspace', 'team', 'segment')", name="scope"),
    )
    op.create_table(
        "coaching_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column(
            "person_id",
            sa.Integer(),
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("skill", sa.String(40), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("deal_external_id", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("delivered_at", WHEN, nullable=True),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'undeliverable')", name="status"),
    )
    op.create_index(
        "ix_coaching_requests_workspace_status", "coaching_requests", ["workspace_id", "status"]
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret_cipher", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("disabled_at", WHEN, nullable=True),
    )
    op.create_index("ix_webhooks_workspace_id", "webhooks", ["workspace_id"])
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("occurred_at", WHEN, nullable=False),
    )
    op.create_index("ix_webhook_events_workspace_id", "webhook_events", ["workspace_id", "id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "webhook_id",
            sa.Integer(),
            sa.ForeignKey("webhooks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey("webhook_events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("delivered_at", WHEN, nullable=True),
        sa.Column("claimed_at", WHEN, nullable=True),
        sa.UniqueConstraint("webhook_id", "event_id"),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    for table in (
        "webhook_deliveries",
        "webhook_events",
        "webhooks",
        "coaching_requests",
        "external_benchmarks",
        "api_idempotent_requests",
        "api_request_windows",
        "api_keys",
    ):
        op.drop_table(table)
