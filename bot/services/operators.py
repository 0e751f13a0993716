"""What an operator's command needs looked up before it acts: the workspace a Slack team id
names, and the person an operator acts as, found by email."""

from __future__ import annotations

from bot.config import Settings
from bot.render.sentences import sentence
from bot.services import people
from bot.services.identity import viewer_for_person
from bot.services.plans import PlanError
from bot.services.visibility import Viewer
from bot.store.engine import Database
from bot.store.workspaces import find_workspace_id


def workspace_id(db: Database, team_id: str) -> int | None:
    """The workspace stored under `team_id`, or None when nothing was imported into it."""
    with db.begin() as session:
        return find_workspace_id(session, team_id)


def known_workspace_id(db: Database, team_id: str) -> int:
    """The workspace of a team the caller has already found data in."""
    found = workspace_id(db, team_id)
    assert found is not None  # the caller found checkpoints in it
    return found


def operator(db: Database, settings: Settings, team_id: str, email: str) -> Viewer:
    """The person an operator acts as on the command line, found by email."""
    with db.begin() as session:
        found = find_workspace_id(session, team_id)
        person = people.by_email(session, found, email) if found else None
        if person is None:
            raise PlanError(sentence("no_person_with_email", email=email, team_id=team_id))
        person_id = person.id
    return viewer_for_person(db, settings, team_id, person_id)
