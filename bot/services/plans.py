"""Coaching plans through their life: drafted from the assessment, approved (and edited) by
the manager, reviewed at 30, 60 and 90 days, closed by the manager's decision."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.analytics.metrics import CrmData
from bot.coaching.assessment import AssessmentConfig
from bot.coaching.checkpoints import CheckpointReview, Decision, measure_objective, review
from bot.coaching.plans import (
    CHECKPOINT_DAYS,
    INTENSIFIED_CADENCE,
    Objective,
    PlanDraft,
    draft_plan,
)
from bot.services.assessments import current_payloads
from bot.services.frames import load_crm_data
from bot.services.outcomes import already_done, once_per_request
from bot.services.visibility import Viewer, can_view
from bot.store.engine import Database
from bot.store.handled import record_handled
from bot.store.locks import locked
from bot.store.models import Checkpoint, CoachingPlan, CoachingSession, Person, PlanVersion
from bot.store.workspaces import find_workspace_id

OPEN = ("draft", "active")
SESSION_KINDS = ("one_on_one", "roleplay", "observation", "mentoring", "training")


class PlanError(ValueError):
    """A plan action that cannot be done; the message says why in user terms."""


def draft_plans(
    db: Database,
    team_id: str,
    today: date,
    now: datetime,
    config: AssessmentConfig,
    rep_ids: list[int] | None = None,
    per_manager: int | None = None,
) -> list[int]:
    """Draft a plan for every rep (or those given) with a measurable gap and no open plan.
    Returns the new plans' ids; each waits for its manager's approval.

    With `per_manager`, a manager gets at most that many new drafts in `today`'s ISO week
    (counting drafts made earlier that week), the reps with the most revenue at stake
    first: a scheduled run must not bury a manager under a dozen drafts at once."""
    workspace_id = _workspace(db, team_id)
    with db.begin() as session:
        reps = session.scalars(
            select(Person).where(
                Person.workspace_id == workspace_id, Person.role == "rep", Person.active.is_(True)
            )
        ).all()
        wanted = [p.id for p in reps if rep_ids is None or p.id in rep_ids]
        busy = set(
            session.scalars(
                select(CoachingPlan.rep_id).where(
                    CoachingPlan.workspace_id == workspace_id, CoachingPlan.status.in_(OPEN)
                )
            )
        )
        managers = {p.id: p.manager_id for p in reps}
    payloads = current_payloads(
        db, team_id, [r for r in wanted if r not in busy], today, now, config
    )
    created = []
    with db.begin() as session:
        left = _drafts_left(session, workspace_id, today, per_manager)
        by_stake = sorted(payloads.items(), key=lambda item: -_stake(item[1]))
        for rep_id, payload in by_stake:
            manager = managers.get(rep_id)
            if left[manager] <= 0:
                continue
            draft = draft_plan(payload, today, _failed_skills(session, rep_id))
            if draft is None:
                continue
            created.append(_insert(session, workspace_id, manager, draft, now))
            left[manager] -= 1
    return created


def _stake(payload: dict[str, Any]) -> float:
    return sum(float(g.get("revenue_at_stake") or 0.0) for g in payload.get("gaps", []))


def _drafts_left(
    session: Session, workspace_id: int, today: date, per_manager: int | None
) -> defaultdict[int | None, float]:
    """How many more drafts each manager may get this ISO week (no limit: infinitely many)."""
    if per_manager is None:
        return defaultdict(lambda: math.inf)
    monday = today - timedelta(days=today.weekday())
    drafted = session.execute(
        select(CoachingPlan.manager_id, func.count())
        .where(CoachingPlan.workspace_id == workspace_id, CoachingPlan.drafted_on >= monday)
        .group_by(CoachingPlan.manager_id)
    )
    left: defaultdict[int | None, float] = defaultdict(lambda: float(per_manager))
    for manager, count in drafted:
        left[manager] = per_manager - count
    return left


def create_plan(db: Database, team_id: str, draft: PlanDraft, now: datetime) -> int:
    """Store a draft plan (from draft_plan, or written by hand) for the rep's manager."""
    workspace_id = _workspace(db, team_id)
    with db.begin() as session:
        rep = session.get(Person, draft.rep_id)
        if rep is None or rep.workspace_id != workspace_id:
            raise PlanError("That rep is not in this workspace.")
        return _insert(session, workspace_id, rep.manager_id, draft, now)


