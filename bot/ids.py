"""Block Kit action ids and view callback ids: one place, used by templates and handlers."""

from __future__ import annotations

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
    DECIDE_CHECKPOINT = "coach.decide_checkpoint"
    MARK_PRACTICE_DONE = "coach.mark_practice_done"
    SNOOZE_NUDGES = "coach.snooze_nudges"
    ACCEPT_MENTORING = "coach.accept_mentoring"
    DECLINE_MENTORING = "coach.decline_mentoring"


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
