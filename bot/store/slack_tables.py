"""The tables slack-sdk's SQLAlchemy installation and OAuth state stores read and write, owned
by our migrations so their schema is versioned with everything else. Same columns as
slack-sdk 3.x builds, except that token columns are Text: they hold ciphertext (see
bot/slack/installs.py), which is longer than a token."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
    func,
)

from bot.store.base import Base

INSTALLATIONS = "slack_installations"
BOTS = "slack_bots"
OAUTH_STATES = "slack_oauth_states"


def _identity_and_bot() -> list[Column]:
    """Columns the installation and bot tables share: who installed where, and the bot."""
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("client_id", String(32), nullable=False),
        Column("app_id", String(32), nullable=False),
        Column("enterprise_id", String(32)),
        Column("enterprise_name", String(200)),
        Column("team_id", String(32)),
        Column("team_name", String(200)),
        Column("bot_token", Text),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", Text),
        Column("bot_token_expires_at", DateTime),
    ]


def _installed() -> list[Column]:
    return [
        Column("is_enterprise_install", Boolean, nullable=False, server_default=false()),
        Column("installed_at", DateTime, nullable=False, server_default=func.now()),
    ]


installations = Table(
    INSTALLATIONS,
    Base.metadata,
    *_identity_and_bot(),
    Column("enterprise_url", String(200)),
    Column("user_id", String(32), nullable=False),
    Column("user_token", Text),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", Text),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", Text),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("token_type", String(32)),
    *_installed(),
    Index(
        f"{INSTALLATIONS}_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"
    ),
)

bots = Table(
    BOTS,
    Base.metadata,
    *_identity_and_bot(),
    *_installed(),
    Index(f"{BOTS}_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

oauth_states = Table(
    OAUTH_STATES,
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
