"""The Slack app: build the Bolt app, register every listener, return it. Running it (Socket
Mode or HTTP) is the CLI's business (bot/serve.py)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

import handlers.actions
import handlers.commands
import handlers.events
import handlers.views
from bot.clock import Clock
from bot.config import Settings
from bot.render.charts import InlineCharts
from bot.services.deps import Charts, Deps
from bot.slack.client import make_client
from bot.slack.errors import handle_error
from bot.slack.installs import installation_store, oauth_settings
from bot.slack.middleware import provide
from bot.slack.once import drop_repeats
from bot.slack.slots import WorkSlots
from bot.store.engine import Database

# Threads waiting for a work slot are cheap; what matters is that an ack always finds one.
LISTENER_THREADS = 128


def create_app(
    settings: Settings,
    db: Database,
    clock: Clock,
    client: WebClient | None = None,
    charts: Charts | None = None,
) -> App:
    common: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret,
        "logger": logging.getLogger("coachbot.slack"),
        # Bolt runs the ack on this pool too: with its default of 5 threads, a sixth request
        # waits for an earlier answer to finish before it can even be acknowledged.
        "listener_executor": ThreadPoolExecutor(max_workers=LISTENER_THREADS),
    }
    if settings.oauth:
        # Many workspaces: each request is authorized with its workspace's stored bot token.
        store = installation_store(settings, db.engine)
        app = App(
            client=client or make_client(settings),
            installation_store=store,
            oauth_settings=oauth_settings(settings, db, store, clock),
            **common,
        )
        app.enable_token_revocation_listeners()  # uninstalled or revoked: tokens deleted
    else:
        app = App(token=settings.slack_bot_token, client=client or make_client(settings), **common)
    app.use(provide(Deps(db, settings, clock, charts or InlineCharts())))
    app.use(drop_repeats)
    app.error(handle_error)
    register_all(app, stored_tokens=settings.oauth)
    return app


def register_all(app: App, stored_tokens: bool = False) -> None:
    slots = WorkSlots()
    handlers.commands.register(app, slots)
    handlers.actions.register(app, slots)
    handlers.views.register(app)
    handlers.events.register(app, slots, stored_tokens=stored_tokens)
