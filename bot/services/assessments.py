"""The assessment use case: load a workspace's CRM data, assess every rep, keep a snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.coaching.assessment import Assessment, AssessmentConfig, assess
from bot.ingest.upsert import upsert
from bot.services.frames import load_crm_data
from bot.store.engine import Database
from bot.store.models import AssessmentSnapshot
from bot.store.workspaces import find_workspace_id


class UnknownWorkspace(LookupError):
    """No data has been imported for this Slack team id."""


@dataclass(frozen=True)
class AssessmentRun:
    as_of: date
    assessments: list[Assessment]


def run_assessments(
    db: Database, team_id: str, as_of: date, now: datetime, config: AssessmentConfig
) -> AssessmentRun:
    """Assess every active rep of the workspace as of `as_of` and store one snapshot each.

    Running again for the same date and window replaces those snapshots, so a rerun after a
    fresh import corrects them instead of adding duplicates.
    """
    with db.begin() as session:
        workspace_id = _workspace(session, team_id)
        data = load_crm_data(session, workspace_id)
    assessments = assess(data, as_of, config)
    with db.begin() as session:
        save_snapshots(session, workspace_id, assessments, now)
    return AssessmentRun(as_of, assessments)


def save_snapshots(
    session: Session, workspace_id: int, assessments: list[Assessment], now: datetime
) -> None:
    rows = [
        {
            "workspace_id": workspace_id,
            "person_id": a.rep_id,
            "as_of": a.as_of,
            "window_days": a.window_days,
            "status": str(a.status),
            "closed_deals": a.closed_deals,
            "win_rate": a.headline.get("win_rate"),
            "revenue_at_stake": Decimal(str(round(a.revenue_at_stake, 2))),
            "top_gap": a.gaps[0].skill if a.gaps else None,
            "trend": str(a.trend.direction),
            "payload": a.to_dict(),
            "created_at": now,
        }
        for a in assessments
    ]
    for start in range(0, len(rows), 500):
        upsert(
            session,
            AssessmentSnapshot.__table__,
            rows[start : start + 500],
            key=("workspace_id", "person_id", "as_of", "window_days"),
            update=[
                c for c in rows[0] if c not in ("workspace_id", "person_id", "as_of", "window_days")
            ],
        )


def snapshot_history(session: Session, team_id: str, person_id: int) -> list[AssessmentSnapshot]:
    """A rep's stored assessments, oldest first."""
    workspace_id = _workspace(session, team_id)
    query = (
        select(AssessmentSnapshot)
        .where(
            AssessmentSnapshot.workspace_id == workspace_id,
            AssessmentSnapshot.person_id == person_id,
        )
        .order_by(AssessmentSnapshot.as_of)
    )
    return list(session.scalars(query))


def _workspace(session: Session, team_id: str) -> int:
    workspace_id = find_workspace_id(session, team_id)
    if workspace_id is None:
        raise UnknownWorkspace(
            f"no data for workspace {team_id!r}: import CRM files first "
            "(coachbot import --workspace TEAM_ID FILE...)"
        )
    return workspace_id
