"""The assessment use case: load a workspace's CRM data, assess every rep, keep a snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.coaching.assessment import Assessment, AssessmentConfig, assess
from bot.config import Settings
from bot.ingest.upsert import upsert
from bot.render.sentences import sentence
from bot.services import webhook_payloads, webhooks
from bot.services.frames import external_figures, load_crm_data
from bot.store.engine import Database
from bot.store.models import AssessmentSnapshot, Person, Workspace
from bot.store.workspaces import crm_version, find_workspace_id


class UnknownWorkspace(LookupError):
    """No data has been imported for this Slack team id."""


@dataclass(frozen=True)
class AssessmentRun:
    as_of: date
    assessments: list[Assessment]


def assessment_config(settings: Settings, **overrides: Any) -> AssessmentConfig:
    """The assessment's settings for this install: its CRM stages, the rest as the
    methodology sets them (docs/methodology.md) unless `overrides` says otherwise."""
    return AssessmentConfig(stages=settings.stages, **overrides)


def run_assessments(
    db: Database, team_id: str, as_of: date, now: datetime, config: AssessmentConfig
) -> AssessmentRun:
    """Assess every active rep of the workspace as of `as_of` and store one snapshot each.

    Running again for the same date and window replaces those snapshots, so a rerun after a
    fresh import corrects them instead of adding duplicates.
    """
    with db.begin() as session:
        workspace_id = _workspace(session, team_id)
        # Read before the data: a write committed in between makes these snapshots stale,
        # never a stale snapshot look current.
        version = crm_version(session, workspace_id)
        data = load_crm_data(session, workspace_id)
        external = external_figures(session, workspace_id)
    assessments = assess(data, as_of, config, external)
    with db.begin() as session:
        changes = (
            webhook_payloads.assessment_changes(session, workspace_id, assessments)
            if webhooks.listening(session, workspace_id, "assessment.updated")
            else []
        )
        save_snapshots(session, workspace_id, assessments, now, version)
        if changes:  # one event per run, in the snapshots' transaction; none when nothing moved
            event = {"as_of": as_of.isoformat(), "window_days": config.window_days, "reps": changes}
            webhooks.emit(session, workspace_id, "assessment.updated", event, now)
    return AssessmentRun(as_of, assessments)


def save_snapshots(
    session: Session,
    workspace_id: int,
    assessments: list[Assessment],
    now: datetime,
    version: int,
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
            "crm_version": version,
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


# A snapshot this recent is current enough to show; the nightly job keeps them fresh.
FRESH_DAYS = 7


def current_payloads(
    db: Database,
    team_id: str,
    person_ids: list[int],
    today: date,
    now: datetime,
    config: AssessmentConfig,
) -> dict[int, dict[str, Any]]:
    """Latest assessment payload (no older than FRESH_DAYS) per person; assesses the workspace
    when a wanted rep has none, so a first request of the day still gets an answer. People
    who are not active reps have no assessment and are left out."""
    if not person_ids:
        return {}
    with db.begin() as session:
        workspace_id = _workspace(session, team_id)
    found = _snapshots(db, workspace_id, person_ids, today, config)
    missing = [p for p in person_ids if p not in found]
    if missing and _has_active_reps(db, workspace_id, missing):
        run_assessments(db, team_id, today, now, config)  # stores the snapshots
        found = _snapshots(db, workspace_id, person_ids, today, config)
    return found


def _snapshots(
    db: Database, workspace_id: int, person_ids: list[int], today: date, config: AssessmentConfig
) -> dict[int, dict[str, Any]]:
    with db.begin() as session:
        rows = session.execute(fresh_snapshots(workspace_id, person_ids, today, config))
        return {row.person_id: row.payload for row in rows}  # later dates win


def fresh_snapshots(
    workspace_id: int, person_ids: list[int], today: date, config: AssessmentConfig
) -> Select[tuple[int, dict[str, Any], datetime]]:
    """The people's snapshots current enough to show (person, payload, computed at), oldest
    first, so that keeping the last row per person keeps the latest. A snapshot computed
    before the workspace's CRM data last changed (an import, an API write) is not current:
    its crm_version is behind the workspace's."""
    return (
        select(
            AssessmentSnapshot.person_id, AssessmentSnapshot.payload, AssessmentSnapshot.created_at
        )
        .join(Workspace, Workspace.id == AssessmentSnapshot.workspace_id)
        .where(
            AssessmentSnapshot.workspace_id == workspace_id,
            AssessmentSnapshot.crm_version == Workspace.crm_version,
            AssessmentSnapshot.person_id.in_(person_ids),
            AssessmentSnapshot.window_days == config.window_days,
            # Tomorrow's too: the nightly job stores the UTC date, which is already
            # tomorrow for someone west of UTC in their evening.
            AssessmentSnapshot.as_of <= today + timedelta(days=1),
            AssessmentSnapshot.as_of >= today - timedelta(days=FRESH_DAYS),
        )
        .order_by(AssessmentSnapshot.as_of)
    )


def win_rate_a_week_ago(
    db: Database, workspace_id: int, person_id: int, today: date, config: AssessmentConfig
) -> float | None:
    """The win rate of the person's snapshot from 7 to 14 days ago (same window as today's),
    for "since last week" in the nudge."""
    with db.begin() as session:
        return session.scalar(
            select(AssessmentSnapshot.win_rate)
            .where(
                AssessmentSnapshot.workspace_id == workspace_id,
                AssessmentSnapshot.person_id == person_id,
                AssessmentSnapshot.window_days == config.window_days,
                AssessmentSnapshot.as_of <= today - timedelta(days=7),
                AssessmentSnapshot.as_of >= today - timedelta(days=14),
            )
            .order_by(AssessmentSnapshot.as_of.desc())
            .limit(1)
        )


def _has_active_reps(db: Database, workspace_id: int, person_ids: list[int]) -> bool:
    with db.begin() as session:
        found = session.scalar(
            select(Person.id).where(
                Person.workspace_id == workspace_id,
                Person.id.in_(person_ids),
                Person.role == "rep",
                Person.active.is_(True),
            )
        )
        return found is not None


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
        raise UnknownWorkspace(sentence("no_workspace_data_cli", team_id=team_id))
    return workspace_id
