"""The setup DM an admin gets once: the installer on an OAuth install, the configured admins
when a single-workspace coachbot first starts. It says what is in place and the next steps."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import func, select

from bot.config import Settings
from bot.delivery.once import Outcome, deliver_all, direct_message
from bot.render.renderer import message
from bot.services import directory, people
from bot.store.engine import Database
from bot.store.models import Deal, Person
from bot.store.workspaces import workspace_id_for

logger = logging.getLogger(__name__)
SETUP = "setup"


def send_setup(
    db: Database,
    client: Any,
    team_id: str,
    team_name: str | None,
    admins: list[str],
    now: datetime,
) -> list[Outcome]:
    """One setup DM to each of `admins` (Slack user ids), ever: the delivery log keeps a
    restart or a reinstall from sending it again."""
    with db.begin() as session:
        workspace_id = workspace_id_for(session, team_id, now)
    build = partial(_setup_message, db, workspace_id, team_name)
    outgoing = [direct_message(client, SETUP, admin, "first", build) for admin in admins]
    return deliver_all(db, client, workspace_id, outgoing, lambda: now)


def greet_admins(
    db: Database, settings: Settings, client: Any, team_id: str, team_name: str, now: datetime
) -> list[Outcome]:
    """On a single-workspace start: the configured admins (COACHBOT_ADMINS, people with the
    admin role) get the setup DM, once."""
    with db.begin() as session:
        workspace_id = workspace_id_for(session, team_id, now)
    admins = directory.admin_slack_ids(db, workspace_id, settings)
    if not admins:
        logger.warning(
            "no admin to send the setup DM to: set COACHBOT_ADMINS to your Slack user id"
        )
    return send_setup(db, client, team_id, team_name, admins, now)


def _setup_message(db: Database, workspace_id: int, team_name: str | None) -> dict[str, Any]:
    with db.begin() as session:
        active = session.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.workspace_id == workspace_id, Person.active.is_(True))
        )
        on_slack = session.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.workspace_id == workspace_id, people.reachable_on_slack())
        )
        deals = session.scalar(
            select(func.count()).select_from(Deal).where(Deal.workspace_id == workspace_id)
        )
    return message(
        "messages/setup.json.j2",
        team=team_name,
        people=active or 0,
        deals=deals or 0,
        on_slack=on_slack or 0,
    )
