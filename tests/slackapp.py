"""The real coachbot Bolt app served over HTTP on 127.0.0.1, talking to the Slack stub.

Tests send requests exactly as Slack would (signed, form-encoded or JSON) and assert on what
the app sent to the stub. Nothing of coachbot is patched."""

from __future__ import annotations

import logging
import os
import socketserver
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App

from bot.api.app import build_api
from bot.app import create_app
from bot.clock import Clock
from bot.config import Settings
from bot.slack.workspace_clients import workspace_clients
from bot.slack.wsgi import web_app
from bot.store.engine import Database
from tests.helpers import ACME, SLACK_USERS, run, write
from tests.slack import requests as slack
from tests.slack.stub import Call, SlackStub

BOT_TOKEN = "xoxb-test-token"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


@dataclass
class SlackApp:
    stub: SlackStub
    root_url: str
    settings: Settings

    @property
    def api_url(self) -> str:
        return f"{self.root_url}/api/v1"

    @property
    def events_url(self) -> str:
        return f"{self.root_url}/slack/events"

    def send(self, request: slack.SlackRequest) -> int:
        status, _headers, _body = slack.post(self.events_url, request)
        return status

    def command(self, text: str, user: str, **kw: Any) -> int:
        kw.setdefault(
            "response_url", f"{self.stub.root_url}/response/{user}-{len(self.stub.calls)}"
        )
        return self.send(slack.slash_command(text, user, **kw))

    def dm(self, text: str, user: str, **kw: Any) -> int:
        return self.send(slack.message_im(text, user, channel=self.stub.dm_channel(user), **kw))

    def click(self, action_id: str, user: str, value: str | None = None, **kw: Any) -> int:
        return self.send(slack.block_action(action_id, user, value=value, **kw))

    # What came back, waiting briefly: listeners run after the ack.
    def ephemeral(self, count: int = 1) -> list[Call]:
        return self.stub.wait_for("response_url", count)

    def dms_to(self, user: str, count: int = 1) -> list[Call]:
        channel = self.stub.dm_channel(user)
        return self.stub.wait_for("chat.postMessage", count, where=lambda c: c.channel == channel)


def at_once(*sends: Any) -> list[Any]:
    """Run signed requests at the same moment, as a double-click or Slack's re-delivery does."""
    with ThreadPoolExecutor(len(sends)) as pool:
        return list(pool.map(lambda send: send(), sends))


def text_of(call: Call) -> str:
    """All the text a message shows: fallback text plus every block's text, for assertions."""
    parts = [str(call.body.get("text", ""))]
    blocks = call.json_field("blocks") or []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(parts)


@contextmanager
def running_app(
    settings: Settings, db: Database, clock: Clock, users: dict[str, dict[str, Any]]
) -> Iterator[SlackApp]:
    logging.getLogger("coachbot.slack").setLevel(
        logging.CRITICAL if not os.environ.get("CB_TEST_LOGS") else logging.DEBUG
    )
    with SlackStub(users=users) as stub:
        settings = replace(
            settings,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=slack.SIGNING_SECRET,
            slack_api_url=stub.base_url,
        )
        # The API rides on the same server, as `coachbot serve --http` serves it.
        api = build_api(settings, db, clock, workspace_clients(settings, db))
        with serving(
            create_app(settings, db, clock), settings.slack_signing_secret, api
        ) as root_url:
            yield SlackApp(stub, root_url, settings)


@contextmanager
def acme_app(
    db: Database, settings: Settings, clock: Clock, folder: Path, **files: str
) -> Iterator[SlackApp]:
    """The Acme org imported (`files` replace its CSVs by name) and the app serving it, with
    directory lookups unpaced (pacing itself is tested with a clock)."""
    csvs = dict(ACME, **files)
    run(db, settings, clock, *(write(folder, name, text) for name, text in csvs.items()))
    with running_app(replace(settings, slack_lookup_rate=1000), db, clock, SLACK_USERS) as app:
        yield app


@contextmanager
def serving(app: App, signing_secret: str | None, api: Any = None) -> Iterator[str]:
    """The Bolt app (and the API, when given) behind the production WSGI wrapper on
    127.0.0.1; yields its root URL."""
    server = make_server(
        "127.0.0.1",
        0,
        web_app(app, signing_secret or "", api=api),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
