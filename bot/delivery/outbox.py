"""Where the CLI and jobs send messages: Slack when a bot token is configured, otherwise the
local preview folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.delivery.preview import PreviewClient
from bot.slack.client import make_sending_client
from bot.store.engine import Database
from bot.store.models import Person

PREVIEW_FOLDER = Path("out/preview")


def sending_client(settings: Settings, db: Database, folder: Path = PREVIEW_FOLDER) -> Any:
    if settings.slack_bot_token:
        return make_sending_client(settings)
    if settings.oauth:
        raise ValueError(
            "installed in many workspaces: send with each workspace's token "
            "(jobs.registry.run_job does)"
        )
    with db.begin() as session:
        names = {
            p.slack_user_id: f"{p.name} ({p.role})"
            for p in session.query(Person).filter(Person.slack_user_id.is_not(None))
        }
    return PreviewClient(folder, names=names)


def finish(client: Any, title: str) -> Path | None:
    """Write the preview page when sending went to the preview; the page's path."""
    return client.write(title) if isinstance(client, PreviewClient) else None
