"""Events API listeners: the App Home, and DMs to coachbot."""

from slack_bolt import App

from handlers.events.app_home import app_home_opened
from handlers.events.direct_message import direct_message, is_direct_message


def register(app: App) -> None:
    app.event("app_home_opened")(app_home_opened)
    app.event("message", matchers=[is_direct_message])(direct_message)
    # Messages in channels coachbot is in are not for it; acknowledge them so Slack is happy.
    app.event("message")(_ignore)


def _ignore() -> None:
    return None
