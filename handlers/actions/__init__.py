"""Buttons in coachbot's messages and App Home."""

from typing import Any

from slack_bolt import App

from bot.ids import DECIDE_CHECKPOINT, Actions
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
from handlers.actions.playbook import show_playbook
from handlers.actions.settings import pause_nudges_until, set_mentoring, set_peer_groups

BUTTONS: dict[str, Any] = {
    Actions.OPEN_MY_ASSESSMENT: open_my_assessment,
    Actions.OPEN_REP: open_rep,
    Actions.PAUSE_NUDGES: pause_nudges,
    Actions.RESUME_NUDGES: resume_nudges,
    Actions.SHOW_HELP: show_help,
    Actions.START_ROLEPLAY: start_roleplay,
    Actions.MARK_PRACTICE_DONE: mark_practice_done,
    Actions.SNOOZE_NUDGES: snooze_nudges,
    Actions.APPROVE_PLAN: approve_plan,
    Actions.EDIT_PLAN: edit_plan,
    Actions.ACCEPT_MENTORING: accept_mentoring,
    Actions.DECLINE_MENTORING: decline_mentoring,
    Actions.PAUSE_NUDGES_UNTIL: pause_nudges_until,
    Actions.SET_MENTORING: set_mentoring,
    Actions.SET_PEER_GROUPS: set_peer_groups,
    Actions.SHOW_PLAYBOOK: show_playbook,
}


def register(app: App, slots: WorkSlots) -> None:
    for action_id, listener in BUTTONS.items():
        app.action(action_id)(slots.gate(listener))
    # The four review decisions have an action_id each, routed here by pattern.
    app.action(DECIDE_CHECKPOINT)(slots.gate(decide_checkpoint))
