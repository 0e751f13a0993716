"""Use cases behind /coach, DMs and the App Home. Every function checks access through
bot.services.visibility before it reads anyone's performance, and returns plain data for
the renderer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.coaching.assessment import AssessmentConfig
from bot.render.sentences import sentence
from bot.services import people
from bot.services.assessments import current_payloads
from bot.services.outcomes import once_per_request
from bot.services.visibility import Viewer, can_view, visible_reports
from bot.store.engine import Database
from bot.store.handled import record_handled
from bot.store.models import Feedback, Person, PracticeMark
from bot.vocabulary import FEEDBACK_SOURCES, SKILLS


class NotAllowed(PermissionError):
    """The viewer may not see or do this; the message says why in user terms."""


@dataclass(frozen=True)
class TeamView:
    as_of: date
    window_days: int
    reps: list[dict[str, Any]]

    @property
    def total_at_stake(self) -> float:
        return sum(
            sum(g["revenue_at_stake"] for g in r["gaps"]) for r in self.reps if r.get("gaps")
        )


def ensure_can_view(db: Database, viewer: Viewer, subject_id: int) -> None:
    with db.begin() as session:
        if not can_view(session, viewer, subject_id):
            raise NotAllowed(sentence("only_own_numbers"))


def assessment(
    db: Database,
    viewer: Viewer,
    subject_id: int,
    today: date,
    now: datetime,
    config: AssessmentConfig,
) -> dict[str, Any] | None:
    """The subject's current assessment (payload dict), or None if they are not an active rep."""
    ensure_can_view(db, viewer, subject_id)
    payloads = _current_payloads(db, viewer, [subject_id], today, now, config)
    return payloads.get(subject_id)


def team(
    db: Database, viewer: Viewer, today: date, now: datetime, config: AssessmentConfig
) -> TeamView:
    """The reps below a manager (everyone, for an admin without reports), with assessments."""
    if not viewer.is_manager and not viewer.is_admin:
        raise NotAllowed(sentence("team_is_for_managers"))
    with db.begin() as session:
        ids = visible_reports(session, viewer)
    payloads = _current_payloads(db, viewer, ids, today, now, config)
    reps = sorted(payloads.values(), key=lambda p: (p["team"] or "", p["name"]))
    as_of = max((date.fromisoformat(p["as_of"]) for p in reps), default=today)
    return TeamView(as_of, config.window_days, reps)


def line_managers(
    db: Database, viewer: Viewer, rep_ids: list[int]
) -> dict[int, tuple[int | None, str | None]]:
    """Each rep's direct manager (id, name), for reps the viewer may see."""
    if viewer.workspace_id is None:
        return {}
    with db.begin() as session:
        allowed = [r for r in rep_ids if can_view(session, viewer, r)]
        return people.line_managers(session, viewer.workspace_id, allowed)


def subject_for_slack_user(db: Database, viewer: Viewer, slack_user_id: str) -> Person | None:
    """The person behind a Slack mention, in the viewer's workspace only."""
    if viewer.workspace_id is None:
        return None
    with db.begin() as session:
        return people.by_slack_id(session, viewer.workspace_id, slack_user_id)


def person_name(db: Database, viewer: Viewer, person_id: int) -> str | None:
    if viewer.workspace_id is None:
        return None
    with db.begin() as session:
        person = people.by_id(session, viewer.workspace_id, person_id)
        return person.name if person else None


def set_nudges_paused(db: Database, viewer: Viewer, paused: bool) -> None:
    if not viewer.known or viewer.workspace_id is None or viewer.person_id is None:
        raise NotAllowed(sentence("no_nudges_for_unknown_viewer", action="change"))
    with db.begin() as session:
        person = people.by_id(session, viewer.workspace_id, viewer.person_id)
        assert person is not None
        person.nudges_paused = paused


def nudges_paused(db: Database, viewer: Viewer) -> bool:
    if viewer.workspace_id is None or viewer.person_id is None:
        return False
    with db.begin() as session:
        person = people.by_id(session, viewer.workspace_id, viewer.person_id)
        return bool(person and person.nudges_paused)


PAUSE_AT_MOST_DAYS = 366


