"""The production HTTP entry point: Bolt's WSGI adapter behind a real server (gunicorn), plus a
health check for load balancers. `gunicorn 'bot.slack.wsgi:application()'`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.clock import SystemClock
from bot.config import load_settings
from bot.render.charts import BackgroundCharts
from bot.store.engine import Database

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]


def web_app(app: App) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


def application() -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Build the WSGI app from the environment (gunicorn calls this factory once per worker)."""
    from bot.slack.app import create_app

    settings = load_settings()
    if not settings.slack_bot_token or not settings.slack_signing_secret:
        raise SystemExit("HTTP mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
    # Migrations run once, before the server forks (coachbot serve), never per worker.
    db = Database.from_url(settings.database_url)
    return web_app(create_app(settings, db, SystemClock(), charts=BackgroundCharts()))
