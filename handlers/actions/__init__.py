"""Buttons in coachbot's messages and App Home."""

from slack_bolt import App

from bot.ids import Actions
from handlers.actions.buttons import (
    open_my_assessment,
    open_rep,
    pause_nudges,
    resume_nudges,
    show_help,
)


def register(app: App) -> None:
    app.action(Actions.OPEN_MY_ASSESSMENT)(open_my_assessment)
    app.action(Actions.OPEN_REP)(open_rep)
    app.action(Actions.PAUSE_NUDGES)(pause_nudges)
    app.action(Actions.RESUME_NUDGES)(resume_nudges)
    app.action(Actions.SHOW_HELP)(show_help)
