"""Buttons in coachbot's messages and App Home."""

from slack_bolt import App

from bot.ids import Actions
from handlers.actions.buttons import (
    mark_practice_done,
    open_my_assessment,
    open_rep,
    pause_nudges,
    resume_nudges,
    show_help,
    snooze_nudges,
    start_roleplay,
)
from handlers.actions.mentoring import accept_mentoring, decline_mentoring
from handlers.actions.plans import approve_plan, decide_checkpoint, edit_plan


def register(app: App) -> None:
    app.action(Actions.OPEN_MY_ASSESSMENT)(open_my_assessment)
    app.action(Actions.OPEN_REP)(open_rep)
    app.action(Actions.PAUSE_NUDGES)(pause_nudges)
    app.action(Actions.RESUME_NUDGES)(resume_nudges)
    app.action(Actions.SHOW_HELP)(show_help)
    app.action(Actions.START_ROLEPLAY)(start_roleplay)
    app.action(Actions.MARK_PRACTICE_DONE)(mark_practice_done)
    app.action(Actions.SNOOZE_NUDGES)(snooze_nudges)
    app.action(Actions.APPROVE_PLAN)(approve_plan)
    app.action(Actions.EDIT_PLAN)(edit_plan)
    app.action(Actions.DECIDE_CHECKPOINT)(decide_checkpoint)
    app.action(Actions.ACCEPT_MENTORING)(accept_mentoring)
    app.action(Actions.DECLINE_MENTORING)(decline_mentoring)
