"""The Slack app: build the Bolt app, register every listener, return it. Running it (Socket
Mode or HTTP) is the CLI's business (bot/slack/serve.py)."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

import handlers.actions
import handlers.commands
import handlers.events
import handlers.views
from bot.clock import Clock
from bot.config import Settings
from bot.slack.client import make_client
from bot.slack.deps import Deps
from bot.slack.errors import handle_error
from bot.slack.middleware import provide
from bot.store.engine import Database


def create_app(
    settings: Settings, db: Database, clock: Clock, client: WebClient | None = None
) -> App:
    app = App(
        token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret,
        client=client or make_client(settings),
        logger=logging.getLogger("coachbot.slack"),
    )
    app.use(provide(Deps(db, settings, clock)))
    app.error(handle_error)
    register_all(app)
    return app


def register_all(app: App) -> None:
    handlers.commands.register(app)
    handlers.actions.register(app)
    handlers.views.register(app)
    handlers.events.register(app)
