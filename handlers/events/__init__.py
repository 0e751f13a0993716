"""Events API listeners: the App Home, DMs to coachbot, and the app leaving a workspace."""

import logging
from typing import Any

from slack_bolt import App

from bot.slack.slots import WorkSlots
from handlers.events.app_home import app_home_opened
from handlers.events.direct_message import direct_message, is_direct_message

logger = logging.getLogger("coachbot.slack")


def register(app: App, slots: WorkSlots, *, stored_tokens: bool = False) -> None:
    app.event("app_home_opened")(slots.gate(app_home_opened))
    app.event("message", matchers=[is_direct_message])(slots.gate(direct_message))
    # Messages in channels coachbot is in are not for it; acknowledge them so Slack is happy.
    app.event("message")(_ignore)
    if not stored_tokens:
        # One workspace, its token in the environment: nothing stored to delete, but every
        # subscribed event gets a listener (an unanswered one makes Slack retry) and a log line.
        app.event("app_uninstalled")(_left)
        app.event("tokens_revoked")(_left)


def _ignore() -> None:
    return None


def _left(event: dict[str, Any], context: Any) -> None:
    logger.warning(
        "Slack says %s for workspace %s: SLACK_BOT_TOKEN no longer works; remove it or "
        "reinstall the app",
        event.get("type"),
        context.get("team_id"),
    )
