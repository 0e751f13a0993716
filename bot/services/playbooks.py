"""Playbooks from the workspace's data: what its top performers do differently in a skill,
and the playbook as a Markdown document."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select

from bot.coaching.playbooks import Playbook, build_playbook
from bot.render.renderer import markdown
from bot.render.sentences import sentence
from bot.services.frames import load_crm_data
from bot.services.roleplays import content
from bot.store.engine import Database
from bot.store.models import AssessmentSnapshot, Deal
from bot.store.workspaces import require_workspace_id

WINDOW_DAYS = 180
MARKDOWN_TEMPLATE = "documents/playbook.md.j2"


class PlaybookError(ValueError):
    """No playbook can be written; the message says why."""


def playbook_for(
    db: Database, team_id: str, skill: str, today: date, stages: tuple[str, ...]
) -> Playbook:
    with db.begin() as session:
        workspace_id = require_workspace_id(session, team_id, PlaybookError)
        data = load_crm_data(session, workspace_id)
        since = today - timedelta(days=WINDOW_DAYS)
        snapshots = session.execute(
            select(AssessmentSnapshot.person_id, AssessmentSnapshot.payload)
            .where(
                AssessmentSnapshot.workspace_id == workspace_id,
                AssessmentSnapshot.as_of > since,
                AssessmentSnapshot.as_of <= today,
            )
            .order_by(AssessmentSnapshot.as_of)
        ).all()
        recorded = session.execute(
            select(
                Deal.owner_id,
                Deal.account,
                Deal.industry,
                Deal.product,
                Deal.amount,
                Deal.recording_url,
                Deal.closed_on,
            ).where(
                Deal.workspace_id == workspace_id,
                Deal.outcome == "won",
                Deal.recording_url.is_not(None),
                Deal.closed_on > since,
            )
        )
        wins = pd.DataFrame(recorded.all(), columns=list(recorded.keys()))
    payloads = list({person: payload for person, payload in snapshots}.values())
    if not payloads:
        raise PlaybookError(sentence("no_assessments_yet"))
    wins["amount"] = wins["amount"].astype(float)
    try:
        return build_playbook(skill, data, payloads, today, content(), wins, WINDOW_DAYS, stages)
    except ValueError as problem:
        raise PlaybookError(str(problem)) from None


def playbook_markdown(playbook: Playbook) -> str:
    """The playbook as the Markdown `coachbot playbook SKILL` writes."""
    return markdown(MARKDOWN_TEMPLATE, playbook=playbook)
