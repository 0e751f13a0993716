"""`coachbot serve`: Socket Mode for one workspace without a public URL, or HTTP behind gunicorn
for production (`gunicorn 'bot.serve:application()'` builds one worker's app)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from bot.api.app import build_api
from bot.app import create_app
from bot.clock import SystemClock
from bot.config import Settings, load_settings
from bot.render.charts import BackgroundCharts
from bot.slack.workspace_clients import workspace_clients
from bot.slack.wsgi import StartResponse, web_app
from bot.store import migrate
from bot.store.engine import Database

logger = logging.getLogger("coachbot.serve")


def greet_on_first_start(settings: Settings, db: Database) -> None:
    """One workspace, one token: the admins get the setup DM the first time coachbot starts
    (installed through OAuth, the installer gets it from the install instead)."""
    from bot.services.setup_messages import greet_admins
    from bot.slack.client import make_client
    from bot.slack.team import SlackSetupError, whoami

    if not settings.slack_bot_token:
        return
    try:
        identity = whoami(settings)
        greet_admins(
            db,
            settings,
            make_client(settings),
            identity.team_id,
            identity.team,
            SystemClock().now(),
        )
    except SlackSetupError as problem:
        logger.warning("setup DM not sent: %s", problem)


def serve_socket_mode(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_bolt.error import BoltError

    from bot.app import create_app
    from bot.render.charts import BackgroundCharts

    missing = [
        text
        for value, text in (
            (
                settings.slack_bot_token,
                "SLACK_BOT_TOKEN (xoxb-…: OAuth & Permissions → Bot User OAuth Token)",
            ),
            (
                settings.slack_app_token,
                "SLACK_APP_TOKEN (xapp-…: Basic Information → App-Level "
                "Tokens, with connections:write)",
            ),
        )
        if not value
    ]
    if missing and not settings.oauth:
        raise SystemExit(
            "Socket Mode needs " + " and ".join(missing) + "; or run `coachbot serve --http`. "
            "`coachbot doctor` checks the whole setup."
        )
    if settings.oauth:
        raise SystemExit(
            "installing into many workspaces (SLACK_CLIENT_ID) needs the HTTP endpoint for "
            "Slack's OAuth redirect: run coachbot serve --http"
        )
    db = Database.from_url(settings.database_url)
    migrate.upgrade(db.engine)
    greet_on_first_start(settings, db)
    try:
        app = create_app(settings, db, SystemClock(), charts=BackgroundCharts())
    except BoltError as refused:  # Bolt checks the token with auth.test on start
        raise SystemExit(
            f"Slack refused to start the app: {refused}. `coachbot doctor` says how to fix it."
        ) from refused
    logger.info("coachbot connected by Socket Mode")
    SocketModeHandler(app, settings.slack_app_token).start()


def serve_http(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    """gunicorn with threaded workers; in each, listeners acknowledge at once and then wait
    for a work slot (bot/slack/slots.py), and charts are drawn in a separate process, so
    acks stay fast."""
    from gunicorn.app.base import BaseApplication

    require_http_settings(settings)
    db = Database.from_url(settings.database_url)
    migrate.upgrade(db.engine)
    greet_on_first_start(settings, db)
    db.dispose()  # gunicorn's workers open their own

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 30,
                "graceful_timeout": 20,
                "accesslog": None,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application()

    Server().run()


def application() -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Build the WSGI app from the environment (gunicorn calls this factory once per worker)."""
    settings = load_settings()
    require_http_settings(settings)
    # Migrations run once, before the server forks (coachbot serve), never per worker.
    db = Database.from_url(settings.database_url)
    clock = SystemClock()
    app = create_app(settings, db, clock, charts=BackgroundCharts())
    api = build_api(settings, db, clock, workspace_clients(settings, db))
    return web_app(app, settings.slack_signing_secret or "", api=api)


def require_http_settings(settings: Settings) -> None:
    if not settings.slack_signing_secret or not (settings.slack_bot_token or settings.oauth):
        raise SystemExit(
            "HTTP mode needs SLACK_SIGNING_SECRET and either SLACK_BOT_TOKEN (one workspace) "
            "or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and COACHBOT_TOKEN_KEYS (installed "
            "through OAuth)"
        )
