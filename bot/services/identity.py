"""Who is this Slack user? Matched to a person by Slack id, else by their Slack email."""

from __future__ import annotations

import logging
from typing import Any

from bot.config import Settings
from bot.delivery import slack_api
from bot.delivery.slack_api import Refused
from bot.render.sentences import sentence
from bot.services import people
from bot.services.visibility import Viewer
from bot.store.engine import Database
from bot.store.workspaces import find_workspace_id

logger = logging.getLogger(__name__)


def identify(
    db: Database, settings: Settings, client: Any, team_id: str, slack_user_id: str
) -> Viewer:
    """The viewer behind a request. Unknown users come back with `known == False`.

    The first time someone uses coachbot their Slack email is looked up (users.info) and
    their Slack id stored on the person, so later requests need no API call.
    """
    with db.begin() as session:
        workspace_id = find_workspace_id(session, team_id)
        person = None
        if workspace_id is not None:
            person = people.by_slack_id(session, workspace_id, slack_user_id)
        email: str | None = person.email if person else None
        slack_tz: str | None = None
        if workspace_id is not None and person is None:
            email, slack_tz = _slack_profile(client, slack_user_id)
            if email:
                person = people.by_email(session, workspace_id, email)
                if person is not None and person.slack_user_id is None:
                    person.slack_user_id = slack_user_id
        is_admin = bool(
            person is not None
            and (person.role == "admin" or settings.is_admin(slack_user_id, email))
        )
        return Viewer(
            team_id=team_id,
            slack_user_id=slack_user_id,
            workspace_id=workspace_id,
            person_id=person.id if person else None,
            name=person.name if person else None,
            role=person.role if person else None,
            is_admin=is_admin,
            timezone=(person.timezone if person and person.timezone else None)
            or slack_tz
            or settings.timezone,
        )


def _slack_profile(client: Any, slack_user_id: str) -> tuple[str | None, str | None]:
    try:
        user = slack_api.user(client, slack_user_id)
    except Refused as refused:
        logger.warning("users.info failed for %s: %s", slack_user_id, refused.code)
        return None, None
    email = (user.get("profile") or {}).get("email")
    return (email.lower() if email else None), user.get("tz")


def viewer_for_person(db: Database, settings: Settings, team_id: str, person_id: int) -> Viewer:
    """A person acting without a Slack request (the demo, an operator at the CLI)."""
    with db.begin() as session:
        workspace_id = find_workspace_id(session, team_id)
        person = people.by_id(session, workspace_id, person_id) if workspace_id else None
        if person is None:
            raise LookupError(sentence("no_such_person", person_id=person_id, team_id=team_id))
        return Viewer(
            team_id=team_id,
            slack_user_id=person.slack_user_id or "",
            workspace_id=workspace_id,
            person_id=person.id,
            name=person.name,
            role=person.role,
            is_admin=person.role == "admin"
            or settings.is_admin(person.slack_user_id, person.email),
            timezone=person.timezone or settings.timezone,
        )
