"""Coaching content for a skill as a process coach hands it to a rep: the enablement team's
words (templates/content/coaching.yml, read once by bot/services/roleplays.py), with the
placeholders filled from a rep's real deal mix the way their role-play scenario is built, or
left out when no rep is named (templates/content/README.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.coaching.roleplay import fill
from bot.coaching.scenarios import OBJECTION_FOR_SKILL, Scenario
from bot.render.formats import skill as skill_name
from bot.services.people import by_email
from bot.services.roleplays import content, rep_scenario, resources_for
from bot.store.engine import Database
from bot.vocabulary import SKILLS

# The skill that is about objections gets every script; another skill gets the one it meets.
EVERY_OBJECTION = "objection_handling"
SCRIPT_STEPS = ("acknowledge", "clarify", "respond", "confirm")
RESOURCE_FIELDS = ("level", "format", "duration_minutes", "title", "link", "why")


class UnknownRep(LookupError):
    """No active rep of this workspace has the email."""


def skill_summaries() -> list[dict[str, str]]:
    """The eight skills, each with its one-line summary of what good looks like."""
    library = content()["skills"]
    return [
        {"skill": s, "name": skill_name(s), "summary": fill(library[s]["summary"], None)}
        for s in SKILLS
    ]


def skill_content(
    db: Database, workspace_id: int, skill: str, rep_email: str | None, today: date
) -> dict[str, Any] | None:
    """The skill's content, filled for the rep when `rep_email` names one; None for a skill
    that is not one of the eight. Raises UnknownRep for an email no active rep has."""
    if skill not in SKILLS:
        return None
    rep_id = None if rep_email is None else _active_rep(db, workspace_id, rep_email)
    scenario = None if rep_id is None else rep_scenario(db, workspace_id, rep_id, skill, today)
    library = content()
    entry = library["skills"][skill]
    objections = list(library["objections"]) if skill == EVERY_OBJECTION else []
    first = scenario.objection if scenario is not None else OBJECTION_FOR_SKILL[skill]
    shown = [first, *(o for o in objections if o != first)]
    return {
        "skill": skill,
        "name": skill_name(skill),
        "rep": rep_email.lower() if rep_email is not None else None,
        "placeholders": None if scenario is None else scenario.placeholders,
        "summary": fill(entry["summary"], scenario),
        "questions": [
            {"layer": q["layer"], "text": fill(q["text"], scenario)} for q in entry["questions"]
        ],
        "talking_points": [fill(t, scenario) for t in entry["talking_points"]],
        "objection_scripts": [
            _script(name, library["objections"][name], scenario) for name in shown
        ],
        "exercise": fill(entry["exercise"], scenario),
        "tips": [fill(t, scenario) for t in entry["tips"]],
        "resources": [
            {k: fill(r[k], scenario) if isinstance(r[k], str) else r[k] for k in RESOURCE_FIELDS}
            for r in resources_for(skill)
        ],
    }


def _active_rep(db: Database, workspace_id: int, email: str) -> int:
    with db.begin() as session:
        person = by_email(session, workspace_id, email.strip())
        if person is None or person.role != "rep" or not person.active:
            raise UnknownRep(email)
        return person.id


def _script(name: str, objection: dict[str, Any], scenario: Scenario | None) -> dict[str, str]:
    script = objection["script"]
    steps = {step: fill(script[step], scenario) for step in SCRIPT_STEPS}
    return {"objection": name, **steps, "exemplar": fill(objection["exemplar"], scenario)}