def _failed_skills(session: Session, rep_id: int) -> frozenset[str]:
    """Skills of this rep's earlier plans that ended in a re-plan."""
    plans = session.scalars(
        select(CoachingPlan).where(
            CoachingPlan.rep_id == rep_id, CoachingPlan.status == "replanned"
        )
    ).all()
    skills: set[str] = set()
    for plan in plans:
        skills |= {o["skill"] for o in _version(session, plan).objectives}
    return frozenset(skills)


def _insert(
    session: Session, workspace_id: int, manager_id: int | None, draft: PlanDraft, now: datetime
) -> int:
    plan = CoachingPlan(
        workspace_id=workspace_id,
        rep_id=draft.rep_id,
        manager_id=manager_id,
        status="draft",
        version=1,
        drafted_on=draft.starts_on,
        created_at=now,
    )
    session.add(plan)
    session.flush()
    data = draft.to_dict()
    session.add(
        PlanVersion(
            plan_id=plan.id,
            version=1,
            objectives=data["objectives"],
            cadence=list(draft.cadence),
            rationale=draft.rationale,
            created_at=now,
        )
    )
    return plan.id


def approve(db: Database, viewer: Viewer, plan_id: int, today: date, now: datetime) -> None:
    """The manager (or an admin) approves: the plan starts today; checkpoints are scheduled."""
    with db.begin() as session:
        plan = _plan_for_manager(session, viewer, plan_id, lock=True)
        if plan.status != "draft":
            raise _no_longer_draft(plan)
        version = _version(session, plan)
        shift = (today - plan.drafted_on).days
        if shift:  # approved later than drafted: deadlines move with the start
            objectives = [
                _restated(
                    o,
                    deadline=(
                        date.fromisoformat(o["deadline"]) + timedelta(days=shift)
                    ).isoformat(),
                )
                for o in version.objectives
            ]
            _new_version(session, plan, objectives, version.cadence, version.rationale, viewer, now)
        plan.status = "active"
        plan.started_on = today
        plan.approved_by = viewer.person_id
        plan.approved_at = now
        for day in CHECKPOINT_DAYS:
            session.add(Checkpoint(plan_id=plan.id, day=day, due_on=today + timedelta(days=day)))


def edit_targets(
    db: Database,
    viewer: Viewer,
    plan_id: int,
    targets: dict[str, float],
    now: datetime,
    request: str | None = None,
) -> None:
    """The manager changes objectives' targets: a new version; the old one stays. `request`
    is the form submission's key: the same form submitted again makes no second version."""
    with once_per_request(db, request, "these targets were saved") as session:
        _edit_targets(session, viewer, plan_id, targets, now, request)


def _edit_targets(
    session: Session,
    viewer: Viewer,
    plan_id: int,
    targets: dict[str, float],
    now: datetime,
    request: str | None,
) -> None:
    plan = _plan_for_manager(session, viewer, plan_id, lock=True)
    if plan.status not in OPEN:
        raise PlanError(f"This plan is {plan.status}; it can no longer be edited.")
    record_handled(session, request, viewer.team_id, now)
    version = _version(session, plan)
    objectives = []
    for objective in version.objectives:
        target = targets.get(objective["metric"], objective["target"])
        better = objective["higher_is_better"]
        if (better and target <= objective["baseline"]) or (
            not better and target >= objective["baseline"]
        ):
            raise PlanError(f"The target for {objective['label']} must improve on the baseline.")
        objectives.append(_restated(objective, target=float(target)))
    _new_version(session, plan, objectives, version.cadence, version.rationale, viewer, now)


