"""One error handler for every listener: log with context, tell the user something useful."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render.renderer import message
from bot.slack import privacy

logger = logging.getLogger("coachbot.slack")


def handle_error(error: Exception, body: dict[str, Any], client: WebClient) -> None:
    reference = uuid.uuid4().hex[:8]
    user = _user_id(body)
    logger.error(
        "listener failed (ref %s, type %s, user %s, team %s)",
        reference,
        body.get("type") or body.get("command") or (body.get("event") or {}).get("type"),
        user,
        body.get("team_id") or (body.get("team") or {}).get("id"),
        exc_info=error,
    )
    if not user:
        return
    try:
        privacy.send_dm(client, user, message("messages/error.json.j2", reference=reference))
    except SlackApiError:
        logger.exception("could not tell user %s about error %s", user, reference)


def _user_id(body: dict[str, Any]) -> str | None:
    if isinstance(body.get("user"), dict):
        return body["user"].get("id")
    return body.get("user_id") or (body.get("event") or {}).get("user")
