"""Workspaces: every query is scoped to one, found by its Slack team id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Workspace


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
