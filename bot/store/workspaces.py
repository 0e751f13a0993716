"""Workspaces: every query is scoped to one, found by its Slack team id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.store.engine import Database
from bot.store.models import Deal, Person, Workspace


class WorkspaceMoveError(ValueError):
    """The data cannot be moved as asked; the message says why and what to do."""


def workspace_id_for(session: Session, team_id: str, now: datetime) -> int:
    """The workspace's id, creating the workspace on first use."""
    found = session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))
    if found is not None:
        return found
    workspace = Workspace(team_id=team_id, created_at=now)
    session.add(workspace)
    session.flush()
    return workspace.id


def find_workspace_id(session: Session, team_id: str) -> int | None:
    return session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))


def mark_crm_changed(session: Session, workspace_id: int) -> None:
    """What the workspace's assessments are computed from changed in this transaction (CRM
    records, or the benchmarks and targets shown beside them): the assessments computed
    before are stale, and the next read assesses again."""
    session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(crm_version=Workspace.crm_version + 1)
    )


def crm_version(session: Session, workspace_id: int) -> int:
    """The version of the workspace's CRM data (see Workspace.crm_version)."""
    return session.scalar(select(Workspace.crm_version).where(Workspace.id == workspace_id)) or 0


def workspaces(db: Database, team_id: str | None = None) -> list[tuple[int, str]]:
    """Every workspace with data (id, team id), or only the one of `team_id`."""
    query = select(Workspace.id, Workspace.team_id).order_by(Workspace.id)
    if team_id is not None:
        query = query.where(Workspace.team_id == team_id)
    with db.begin() as session:
        return [(row.id, row.team_id) for row in session.execute(query)]


def require_workspace_id(
    session: Session, team_id: str, error: Callable[[str], Exception] = LookupError
) -> int:
    """The workspace's id, or `error` saying it has no CRM data yet (each use case raises
    its own kind of error, with the one sentence an admin can act on)."""
    workspace_id = find_workspace_id(session, team_id)
    if workspace_id is None:
        raise error(f"No data for workspace {team_id!r}: import CRM files first.")
    return workspace_id


def move_workspace(session: Session, source: str, target: str) -> str:
    """Re-label everything stored under team id `source` as `target` (data imported before
    COACHBOT_WORKSPACE was set lands under 'local'). Every row hangs off the workspace row,
    so renaming it moves them all at once. A `target` that already holds data is refused."""
    moving = session.scalar(select(Workspace).where(Workspace.team_id == source))
    if moving is None:
        raise WorkspaceMoveError(f"no workspace {source!r}: nothing to move")
    existing = session.scalar(select(Workspace).where(Workspace.team_id == target))
    if existing is not None:
        held = _count(session, Person, existing.id) + _count(session, Deal, existing.id)
        if held:
            raise WorkspaceMoveError(
                f"workspace {target!r} already holds CRM data: import into it directly "
                f"(`coachbot import --workspace {target} FILES…`) instead of moving {source!r}"
            )
        session.delete(existing)
        session.flush()
    moving.team_id = target
    people, deals = _count(session, Person, moving.id), _count(session, Deal, moving.id)
    return f"{people} people and {deals} deals moved"


def _count(session: Session, model: type[Person] | type[Deal], workspace_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(model).where(model.workspace_id == workspace_id)
        )
        or 0
    )


def people_by_team(db: Database) -> dict[str, int]:
    """How many people each workspace holds, by team id (workspaces without people left out)."""
    with db.begin() as session:
        rows = session.execute(
            select(Workspace.team_id, func.count(Person.id))
            .join(Person, Person.workspace_id == Workspace.id)
            .group_by(Workspace.team_id)
        ).all()
    return {str(team): int(count) for team, count in rows}
