"""The production HTTP entry point: Bolt's WSGI adapter behind a real server (gunicorn), plus a
health check for load balancers. `gunicorn 'bot.slack.wsgi:application()'`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.clock import SystemClock
from bot.config import Settings, load_settings
from bot.render.charts import BackgroundCharts
from bot.store.engine import Database

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's own payloads are a few KB (a modal submission, tens at most): anything much larger
# is refused before it is read, signed or not.
MAX_BODY_BYTES = 1024 * 1024

StartResponse = Callable[..., Any]


def web_app(app: App) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        if _body_length(environ) > MAX_BODY_BYTES:
            start_response("413 Payload Too Large", [("Content-Type", "text/plain; charset=utf-8")])
            return [f"request body over {MAX_BODY_BYTES} bytes\n".encode()]
        return slack(environ, start_response)

    return application


def _body_length(environ: dict[str, Any]) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return MAX_BODY_BYTES + 1  # a length we cannot read is not one we trust


def application() -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Build the WSGI app from the environment (gunicorn calls this factory once per worker)."""
    from bot.slack.app import create_app

    settings = load_settings()
    require_http_settings(settings)
    # Migrations run once, before the server forks (coachbot serve), never per worker.
    db = Database.from_url(settings.database_url)
    return web_app(create_app(settings, db, SystemClock(), charts=BackgroundCharts()))


def require_http_settings(settings: Settings) -> None:
    if not settings.slack_signing_secret or not (settings.slack_bot_token or settings.oauth):
        raise SystemExit(
            "HTTP mode needs SLACK_SIGNING_SECRET and either SLACK_BOT_TOKEN (one workspace) "
            "or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and COACHBOT_TOKEN_KEYS (installed "
            "through OAuth)"
        )
