"""Assessments as the API serves them: one rep's by email, or every rep's, a page at a time,
from the stored snapshots (the workspace is assessed first when a rep has none fresh)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.services.assessments import (
    FRESH_DAYS,
    assessment_config,
    current_payloads,
    fresh_snapshots,
)
from bot.store.engine import Database
from bot.store.models import AssessmentSnapshot, Person


@dataclass(frozen=True)
class AssessmentPage:
    items: list[dict[str, Any]]
    next_after: int | None  # the last person id of this page, when there are more


def rep_assessment(
    db: Database, settings: Settings, team_id: str, workspace_id: int, email: str, now: datetime
) -> dict[str, Any] | None:
    """The rep's current assessment; None when no active rep of this workspace has the email
    (another workspace's rep is None too)."""
    today = now.date()
    with db.begin() as session:
        rep_id = session.scalar(_active_reps(workspace_id).where(Person.email == email.lower()))
    if rep_id is None:
        return None
    current_payloads(db, team_id, [rep_id], today, now, assessment_config(settings))
    with db.begin() as session:
        found = _latest(session, workspace_id, [rep_id], today, settings, None)
    return found.get(rep_id)


def assessment_page(
    db: Database,
    settings: Settings,
    team_id: str,
    workspace_id: int,
    after: int,
    limit: int,
    updated_since: datetime | None,
    now: datetime,
) -> AssessmentPage:
    """Active reps with id above `after`, in id order; with `updated_since`, only those
    whose assessment was computed at or after it."""
    today = now.date()
    with db.begin() as session:
        everyone = list(session.scalars(_active_reps(workspace_id)))
    # One assessment run covers the workspace when any rep lacks a fresh snapshot.
    current_payloads(db, team_id, everyone, today, now, assessment_config(settings))
    config = assessment_config(settings)
    with db.begin() as session:
        query = _active_reps(workspace_id).where(Person.id > after).order_by(Person.id)
        if updated_since is not None:
            query = query.where(
                exists().where(
                    AssessmentSnapshot.person_id == Person.id,
                    AssessmentSnapshot.window_days == config.window_days,
                    AssessmentSnapshot.as_of >= today - timedelta(days=FRESH_DAYS),
                    AssessmentSnapshot.created_at >= updated_since,
                )
            )
        ids = list(session.scalars(query.limit(limit + 1)))
        shown = ids[:limit]
        found = _latest(session, workspace_id, shown, today, settings, updated_since)
    items = [found[person] for person in shown if person in found]
    return AssessmentPage(items, shown[-1] if len(ids) > limit else None)


def _active_reps(workspace_id: int) -> Any:
    return select(Person.id).where(
        Person.workspace_id == workspace_id,
        Person.role == "rep",
        Person.active.is_(True),
    )


def _latest(
    session: Session,
    workspace_id: int,
    person_ids: list[int],
    today: date,
    settings: Settings,
    updated_since: datetime | None,
) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        fresh_snapshots(workspace_id, person_ids, today, assessment_config(settings))
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:  # later dates win
        if updated_since is not None and row.created_at < updated_since:
            latest.pop(row.person_id, None)
            continue
        payload = dict(row.payload)
        payload["revenue_at_stake"] = sum(g["revenue_at_stake"] for g in payload["gaps"])
        payload["assessed_at"] = row.created_at.isoformat()
        latest[row.person_id] = payload
    return latest
