"""Coaching plans as the API serves them: one by id, or the workspace's a page at a time,
each with its rep, objectives, cadence and 30/60/90-day checkpoints with what was measured.

A plan has no single change column: it changes when it is drafted, approved, given a new
version (targets edited, cadence intensified) and when a checkpoint is reviewed or decided
(which is also when a plan closes). Its `updated_at` is the latest of those instants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from bot.services.plan_records import plan_dict
from bot.store.engine import Database
from bot.store.models import Checkpoint, CoachingPlan, Person, PlanVersion


@dataclass(frozen=True)
class PlanPage:
    items: list[dict[str, Any]]
    next_after: int | None  # the last plan id of this page, when there are more


def plan_page(
    db: Database,
    workspace_id: int,
    after: int,
    limit: int,
    status: str | None,
    rep_email: str | None,
    updated_since: datetime | None,
) -> PlanPage:
    """The workspace's plans with id above `after`, in id order, kept to a status, a rep
    and those changed at or after `updated_since` when given."""
    with db.begin() as session:
        query = select(CoachingPlan).where(
            CoachingPlan.workspace_id == workspace_id, CoachingPlan.id > after
        )
        if status is not None:
            query = query.where(CoachingPlan.status == status)
        if rep_email is not None:
            query = query.join(Person, Person.id == CoachingPlan.rep_id).where(
                Person.email == rep_email.strip().lower()
            )
        if updated_since is not None:
            query = query.where(_changed_since(updated_since))
        plans = list(session.scalars(query.order_by(CoachingPlan.id).limit(limit + 1)))
        shown = plans[:limit]
        items = _api_plans(session, shown)
    return PlanPage(items, shown[-1].id if len(plans) > limit else None)


def plan_by_id(db: Database, workspace_id: int, plan_id: int) -> dict[str, Any] | None:
    """The plan; None when this workspace has no plan with the id (another workspace's
    plan is None too)."""
    with db.begin() as session:
        plan = session.get(CoachingPlan, plan_id)
        if plan is None or plan.workspace_id != workspace_id:
            return None
        return _api_plans(session, [plan])[0]


def _changed_since(since: datetime) -> Any:
    return or_(
        CoachingPlan.created_at >= since,
        CoachingPlan.approved_at >= since,
        exists().where(PlanVersion.plan_id == CoachingPlan.id, PlanVersion.created_at >= since),
        exists().where(
            Checkpoint.plan_id == CoachingPlan.id,
            or_(Checkpoint.reviewed_at >= since, Checkpoint.confirmed_at >= since),
        ),
    )


def _api_plans(session: Session, plans: list[CoachingPlan]) -> list[dict[str, Any]]:
    """plan_dict of each plan, with the people's emails, the checkpoints' reviews and the
    plan's change time (read for the whole page at once)."""
    ids = [p.id for p in plans]
    people = {p.rep_id for p in plans} | {p.manager_id for p in plans if p.manager_id}
    emails = dict(
        session.execute(select(Person.id, Person.email).where(Person.id.in_(people))).all()
    )
    versions = dict(
        session.execute(
            select(PlanVersion.plan_id, func.max(PlanVersion.created_at))
            .where(PlanVersion.plan_id.in_(ids))
            .group_by(PlanVersion.plan_id)
        ).all()
    )
    checkpoints = {
        c.id: c for c in session.scalars(select(Checkpoint).where(Checkpoint.plan_id.in_(ids)))
    }
    items = []
    for plan in plans:
        details = plan_dict(session, plan)
        reviewed = [checkpoints[c["id"]] for c in details["checkpoints"]]
        changes = [plan.created_at, plan.approved_at, versions.get(plan.id)]
        changes += [c.reviewed_at for c in reviewed] + [c.confirmed_at for c in reviewed]
        objectives = details["objectives"]
        items.append(
            {
                "id": plan.id,
                "rep_email": emails.get(plan.rep_id),
                "rep_name": details["rep_name"],
                "manager_email": emails.get(plan.manager_id) if plan.manager_id else None,
                "status": plan.status,
                "version": plan.version,
                "drafted_on": plan.drafted_on,
                "started_on": plan.started_on,
                "approved_at": plan.approved_at,
                "closed_on": plan.closed_on,
                "updated_at": max(c for c in changes if c is not None),
                "objectives": objectives,
                # Every objective's approaches, in the plan's order, without repeats.
                "approach": list(dict.fromkeys(a for o in objectives for a in o["approach"])),
                "cadence": details["cadence"],
                "rationale": details["rationale"],
                "checkpoints": [_checkpoint(c, objectives) for c in reviewed],
            }
        )
    return items


def _checkpoint(checkpoint: Checkpoint, objectives: list[dict[str, Any]]) -> dict[str, Any]:
    review = checkpoint.review or {}
    # A review stores each objective's label; the metric is the plan's objective of that label.
    metrics = {o["label"]: o["metric"] for o in objectives}
    return {
        "day": checkpoint.day,
        "due_on": checkpoint.due_on,
        "decision": checkpoint.decision,
        "reason": review.get("reason"),
        "reviewed_at": checkpoint.reviewed_at,
        "manager_decision": checkpoint.manager_decision,
        "decided_at": checkpoint.confirmed_at,
        "measured": [
            {
                "metric": metrics.get(o["label"]),
                "label": o["label"],
                "unit": o["unit"],
                "baseline": o["baseline"],
                "target": o["target"],
                "value": o["value"],
                "sample_size": o["sample_size"],
                "interval": None if o["low"] is None else (o["low"], o["high"]),
                "progress": o["progress"],
                "standing": o["standing"],
            }
            for o in review.get("objectives", [])
        ],
    }