def pause_nudges_until(db: Database, viewer: Viewer, until: date, today: date) -> date:
    """No nudge before `until` (a holiday, a parental leave); they resume by themselves."""
    if viewer.workspace_id is None or viewer.person_id is None:
        raise NotAllowed(sentence("no_nudges_for_unknown_viewer", action="pause"))
    if until <= today:
        raise NotAllowed(sentence("pause_day_not_after_today"))
    if until > today + timedelta(days=PAUSE_AT_MOST_DAYS):
        raise NotAllowed(sentence("pause_too_long"))
    with db.begin() as session:
        person = people.by_id(session, viewer.workspace_id, viewer.person_id)
        assert person is not None
        person.nudges_snoozed_until = until
        person.nudges_paused = False
    return until


def own_settings(db: Database, viewer: Viewer, today: date) -> dict[str, Any]:
    """What the Home tab's settings show: nudges, mentoring invitations, peer groups."""
    if viewer.workspace_id is None or viewer.person_id is None:
        return {}
    with db.begin() as session:
        person = people.by_id(session, viewer.workspace_id, viewer.person_id)
        if person is None:
            return {}
        snoozed = person.nudges_snoozed_until
        return {
            "nudges_paused": person.nudges_paused,
            "paused_until": snoozed if snoozed is not None and snoozed > today else None,
            "mentoring": not person.mentor_opt_out,
            "peer_groups": not person.peer_groups_opt_out,
        }


def record_feedback(
    db: Database,
    viewer: Viewer,
    about_id: int,
    skill: str,
    rating: int,
    source: str,
    note: str | None,
    today: date,
    now: datetime,
    request: str | None = None,
) -> None:
    """A manager's (or admin's) feedback on someone they may see; it feeds skill inference.
    `request` is the submission's key: the same form submitted again saves nothing more."""
    if skill not in SKILLS or source not in FEEDBACK_SOURCES or not 1 <= rating <= 5:
        raise ValueError("skill, source or rating out of range")
    with once_per_request(db, request, sentence("feedback_was_saved")) as session:
        if not (viewer.is_manager or viewer.is_admin) or about_id == viewer.person_id:
            raise NotAllowed(sentence("feedback_is_for_managers"))
        if not can_view(session, viewer, about_id):
            raise NotAllowed(sentence("feedback_only_for_reports"))
        assert viewer.workspace_id is not None and viewer.person_id is not None
        record_handled(session, request, viewer.team_id, now)
        author = people.by_id(session, viewer.workspace_id, viewer.person_id)
        session.add(
            Feedback(
                workspace_id=viewer.workspace_id,
                external_id=f"slack:{uuid.uuid4()}",
                about_id=about_id,
                author=author.email if author else None,
                author_id=viewer.person_id,
                source=source,
                skill=skill,
                rating=rating,
                note=(note or "").strip() or None,
                given_on=today,
            )
        )


def _current_payloads(
    db: Database,
    viewer: Viewer,
    person_ids: list[int],
    today: date,
    now: datetime,
    config: AssessmentConfig,
) -> dict[int, dict[str, Any]]:
    if viewer.workspace_id is None:
        return {}
    return current_payloads(db, viewer.team_id, person_ids, today, now, config)


SNOOZE_DAYS = 7


def snooze_nudges(db: Database, viewer: Viewer, today: date) -> date:
    """No nudge until a week from today; returns the day nudges resume."""
    if viewer.workspace_id is None or viewer.person_id is None:
        raise NotAllowed(sentence("no_nudges_for_unknown_viewer", action="snooze"))
    until = today + timedelta(days=SNOOZE_DAYS)
    with db.begin() as session:
        person = people.by_id(session, viewer.workspace_id, viewer.person_id)
        assert person is not None
        person.nudges_snoozed_until = until
    return until


def mark_practice_done(db: Database, viewer: Viewer, skill: str, week: str, now: datetime) -> bool:
    """The rep did the week's practice action; False when it was already marked."""
    if viewer.workspace_id is None or viewer.person_id is None:
        raise NotAllowed(sentence("unknown_viewer"))
    if skill not in SKILLS:
        raise NotAllowed(sentence("practice_button_stale"))
    try:
        with db.begin() as session:
            session.add(
                PracticeMark(
                    workspace_id=viewer.workspace_id,
                    person_id=viewer.person_id,
                    week=week,
                    skill=skill,
                    marked_at=now,
                )
            )
    except IntegrityError:  # one mark per person and week: an earlier or concurrent click
        return False
    return True
