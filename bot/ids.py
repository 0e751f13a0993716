"""Block Kit action ids and view callback ids: one place, used by templates and handlers."""

from __future__ import annotations

import re
from types import SimpleNamespace


class Actions:
    OPEN_MY_ASSESSMENT = "coach.open_my_assessment"
    OPEN_REP = "coach.open_rep"
    OPEN_FEEDBACK = "coach.open_feedback"
    START_ROLEPLAY = "coach.start_roleplay"
    SHOW_HELP = "coach.show_help"
    PAUSE_NUDGES = "coach.pause_nudges"
    RESUME_NUDGES = "coach.resume_nudges"
    APPROVE_PLAN = "coach.approve_plan"
    EDIT_PLAN = "coach.edit_plan"
    # One button per decision, each with its own action_id (Slack refuses a block whose
    # buttons share one): coach.decide_checkpoint.<decision>, routed by DECIDE_CHECKPOINT.
    DECIDE_CHECKPOINT_PREFIX = "coach.decide_checkpoint."
    MARK_PRACTICE_DONE = "coach.mark_practice_done"
    SNOOZE_NUDGES = "coach.snooze_nudges"
    PAUSE_NUDGES_UNTIL = "coach.pause_nudges_until"  # a datepicker on the Home tab
    SET_MENTORING = "coach.set_mentoring"  # value "on" or "off"
    SET_PEER_GROUPS = "coach.set_peer_groups"  # value "on" or "off"
    SHOW_PLAYBOOK = "coach.show_playbook"  # value: the skill
    ACCEPT_MENTORING = "coach.accept_mentoring"
    DECLINE_MENTORING = "coach.decline_mentoring"


CHECKPOINT_DECISIONS = ("graduate", "continue", "intensify", "replan")
DECIDE_CHECKPOINT = re.compile(
    re.escape(Actions.DECIDE_CHECKPOINT_PREFIX) + "(" + "|".join(CHECKPOINT_DECISIONS) + ")$"
)


def decide_checkpoint_action(decision: str) -> str:
    return Actions.DECIDE_CHECKPOINT_PREFIX + decision


class Views:
    FEEDBACK = "coach.feedback_modal"
    EDIT_PLAN = "coach.edit_plan_modal"


class Blocks:
    FEEDBACK_SKILL = "feedback_skill"
    FEEDBACK_RATING = "feedback_rating"
    FEEDBACK_NOTE = "feedback_note"
    FEEDBACK_SOURCE = "feedback_source"
    TARGET_PREFIX = "target:"  # one input per objective: target:<metric>


def as_namespace() -> SimpleNamespace:
    """The ids as one object templates can read: {{ ids.actions.OPEN_REP }}."""
    return SimpleNamespace(
        actions=SimpleNamespace(**_public(Actions)),
        views=SimpleNamespace(**_public(Views)),
        blocks=SimpleNamespace(**_public(Blocks)),
    )


def _public(cls: type) -> dict[str, str]:
    return {k: v for k, v in vars(cls).items() if k.isupper()}
