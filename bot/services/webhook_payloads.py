"""What each webhook event's `data` holds (docs/webhooks.md): what the receiving system needs
to act on the change (who, what was decided, the new numbers), nothing of coachbot's
internals. People are named by email, the key the customer's own systems share with the CRM,
and their name. Dates are ISO strings."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.coaching.assessment import Assessment
from bot.store.models import AssessmentSnapshot, Checkpoint, CoachingPlan, Person

WIN_RATE_DIGITS = 4  # a change below this is float noise, not a change


def person(session: Session, person_id: int | None) -> dict[str, str] | None:
    found = session.get(Person, person_id) if person_id is not None else None
    return {"email": found.email, "name": found.name} if found else None


def plan_approved(
    session: Session,
    plan: CoachingPlan,
    objectives: Sequence[dict[str, Any]],
    checkpoint_days: Sequence[int],
) -> dict[str, Any]:
    """The approved plan: whose, approved by whom, its objectives and its review dates."""
    assert plan.started_on is not None
    started: date = plan.started_on
    return {
        "plan": {
            "id": plan.id,
            "status": plan.status,
            "version": plan.version,
            "started_on": started.isoformat(),
            "rep": person(session, plan.rep_id),
            "approved_by": person(session, plan.approved_by),
            "objectives": [
                {
                    "skill": o["skill"],
                    "metric": o["metric"],
                    "label": o["label"],
                    "unit": o["unit"],
                    "baseline": o["baseline"],
                    "target": o["target"],
                    "deadline": str(o["deadline"]),
                }
                for o in objectives
            ],
            "checkpoints": [
                {"day": day, "due_on": (started + timedelta(days=day)).isoformat()}
                for day in checkpoint_days
            ],
        }
    }


def checkpoint_decided(
    session: Session, checkpoint: Checkpoint, plan: CoachingPlan
) -> dict[str, Any]:
    """The manager's decision at a 30/60/90-day review, what coachbot had proposed, and the
    plan's status after it (graduated and replanned plans are closed)."""
    return {
        "checkpoint": {
            "id": checkpoint.id,
            "day": checkpoint.day,
            "due_on": checkpoint.due_on.isoformat(),
            "decision": checkpoint.manager_decision,
            "proposed": checkpoint.decision,
            "decided_by": person(session, checkpoint.confirmed_by),
        },
        "plan": {"id": plan.id, "status": plan.status, "rep": person(session, plan.rep_id)},
    }


def assessment_changes(
    session: Session, workspace_id: int, assessments: Sequence[Assessment]
) -> list[dict[str, Any]]:
    """The reps whose status, top gap or win rate differ from their snapshot before this run
    (the latest one up to this date, a same-day rerun's included, so a rerun that changes
    nothing reports nothing; a rep assessed for the first time has changed everything).
    Read before the run's snapshots are stored."""
    if not assessments:
        return []
    as_of, window_days = assessments[0].as_of, assessments[0].window_days
    snapshot = AssessmentSnapshot
    latest = (
        select(snapshot.person_id, func.max(snapshot.as_of).label("as_of"))
        .where(
            snapshot.workspace_id == workspace_id,
            snapshot.window_days == window_days,
            snapshot.as_of <= as_of,
        )
        .group_by(snapshot.person_id)
        .subquery()
    )
    before = {
        row.person_id: {
            "status": row.status,
            "top_gap": row.top_gap,
            "win_rate": _rate(row.win_rate),
        }
        for row in session.execute(
            select(snapshot.person_id, snapshot.status, snapshot.top_gap, snapshot.win_rate)
            .join(
                latest,
                (snapshot.person_id == latest.c.person_id) & (snapshot.as_of == latest.c.as_of),
            )
            .where(snapshot.workspace_id == workspace_id, snapshot.window_days == window_days)
        )
    }
    changed = []
    for a in sorted(assessments, key=lambda a: a.email):
        now = {
            "status": str(a.status),
            "top_gap": a.gaps[0].skill if a.gaps else None,
            "win_rate": _rate(a.headline.get("win_rate")),
        }
        then = before.get(a.rep_id)
        fields = [f for f in now if then is None or then[f] != now[f]]
        if fields:
            changed.append(
                {
                    "email": a.email,
                    "name": a.name,
                    **now,
                    "revenue_at_stake": round(float(a.revenue_at_stake), 2),
                    "changed": fields,
                }
            )
    return changed


def _rate(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(float(value), WIN_RATE_DIGITS)