def _new_version(
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


def plan_details(db: Database, viewer: Viewer, plan_id: int) -> dict[str, Any]:
    """Everything a plan message shows, for someone allowed to see the rep."""
    with db.begin() as session:
        plan = session.get(CoachingPlan, plan_id)
        if (
            plan is None
            or plan.workspace_id != viewer.workspace_id
            or not can_view(session, viewer, plan.rep_id)
        ):
            raise PlanError("You can only see plans of your own reps, or your own.")
        return _details(session, plan)


def _details(session: Session, plan: CoachingPlan) -> dict[str, Any]:
    version = _version(session, plan)
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


def open_plan_of(db: Database, workspace_id: int, rep_id: int) -> dict[str, Any] | None:
    """The rep's draft or active plan, if any (a rep sees only an approved one)."""
    with db.begin() as session:
        plan = session.scalar(
            select(CoachingPlan)
            .where(
                CoachingPlan.workspace_id == workspace_id,
                CoachingPlan.rep_id == rep_id,
                CoachingPlan.status.in_(OPEN),
            )
            .order_by(CoachingPlan.id.desc())
        )
        return _details(session, plan) if plan else None


def due_checkpoints(db: Database, team_id: str, today: date) -> list[int]:
    """Checkpoints due by `today` that have not been reviewed, of active plans."""
    workspace_id = _workspace(db, team_id)
    with db.begin() as session:
        return list(
            session.scalars(
                select(Checkpoint.id)
                .join(CoachingPlan, CoachingPlan.id == Checkpoint.plan_id)
                .where(
                    CoachingPlan.workspace_id == workspace_id,
                    CoachingPlan.status == "active",
                    Checkpoint.due_on <= today,
                    Checkpoint.review.is_(None),
                )
                .order_by(Checkpoint.due_on, Checkpoint.id)
            )
        )


def run_checkpoint(
    db: Database, team_id: str, checkpoint_id: int, now: datetime, stages: tuple[str, ...]
) -> CheckpointReview:
    """Measure each objective since the plan started (up to the due date) and store the review
    with coachbot's proposed decision; the manager confirms or overrides it."""
    workspace_id = _workspace(db, team_id)
    with db.begin() as session:
        checkpoint = session.get(Checkpoint, checkpoint_id)
        if checkpoint is None or checkpoint.manager_decision is not None:
            raise PlanError("That review was already decided; it is not measured again.")
        plan = session.get(CoachingPlan, checkpoint.plan_id)
        assert plan is not None and plan.started_on is not None
        objectives = tuple(_objective(o) for o in _version(session, plan).objectives)
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
        raise PlanError(f"Unknown decision {decision!r}.")
    with db.begin() as session:
        checkpoint = session.get(Checkpoint, checkpoint_id)
        if checkpoint is None:
            raise PlanError("That review no longer exists.")
        # The plan's lock orders every decision on it; the review is read again under it.
        plan = _plan_for_manager(session, viewer, checkpoint.plan_id, lock=True)
        session.refresh(checkpoint)
        if checkpoint.manager_decision is not None:
            raise already_done(
                f"this review was decided ({checkpoint.manager_decision})",
                checkpoint.confirmed_at,
            )
        checkpoint.manager_decision = decision
        checkpoint.confirmed_by = viewer.person_id
        checkpoint.confirmed_at = now
        today = checkpoint.due_on
        if decision == Decision.GRADUATE:
            plan.status, plan.closed_on = "graduated", today
        elif decision == Decision.REPLAN:
            plan.status, plan.closed_on = "replanned", today
        elif decision == Decision.INTENSIFY:
            version = _version(session, plan)
            _new_version(
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
        return plan.status


def log_session(
    db: Database, viewer: Viewer, plan_id: int, kind: str, minutes: int, held_on: date
) -> None:
    """Time spent coaching on a plan: the cost side of the return on coaching."""
    if kind not in SESSION_KINDS:
        raise PlanError(f"A session is one of {', '.join(SESSION_KINDS)}.")
    if not 0 < minutes <= 8 * 60:
        raise PlanError("Minutes must be between 1 and 480.")
    with db.begin() as session:
        plan = _plan_for_manager(session, viewer, plan_id)
        if plan.status != "active":
            raise PlanError(
                f"Coaching time is logged on an active plan; this one is {plan.status}."
            )
        session.add(
            CoachingSession(
                plan_id=plan.id,
                kind=kind,
                minutes=minutes,
                held_on=held_on,
                logged_by=viewer.person_id,
            )
        )


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


def _restated(objective: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A stored objective with `changes`, its sentence written again to match them."""
    updated = {**objective, **changes}
    updated["statement"] = _objective(updated).statement
    return updated


def _objective(data: dict[str, Any]) -> Objective:
    fields = {k: data[k] for k in Objective.__dataclass_fields__}
    fields["deadline"] = date.fromisoformat(str(data["deadline"]))
    fields["approach"] = tuple(data["approach"])
    return Objective(**fields)


def _version(session: Session, plan: CoachingPlan) -> PlanVersion:
    version = session.scalar(
        select(PlanVersion).where(
            PlanVersion.plan_id == plan.id, PlanVersion.version == plan.version
        )
    )
    assert version is not None
    return version


def _plan_for_manager(
    session: Session, viewer: Viewer, plan_id: int, lock: bool = False
) -> CoachingPlan:
    """The plan, if the viewer may approve and review it; `lock` before changing it, so that
    concurrent clicks take turns instead of each acting on the state they read."""
    plan = locked(session, CoachingPlan, plan_id) if lock else session.get(CoachingPlan, plan_id)
    if plan is None or plan.workspace_id != viewer.workspace_id:
        raise PlanError("That plan does not exist.")
    if plan.rep_id == viewer.person_id or not (viewer.is_manager or viewer.is_admin):
        raise PlanError("Plans are approved and reviewed by the rep's manager.")
    if not can_view(session, viewer, plan.rep_id):
        raise PlanError("Only the rep's managers and admins can do this.")
    return plan


def _no_longer_draft(plan: CoachingPlan) -> Exception:
    if plan.approved_at is not None:
        return already_done("this plan was approved", plan.approved_at)
    return PlanError(f"This plan is {plan.status}; it can no longer be approved.")


def _workspace(db: Database, team_id: str) -> int:
    with db.begin() as session:
        workspace_id = find_workspace_id(session, team_id)
    if workspace_id is None:
        raise PlanError(f"No data for workspace {team_id!r}: import CRM files first.")
    return workspace_id


def plan_for_delivery(db: Database, plan_id: int) -> dict[str, Any]:
    """A plan's details with the Slack ids of its rep and manager, for system messages
    (jobs and the CLI send these; no viewer is involved)."""
    with db.begin() as session:
        plan = session.get(CoachingPlan, plan_id)
        if plan is None:
            raise PlanError(f"No plan {plan_id}.")
        details = _details(session, plan)
        manager = session.get(Person, plan.manager_id) if plan.manager_id else None
        details["manager_slack_id"] = manager.slack_user_id if manager else None
        details["manager_name"] = manager.name if manager else None
        return details


def checkpoint_for_delivery(db: Database, checkpoint_id: int) -> dict[str, Any]:
    with db.begin() as session:
        checkpoint = session.get(Checkpoint, checkpoint_id)
        if checkpoint is None or checkpoint.review is None:
            raise PlanError(f"Checkpoint {checkpoint_id} has no review yet.")
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


def list_plans(
    db: Database, team_id: str, plan_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Plans of the workspace (or the given ones), newest first, with rep and objectives."""
    workspace_id = _workspace(db, team_id)
    with db.begin() as session:
        query = select(CoachingPlan).where(CoachingPlan.workspace_id == workspace_id)
        if plan_ids is not None:
            query = query.where(CoachingPlan.id.in_(plan_ids))
        return [
            _details(session, p) for p in session.scalars(query.order_by(CoachingPlan.id.desc()))
        ]


def open_plan_status(db: Database, workspace_id: int) -> dict[int, str]:
    """Each rep's open plan's status (draft or active), by rep id."""
    with db.begin() as session:
        return {
            p.rep_id: p.status
            for p in session.scalars(
                select(CoachingPlan).where(
                    CoachingPlan.workspace_id == workspace_id, CoachingPlan.status.in_(OPEN)
                )
            )
        }


def reviews_awaiting_decision(db: Database, workspace_id: int) -> list[dict[str, Any]]:
    """Reviewed checkpoints of active plans the manager has not decided on yet."""
    with db.begin() as session:
        rows = session.execute(
            select(
                Checkpoint.day, Checkpoint.decision, CoachingPlan.rep_id, CoachingPlan.manager_id
            )
            .join(CoachingPlan, CoachingPlan.id == Checkpoint.plan_id)
            .where(
                CoachingPlan.workspace_id == workspace_id,
                CoachingPlan.status == "active",
                Checkpoint.decision.is_not(None),
                Checkpoint.manager_decision.is_(None),
            )
            .order_by(Checkpoint.due_on)
        ).all()
    return [
        {"rep_id": r.rep_id, "day": r.day, "decision": r.decision, "manager_id": r.manager_id}
        for r in rows
    ]


def open_drafts(db: Database, team_id: str) -> list[int]:
    """Plans drafted and not yet approved, oldest first."""
    workspace_id = _workspace(db, team_id)
    with db.begin() as session:
        return list(
            session.scalars(
                select(CoachingPlan.id)
                .where(CoachingPlan.workspace_id == workspace_id, CoachingPlan.status == "draft")
                .order_by(CoachingPlan.id)
            )
        )


def unsent_reviews(db: Database, team_id: str) -> list[int]:
    """Reviewed checkpoints of active plans still waiting for the manager's decision: their
    messages are (re)sent by the reviews job, once each thanks to the delivery log."""
    workspace_id = _workspace(db, team_id)
    with db.begin() as session:
        return list(
            session.scalars(
                select(Checkpoint.id)
                .join(CoachingPlan, CoachingPlan.id == Checkpoint.plan_id)
                .where(
                    CoachingPlan.workspace_id == workspace_id,
                    CoachingPlan.status == "active",
                    Checkpoint.review.is_not(None),
                    Checkpoint.manager_decision.is_(None),
                )
                .order_by(Checkpoint.id)
            )
        )
