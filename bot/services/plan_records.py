"""The plan rows every plan use case reads and writes: the current version and its
objectives, a plan with its rep and checkpoints as plain data, and the rule for who may
approve and review one (the rep's managers and admins, through bot/services/visibility.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.coaching.plans import (
    Objective,
)
from bot.render.sentences import sentence
from bot.services.visibility import Viewer, can_view
from bot.store.engine import Database
from bot.store.locks import locked
from bot.store.models import Checkpoint, CoachingPlan, Person, PlanVersion
from bot.store.workspaces import require_workspace_id

OPEN = ("draft", "active")


class PlanError(ValueError):
    """A plan action that cannot be done; the message says why in user terms."""


def new_version(
    session: Session,
    plan: CoachingPlan,
    objectives: list[dict[str, Any]],
    cadence: list[str],
    rationale: str,
    viewer: Viewer | None,
    now: datetime,
) -> None:
    plan.version += 1
    session.add(
        PlanVersion(
            plan_id=plan.id,
            version=plan.version,
            objectives=objectives,
            cadence=list(cadence),
            rationale=rationale,
            created_by=viewer.person_id if viewer else None,
            created_at=now,
        )
    )


def plan_dict(session: Session, plan: CoachingPlan) -> dict[str, Any]:
    version = current_version(session, plan)
    rep = session.get(Person, plan.rep_id)
    checkpoints = session.scalars(
        select(Checkpoint).where(Checkpoint.plan_id == plan.id).order_by(Checkpoint.day)
    ).all()
    return {
        "id": plan.id,
        "rep_id": plan.rep_id,
        "rep_name": rep.name if rep else "",
        "rep_slack_id": rep.slack_user_id if rep else None,
        "manager_id": plan.manager_id,
        "status": plan.status,
        "version": plan.version,
        "drafted_on": plan.drafted_on,
        "started_on": plan.started_on,
        "objectives": version.objectives,
        "cadence": version.cadence,
        "rationale": version.rationale,
        "checkpoints": [
            {
                "id": c.id,
                "day": c.day,
                "due_on": c.due_on,
                "decision": c.decision,
                "manager_decision": c.manager_decision,
            }
            for c in checkpoints
        ],
    }


def restated(objective: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A stored objective with `changes`, its sentence written again to match them."""
    updated = {**objective, **changes}
    updated["statement"] = objective_from(updated).statement
    return updated


def objective_from(data: dict[str, Any]) -> Objective:
    fields = {k: data[k] for k in Objective.__dataclass_fields__}
    fields["deadline"] = date.fromisoformat(str(data["deadline"]))
    fields["approach"] = tuple(data["approach"])
    return Objective(**fields)


def current_version(session: Session, plan: CoachingPlan) -> PlanVersion:
    version = session.scalar(
        select(PlanVersion).where(
            PlanVersion.plan_id == plan.id, PlanVersion.version == plan.version
        )
    )
    assert version is not None
    return version


def plan_for_manager(
    session: Session, viewer: Viewer, plan_id: int, lock: bool = False
) -> CoachingPlan:
    """The plan, if the viewer may approve and review it; `lock` before changing it, so that
    concurrent clicks take turns instead of each acting on the state they read."""
    plan = locked(session, CoachingPlan, plan_id) if lock else session.get(CoachingPlan, plan_id)
    if plan is None or plan.workspace_id != viewer.workspace_id:
        raise PlanError(sentence("plan_gone"))
    if plan.rep_id == viewer.person_id or not (viewer.is_manager or viewer.is_admin):
        raise PlanError(sentence("plans_are_for_the_manager"))
    if not can_view(session, viewer, plan.rep_id):
        raise PlanError(sentence("only_managers_and_admins"))
    return plan


def workspace_of(db: Database, team_id: str) -> int:
    with db.begin() as session:
        workspace_id = require_workspace_id(session, team_id, PlanError)
    return workspace_id
