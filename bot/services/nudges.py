"""The weekly nudge, decided: which reps get one now, and what it says (one focus for the
week, one practice action, progress since last week; a new rep gets onboarding instead)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bot.coaching.assessment import AssessmentConfig
from bot.render.renderer import message
from bot.services.assessments import current_payloads, win_rate_a_week_ago
from bot.services.focus import weekly_focus
from bot.services.recipients import Recipient, due_weekly
from bot.store.engine import Database

SEND_WEEKDAY = 0  # Monday
SEND_FROM_HOUR = 9


def due_reps(
    db: Database, workspace_id: int, local: Callable[[str | None], datetime]
) -> list[Recipient]:
    """Active reps with Slack, not paused, for whom it is Monday, 09:00 or later, locally."""
    return due_weekly(db, workspace_id, "rep", SEND_WEEKDAY, SEND_FROM_HOUR, local)


def nudge(
    db: Database,
    team_id: str,
    workspace_id: int,
    rep_id: int,
    today: date,
    now: datetime,
    config: AssessmentConfig,
) -> dict[str, Any]:
    """This week's nudge for the rep: the focus skill and why, one action, and the win rate
    against a week ago; onboarding while there are too few closed deals to assess."""
    payload = current_payloads(db, team_id, [rep_id], today, now, config).get(rep_id)
    if payload is None or payload["status"] != "assessed":
        closed = payload["closed_deals"] if payload else 0
        return message(
            "messages/nudge.json.j2",
            onboarding=True,
            closed=closed,
            min_closed=config.min_closed_deals,
        )
    focus = weekly_focus(db, workspace_id, rep_id, payload)
    before = win_rate_a_week_ago(db, workspace_id, rep_id, today, config)
    current = payload["headline"].get("win_rate")
    return message(
        "messages/nudge.json.j2",
        onboarding=False,
        skill=focus["skill"],
        action=focus["action"],
        objective=focus["objective"],
        reason=focus["reason"],
        before=before,
        now=current,
        change=None if before is None or current is None else current - before,
    )
