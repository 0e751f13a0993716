"""A plan's 30/60/90-day reviews: which are due, measuring each objective since the plan
started, the manager's decision (continue, intensify, graduate, re-plan) and the plan that
follows from it, and the reviews still waiting for a decision."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from bot.analytics.metrics import CrmData
from bot.coaching.checkpoints import CheckpointReview, Decision, measure_objective, review
from bot.coaching.plans import (
    CHECKPOINT_DAYS,
    INTENSIFIED_CADENCE,
)
from bot.render.sentences import sentence
from bot.services import webhook_payloads, webhooks
from bot.services.frames import load_crm_data
from bot.services.outcomes import already_done
from bot.services.plan_records import (
    PlanError,
    current_version,
    new_version,
    objective_from,
    plan_for_manager,
    workspace_of,
)
from bot.services.plans import plan_for_delivery
from bot.services.visibility import Viewer
from bot.store.engine import Database
from bot.store.models import Checkpoint, CoachingPlan


def due_checkpoints(db: Database, team_id: str, today: date) -> list[int]:
    """Checkpoints due by `today` that have not been reviewed, of active plans."""
    workspace_id = workspace_of(db, team_id)
    with db.begin() as session:
        return list(
            session.scalars(
                _of_active_plans(select(Checkpoint.id), workspace_id)
                .where(Checkpoint.due_on <= today, Checkpoint.review.is_(None))
                .order_by(Checkpoint.due_on, Checkpoint.id)
            )
        )


def run_checkpoint(
    db: Database, team_id: str, checkpoint_id: int, now: datetime, stages: tuple[str, ...]
) -> CheckpointReview:
    """Measure each objective since the plan started (up to the due date) and store the review
    with coachbot's proposed decision; the manager confirms or overrides it."""
    workspace_id = workspace_of(db, team_id)
    with db.begin() as session:
        checkpoint = session.get(Checkpoint, checkpoint_id)
        if checkpoint is None or checkpoint.manager_decision is not None:
            raise PlanError(sentence("review_not_measured_again"))
        plan = session.get(CoachingPlan, checkpoint.plan_id)
        assert plan is not None and plan.started_on is not None
        objectives = tuple(objective_from(o) for o in current_version(session, plan).objectives)
        data = load_crm_data(session, workspace_id)
        started, due, rep_id, day = plan.started_on, checkpoint.due_on, plan.rep_id, checkpoint.day
    measurements = tuple(
        measure_objective(o, data, rep_id, started, due, stages) for o in objectives
    )
    result = review(objectives, measurements, day, due)
    skills = {o.skill for o in objectives}
    with db.begin() as session:
        checkpoint = session.get(Checkpoint, checkpoint_id)
        assert checkpoint is not None
        checkpoint.review = {
            **review_dict(result),
            "feedback": _feedback_since(data, rep_id, started, due, skills),
        }
        checkpoint.decision = str(result.decision)
        checkpoint.reviewed_at = now
    return result


def confirm(db: Database, viewer: Viewer, checkpoint_id: int, decision: str, now: datetime) -> str:
    """The manager confirms coachbot's decision or overrides it; the plan follows."""
    if decision not in {d.value for d in Decision}:
        raise PlanError(sentence("unknown_decision", decision=decision))
    with db.begin() as session:
        checkpoint = session.get(Checkpoint, checkpoint_id)
        if checkpoint is None:
            raise PlanError(sentence("review_gone"))
        # The plan's lock orders every decision on it; the review is read again under it.
        plan = plan_for_manager(session, viewer, checkpoint.plan_id, lock=True)
        session.refresh(checkpoint)
        if checkpoint.manager_decision is not None:
            decided = sentence("review_already_decided", decision=checkpoint.manager_decision)
            raise already_done(decided, checkpoint.confirmed_at)
        checkpoint.manager_decision = decision
        checkpoint.confirmed_by = viewer.person_id
        checkpoint.confirmed_at = now
        today = checkpoint.due_on
        if decision == Decision.GRADUATE:
            plan.status, plan.closed_on = "graduated", today
        elif decision == Decision.REPLAN:
            plan.status, plan.closed_on = "replanned", today
        elif decision == Decision.INTENSIFY:
            version = current_version(session, plan)
            new_version(
                session,
                plan,
                version.objectives,
                list(INTENSIFIED_CADENCE),
                version.rationale,
                viewer,
                now,
            )
        last = session.scalar(select(func.max(Checkpoint.day)).where(Checkpoint.plan_id == plan.id))
        if checkpoint.day == last and decision in (Decision.CONTINUE, Decision.INTENSIFY):
            # The cycle's last review, and the plan goes on: another 30/60/90 days of reviews.
            for day in CHECKPOINT_DAYS:
                session.add(
                    Checkpoint(
                        plan_id=plan.id,
                        day=checkpoint.day + day,
                        due_on=checkpoint.due_on + timedelta(days=day),
                    )
                )
        # In this transaction: the event exists exactly when the decision does.
        data = webhook_payloads.checkpoint_decided(session, checkpoint, plan)
        webhooks.emit(session, plan.workspace_id, "checkpoint.decided", data, now)
        return plan.status


