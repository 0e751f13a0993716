"""A workspace's Slack client for work no Slack request started (the API's coaching requests):
with one bot token, the client of the token's own workspace; installed through OAuth, a
client with that workspace's stored token. None where coachbot cannot post."""

from __future__ import annotations

import threading
from collections.abc import Callable

from slack_sdk import WebClient

from bot.config import Settings
from bot.slack.client import make_client
from bot.slack.installs import BotTokens, installation_store
from bot.slack.team import SlackSetupError, whoami
from bot.store.engine import Database


def workspace_clients(settings: Settings, db: Database) -> Callable[[str], WebClient | None]:
    if settings.oauth:
        tokens = BotTokens(installation_store(settings, db.engine), settings)

        def installed(team_id: str) -> WebClient | None:
            token = tokens(team_id)
            return None if token is None else make_client(settings, token)

        return installed
    token_team: list[str] = []  # asked of Slack once, on first use
    lock = threading.Lock()

    def single(team_id: str) -> WebClient | None:
        if not settings.slack_bot_token:
            return None
        with lock:
            if not token_team:
                try:
                    token_team.append(whoami(settings).team_id)
                except SlackSetupError:
                    return None
        return make_client(settings) if team_id == token_team[0] else None

    return single
