"""A skill's playbook as the API serves it: what the workspace's top performers do
differently, as data and as the Markdown `coachbot playbook` writes. The top performers come
from the current assessments, so the workspace is assessed first when they are not fresh."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.config import Settings
from bot.render.formats import skill as skill_name
from bot.services.assessments import assessment_config, current_payloads
from bot.services.playbooks import playbook_for, playbook_markdown
from bot.store.engine import Database
from bot.store.models import Person
from bot.vocabulary import SKILLS


def skill_playbook(
    db: Database,
    settings: Settings,
    team_id: str,
    workspace_id: int,
    skill: str,
    now: datetime,
) -> dict[str, Any] | None:
    """The playbook for `skill`; None for a skill that is not one of the eight. Raises
    PlaybookError when the workspace has no assessment to learn from."""
    if skill not in SKILLS:
        return None
    today = now.date()
    with db.begin() as session:
        reps = list(
            session.scalars(
                select(Person.id).where(
                    Person.workspace_id == workspace_id,
                    Person.role == "rep",
                    Person.active.is_(True),
                )
            )
        )
    current_payloads(db, team_id, reps, today, now, assessment_config(settings))
    playbook = playbook_for(db, team_id, skill, today, settings.stages)
    return {
        **asdict(playbook),
        "name": skill_name(skill),
        "markdown": playbook_markdown(playbook),
    }