MAX_FEEDBACK_IN_REVIEW = 3


def _feedback_since(
    data: CrmData, rep_id: int, started: date, until: date, skills: set[str]
) -> list[dict[str, Any]]:
    """Manager, customer and peer feedback on the plan's skills since it started, newest
    first: what the numbers cannot say."""
    feedback = data.feedback
    if feedback.empty:
        return []
    recent = feedback[
        (feedback["about_id"] == rep_id)
        & feedback["skill"].isin(skills)
        & (feedback["given_on"] > started)
        & (feedback["given_on"] <= until)
    ].sort_values("given_on", ascending=False)
    return [
        {
            "given_on": row.given_on.isoformat(),
            "source": row.source,
            "skill": row.skill,
            "rating": int(row.rating),
            "note": row.note if isinstance(row.note, str) else None,
        }
        for row in recent.head(MAX_FEEDBACK_IN_REVIEW).itertuples()
    ]


def review_dict(result: CheckpointReview) -> dict[str, Any]:
    return {
        "day": result.day,
        "as_of": result.as_of.isoformat(),
        "decision": str(result.decision),
        "reason": result.reason,
        "objectives": [
            {
                "statement": p.objective.statement,
                "label": p.objective.label,
                "unit": p.objective.unit,
                "baseline": p.objective.baseline,
                "target": p.objective.target,
                "value": p.measured.value,
                "sample_size": p.measured.sample_size,
                "low": p.measured.low,
                "high": p.measured.high,
                "progress": p.progress,
                "standing": str(p.standing),
            }
            for p in result.progress
        ],
    }


def checkpoint_for_delivery(db: Database, checkpoint_id: int) -> dict[str, Any]:
    with db.begin() as session:
        checkpoint = session.get(Checkpoint, checkpoint_id)
        if checkpoint is None or checkpoint.review is None:
            raise PlanError(sentence("checkpoint_not_reviewed", checkpoint_id=checkpoint_id))
        plan_id, review = checkpoint.plan_id, checkpoint.review
    details = plan_for_delivery(db, plan_id)
    return {"checkpoint_id": checkpoint_id, "review": review, "plan": details}


def latest_review(db: Database, plan_id: int) -> dict[str, Any] | None:
    with db.begin() as session:
        checkpoint = session.scalar(
            select(Checkpoint)
            .where(Checkpoint.plan_id == plan_id, Checkpoint.review.is_not(None))
            .order_by(Checkpoint.day.desc())
        )
        return dict(checkpoint.review) if checkpoint else None


def reviews_awaiting_decision(db: Database, workspace_id: int) -> list[dict[str, Any]]:
    """Reviewed checkpoints of active plans the manager has not decided on yet."""
    with db.begin() as session:
        rows = session.execute(
            _of_active_plans(
                select(
                    Checkpoint.day,
                    Checkpoint.decision,
                    CoachingPlan.rep_id,
                    CoachingPlan.manager_id,
                ),
                workspace_id,
            )
            .where(Checkpoint.decision.is_not(None), Checkpoint.manager_decision.is_(None))
            .order_by(Checkpoint.due_on)
        ).all()
    return [
        {"rep_id": r.rep_id, "day": r.day, "decision": r.decision, "manager_id": r.manager_id}
        for r in rows
    ]


def unsent_reviews(db: Database, team_id: str) -> list[int]:
    """Reviewed checkpoints of active plans still waiting for the manager's decision: their
    messages are (re)sent by the reviews job, once each thanks to the delivery log."""
    workspace_id = workspace_of(db, team_id)
    with db.begin() as session:
        return list(
            session.scalars(
                _of_active_plans(select(Checkpoint.id), workspace_id)
                .where(Checkpoint.review.is_not(None), Checkpoint.manager_decision.is_(None))
                .order_by(Checkpoint.id)
            )
        )


def _of_active_plans(query: Select[Any], workspace_id: int) -> Select[Any]:
    """`query` over checkpoints, kept to those of the workspace's active plans: where every
    list of reviews starts."""
    return query.join(CoachingPlan, CoachingPlan.id == Checkpoint.plan_id).where(
        CoachingPlan.workspace_id == workspace_id, CoachingPlan.status == "active"
    )
