"""Buttons in coachbot's messages and App Home."""

from slack_bolt import App

from bot.ids import Actions
from bot.slack.slots import WorkSlots
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


def register(app: App, slots: WorkSlots) -> None:
    app.action(Actions.OPEN_MY_ASSESSMENT)(slots.gate(open_my_assessment))
    app.action(Actions.OPEN_REP)(slots.gate(open_rep))
    app.action(Actions.PAUSE_NUDGES)(slots.gate(pause_nudges))
    app.action(Actions.RESUME_NUDGES)(slots.gate(resume_nudges))
    app.action(Actions.SHOW_HELP)(slots.gate(show_help))
    app.action(Actions.START_ROLEPLAY)(slots.gate(start_roleplay))
    app.action(Actions.MARK_PRACTICE_DONE)(slots.gate(mark_practice_done))
    app.action(Actions.SNOOZE_NUDGES)(slots.gate(snooze_nudges))
    app.action(Actions.APPROVE_PLAN)(slots.gate(approve_plan))
    app.action(Actions.EDIT_PLAN)(slots.gate(edit_plan))
    app.action(Actions.DECIDE_CHECKPOINT)(slots.gate(decide_checkpoint))
    app.action(Actions.ACCEPT_MENTORING)(slots.gate(accept_mentoring))
    app.action(Actions.DECLINE_MENTORING)(slots.gate(decline_mentoring))
