"""app_home_opened: publish the user's dashboard."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.services.home import publish_home
from bot.slack.middleware import deps_of, viewer_of


def app_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    publish_home(client, viewer_of(context, client), deps_of(context))
