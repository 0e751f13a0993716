"""Modal submissions."""

from slack_bolt import App

from bot.ids import Views
from handlers.views.feedback import feedback_submitted


def register(app: App) -> None:
    app.view(Views.FEEDBACK)(feedback_submitted)
