"""Where the CLI and jobs send messages: Slack when a bot token is configured, otherwise the
local preview folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.delivery.preview import PreviewClient
from bot.render.sentences import sentence
from bot.slack.client import make_sending_client
from bot.slack.installs import BotTokens, installation_store
from bot.store.engine import Database
from bot.store.models import Person

PREVIEW_FOLDER = Path("out/preview")


class SendingUnavailable(Exception):
    """There is no token to send with; the message says what to do instead."""


def sending_client(
    settings: Settings,
    db: Database,
    folder: Path = PREVIEW_FOLDER,
    team_id: str | None = None,
) -> Any:
    """Slack with the bot token (installed through OAuth: `team_id`'s stored token), or
    the local preview when no token is configured."""
    if settings.slack_bot_token:
        return make_sending_client(settings)
    if settings.oauth:
        return make_sending_client(settings, _installed_token(settings, db, team_id))
    with db.begin() as session:
        names = {
            p.slack_user_id: f"{p.name} ({p.role})"
            for p in session.query(Person).filter(Person.slack_user_id.is_not(None))
        }
    return PreviewClient(folder, names=names)


def _installed_token(settings: Settings, db: Database, team_id: str | None) -> str:
    if team_id is None:
        raise SendingUnavailable(sentence("sending_needs_one_workspace"))
    token = BotTokens(installation_store(settings, db.engine), settings)(team_id)
    if token is None:
        raise SendingUnavailable(sentence("workspace_not_installed", team_id=team_id))
    return token


def finish(client: Any, title: str) -> Path | None:
    """Write the preview page when sending went to the preview; the page's path."""
    return client.write(title) if isinstance(client, PreviewClient) else None
