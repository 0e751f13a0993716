"""Modal submissions."""

from slack_bolt import App

from bot.ids import Views
from handlers.views.feedback import feedback_submitted
from handlers.views.plans import plan_edited


def register(app: App) -> None:
    app.view(Views.FEEDBACK)(feedback_submitted)
    app.view(Views.EDIT_PLAN)(plan_edited)
