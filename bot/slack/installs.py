"""Many workspaces: the OAuth install flow's stores, with every token encrypted at rest.

slack-sdk's SQLAlchemy installation and state stores keep installations in our database
(tables owned by our migrations: bot/store/slack_tables.py). `EncryptedInstallationStore`
sits in front of the installation store: tokens (and the incoming-webhook URL, which is a
credential too) are encrypted with Fernet before a row is written and decrypted after one is
read, so the tables never hold a usable token. COACHBOT_TOKEN_KEYS lists the keys: the first
encrypts, any of them decrypts, so a key can be rotated by putting a new one in front.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from datetime import datetime
from logging import Logger
from typing import TypeVar

from slack_bolt import BoltResponse
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, select

from bot.clock import Clock
from bot.config import Settings
from bot.store.cipher import TokenCipher
from bot.store.engine import Database
from bot.store.models import Workspace
from bot.store.slack_tables import BOTS, INSTALLATIONS, OAUTH_STATES, bots
from bot.store.workspaces import workspace_id_for

logger = logging.getLogger("coachbot.installs")
SECRET_FIELDS = (
    "bot_token",
    "bot_refresh_token",
    "user_token",
    "user_refresh_token",
    "incoming_webhook_url",
)
STATE_SECONDS = 600  # how long an "Add to Slack" link stays valid
ROTATE_MINUTES_BEFORE_EXPIRY = 120
# What the app asks each workspace for: exactly the manifest's bot scopes (a test keeps the
# two, and the code's calls, in step).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "im:history",
    "users:read",
    "users:read.email",
    "files:write",
    "files:read",
)

Stored = TypeVar("Stored", Bot, Installation)


class EncryptedInstallationStore(InstallationStore):
    """Encrypts on the way in, decrypts on the way out; the inner store sees ciphertext only."""

    def __init__(self, inner: InstallationStore, cipher: TokenCipher) -> None:
        self.inner = inner
        self.cipher = cipher

    @property
    def logger(self) -> Logger:
        return logger

    def save(self, installation: Installation) -> None:
        self.inner.save(self._sealed(installation, self.cipher.encrypt))

    def save_bot(self, bot: Bot) -> None:
        self.inner.save_bot(self._sealed(bot, self.cipher.encrypt))

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = self.inner.find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return None if found is None else self._sealed(found, self.cipher.decrypt)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = self.inner.find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return None if found is None else self._sealed(found, self.cipher.decrypt)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.inner.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        self.inner.delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )

    @staticmethod
    def _sealed(stored: Stored, transform: Callable[[str], str]) -> Stored:
        changed = copy.copy(stored)
        for name in SECRET_FIELDS:
            value = getattr(changed, name, None)
            if value:
                setattr(changed, name, transform(value))
        return changed


def oauth_settings(
    settings: Settings, db: Database, store: EncryptedInstallationStore, clock: Clock
) -> OAuthSettings:
    """Bolt's install flow: /slack/install shows "Add to Slack", /slack/oauth_redirect takes
    Slack's answer, stores the installation (encrypted) and opens the workspace."""

    def installed(args: SuccessArgs) -> BoltResponse:
        team_id = args.installation.team_id
        if team_id:
            with db.begin() as session:
                workspace_id = workspace_id_for(session, team_id, clock.now())
                workspace = session.get(Workspace, workspace_id)
                if workspace is not None and args.installation.team_name:
                    workspace.name = args.installation.team_name
            logger.info("workspace %s installed coachbot", team_id)
            _welcome_installer(settings, db, args, clock.now())
        return args.default.success(args)

    def failed(args: FailureArgs) -> BoltResponse:
        logger.warning("an install did not complete: %s", args.reason)
        return args.default.failure(args)

    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.slack_redirect_uri,
        installation_store=store,
        state_store=state_store(db.engine),
        callback_options=CallbackOptions(success=installed, failure=failed),
    )


def _welcome_installer(settings: Settings, db: Database, args: SuccessArgs, now: datetime) -> None:
    """The person who installed coachbot gets the setup DM (once, even on a reinstall)."""
    from bot.services.setup_messages import send_setup
    from bot.slack.client import make_client

    installation = args.installation
    if not (installation.user_id and installation.bot_token and installation.team_id):
        return
    try:
        send_setup(
            db,
            make_client(settings, installation.bot_token),
            installation.team_id,
            installation.team_name,
            [installation.user_id],
            now,
        )
    except Exception:  # the install itself succeeded: a failed DM must not undo it
        logger.exception("setup DM to the installer of %s not sent", installation.team_id)


def installation_store(settings: Settings, engine: Engine) -> EncryptedInstallationStore:
    assert settings.slack_client_id is not None
    inner = SQLAlchemyInstallationStore(
        client_id=settings.slack_client_id,
        engine=engine,
        bots_table_name=BOTS,
        installations_table_name=INSTALLATIONS,
        logger=logging.getLogger("coachbot.installs.store"),
    )
    return EncryptedInstallationStore(inner, TokenCipher(settings.token_keys))


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    return SQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_SECONDS,
        engine=engine,
        table_name=OAUTH_STATES,
        logger=logging.getLogger("coachbot.installs.state"),
    )


def installed_teams(engine: Engine, settings: Settings) -> list[str]:
    """Team ids with a bot installed (uninstalled workspaces have none)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(bots.c.team_id)
            .where(bots.c.client_id == settings.slack_client_id, bots.c.team_id.is_not(None))
            .distinct()
        )
        return sorted(str(team) for (team,) in rows)


class BotTokens:
    """A workspace's current bot token for jobs, which have no request to authorize them:
    rotated first when it is about to expire (if the app uses token rotation), and the
    rotated installation stored (encrypted) again, as Bolt does for requests."""

    def __init__(self, store: EncryptedInstallationStore, settings: Settings) -> None:
        assert settings.slack_client_id and settings.slack_client_secret
        self.store = store
        self.rotator = TokenRotator(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            client=WebClient(base_url=settings.slack_api_url),
        )

    def __call__(self, team_id: str) -> str | None:
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:  # never installed, uninstalled, or its bot token revoked
            return None
        installation = self.store.find_installation(enterprise_id=None, team_id=team_id)
        if installation is None:
            return bot.bot_token
        if installation.bot_refresh_token:
            rotated = self.rotator.perform_token_rotation(
                installation=installation,
                minutes_before_expiration=ROTATE_MINUTES_BEFORE_EXPIRY,
            )
            if rotated is not None:
                self.store.save(rotated)
                installation = rotated
        return installation.bot_token
