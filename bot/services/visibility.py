"""Who may see whose performance: one policy, used by every command, button, App Home,
digest and query (a surface that filters people itself is a defect).

- a rep sees their own data;
- a manager sees everyone below them in the hierarchy;
- an admin sees everyone in their workspace;
- nobody sees anything of another workspace, and an unknown user sees nobody's data.
Where it may be shown is the other half: one rep's performance only ever goes to a DM or an
ephemeral message (bot/delivery/poster.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import people
from bot.store.models import Person


@dataclass(frozen=True)
class Viewer:
    """The Slack user behind a request, matched to a person (or not)."""

    team_id: str
    slack_user_id: str
    workspace_id: int | None
    person_id: int | None
    name: str | None
    role: str | None
    is_admin: bool
    timezone: str

    @property
    def known(self) -> bool:
        return self.workspace_id is not None and self.person_id is not None

    @property
    def is_manager(self) -> bool:
        return self.known and self.role in ("manager", "admin")


def can_view(session: Session, viewer: Viewer, subject_id: int) -> bool:
    """May `viewer` see the performance of person `subject_id`?"""
    if not viewer.known or viewer.workspace_id is None:
        return False
    subject = people.by_id(session, viewer.workspace_id, subject_id)
    if subject is None:  # not in the viewer's workspace: never
        return False
    if viewer.is_admin or subject.id == viewer.person_id:
        return True
    assert viewer.person_id is not None
    return any(
        p.id == subject.id
        for p in people.reports_under(session, viewer.workspace_id, viewer.person_id)
    )


def visible_reports(session: Session, viewer: Viewer) -> list[int]:
    """The people whose performance the viewer may see besides their own, by name: everyone
    below a manager, at every level; for an admin nobody reports to, the whole workspace."""
    if not viewer.known or viewer.workspace_id is None or viewer.person_id is None:
        return []
    below = [p.id for p in people.reports_under(session, viewer.workspace_id, viewer.person_id)]
    if below or not viewer.is_admin:
        return below
    everyone = select(Person.id).where(Person.workspace_id == viewer.workspace_id)
    return list(session.scalars(everyone.order_by(Person.name)))
