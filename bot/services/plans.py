"""Coaching plans through their life: drafted from the assessment, approved (and edited) by
the manager, coaching time logged against them. Their 30/60/90-day reviews are
bot/services/checkpoints.py."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.coaching.assessment import AssessmentConfig
from bot.coaching.plans import (
    CHECKPOINT_DAYS,
    PlanDraft,
    draft_plan,
)
from bot.render.sentences import sentence
from bot.services import webhook_payloads, webhooks
from bot.services.assessments import current_payloads
from bot.services.outcomes import already_done, once_per_request
from bot.services.plan_records import (
    OPEN,
    PlanError,
    current_version,
    new_version,
    plan_dict,
    plan_for_manager,
    restated,
    workspace_of,
)
from bot.services.visibility import Viewer, can_view
from bot.store.engine import Database
from bot.store.handled import record_handled
from bot.store.models import Checkpoint, CoachingPlan, CoachingSession, Person, PlanVersion

SESSION_KINDS = ("one_on_one", "roleplay", "observation", "mentoring", "training")


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
    workspace_id = workspace_of(db, team_id)
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
    workspace_id = workspace_of(db, team_id)
    with db.begin() as session:
        rep = session.get(Person, draft.rep_id)
        if rep is None or rep.workspace_id != workspace_id:
            raise PlanError(sentence("rep_not_in_workspace"))
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
        skills |= {o["skill"] for o in current_version(session, plan).objectives}
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
        plan = plan_for_manager(session, viewer, plan_id, lock=True)
        if plan.status != "draft":
            raise _no_longer_draft(plan)
        version = current_version(session, plan)
        objectives = version.objectives
        shift = (today - plan.drafted_on).days
        if shift:  # approved later than drafted: deadlines move with the start
            objectives = [
                restated(
                    o,
                    deadline=(
                        date.fromisoformat(o["deadline"]) + timedelta(days=shift)
                    ).isoformat(),
                )
                for o in version.objectives
            ]
            new_version(session, plan, objectives, version.cadence, version.rationale, viewer, now)
        plan.status = "active"
        plan.started_on = today
        plan.approved_by = viewer.person_id
        plan.approved_at = now
        for day in CHECKPOINT_DAYS:
            session.add(Checkpoint(plan_id=plan.id, day=day, due_on=today + timedelta(days=day)))
        # In this transaction: the event exists exactly when the approval does.
        data = webhook_payloads.plan_approved(session, plan, objectives, CHECKPOINT_DAYS)
        webhooks.emit(session, plan.workspace_id, "plan.approved", data, now)


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
    with once_per_request(db, request, sentence("targets_were_saved")) as session:
        _edit_targets(session, viewer, plan_id, targets, now, request)


def _edit_targets(
    session: Session,
    viewer: Viewer,
    plan_id: int,
    targets: dict[str, float],
    now: datetime,
    request: str | None,
) -> None:
    plan = plan_for_manager(session, viewer, plan_id, lock=True)
    if plan.status not in OPEN:
        raise PlanError(sentence("plan_not_editable", status=plan.status))
    record_handled(session, request, viewer.team_id, now)
    version = current_version(session, plan)
    objectives = []
    for objective in version.objectives:
        target = targets.get(objective["metric"], objective["target"])
        better = objective["higher_is_better"]
        if (better and target <= objective["baseline"]) or (
            not better and target >= objective["baseline"]
        ):
            raise PlanError(sentence("target_must_improve", label=objective["label"]))
        objectives.append(restated(objective, target=float(target)))
    new_version(session, plan, objectives, version.cadence, version.rationale, viewer, now)


def plan_details(db: Database, viewer: Viewer, plan_id: int) -> dict[str, Any]:
    """Everything a plan message shows, for someone allowed to see the rep."""
    with db.begin() as session:
        plan = session.get(CoachingPlan, plan_id)
        if (
            plan is None
            or plan.workspace_id != viewer.workspace_id
            or not can_view(session, viewer, plan.rep_id)
        ):
            raise PlanError(sentence("only_own_plans"))
        return plan_dict(session, plan)


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
        return plan_dict(session, plan) if plan else None


def log_session(
    db: Database, viewer: Viewer, plan_id: int, kind: str, minutes: int, held_on: date
) -> None:
    """Time spent coaching on a plan: the cost side of the return on coaching."""
    if kind not in SESSION_KINDS:
        raise PlanError(sentence("unknown_session_kind", kinds=SESSION_KINDS))
    if not 0 < minutes <= 8 * 60:
        raise PlanError(sentence("minutes_out_of_range"))
    with db.begin() as session:
        plan = plan_for_manager(session, viewer, plan_id)
        if plan.status != "active":
            raise PlanError(sentence("plan_not_active", status=plan.status))
        session.add(
            CoachingSession(
                plan_id=plan.id,
                kind=kind,
                minutes=minutes,
                held_on=held_on,
                logged_by=viewer.person_id,
            )
        )


def _no_longer_draft(plan: CoachingPlan) -> Exception:
    if plan.approved_at is not None:
        return already_done(sentence("plan_was_approved"), plan.approved_at)
    return PlanError(sentence("plan_not_approvable", status=plan.status))


def list_plans(
    db: Database, team_id: str, plan_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Plans of the workspace (or the given ones), newest first, with rep and objectives."""
    workspace_id = workspace_of(db, team_id)
    with db.begin() as session:
        query = select(CoachingPlan).where(CoachingPlan.workspace_id == workspace_id)
        if plan_ids is not None:
            query = query.where(CoachingPlan.id.in_(plan_ids))
        return [
            plan_dict(session, p) for p in session.scalars(query.order_by(CoachingPlan.id.desc()))
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


def open_drafts(db: Database, team_id: str) -> list[int]:
    """Plans drafted and not yet approved, oldest first."""
    workspace_id = workspace_of(db, team_id)
    with db.begin() as session:
        return list(
            session.scalars(
                select(CoachingPlan.id)
                .where(CoachingPlan.workspace_id == workspace_id, CoachingPlan.status == "draft")
                .order_by(CoachingPlan.id)
            )
        )


def plan_for_delivery(db: Database, plan_id: int) -> dict[str, Any]:
    """A plan's details with the Slack ids of its rep and manager, for system messages
    (jobs and the CLI send these; no viewer is involved)."""
    with db.begin() as session:
        plan = session.get(CoachingPlan, plan_id)
        if plan is None:
            raise PlanError(sentence("no_such_plan", plan_id=plan_id))
        details = plan_dict(session, plan)
        manager = session.get(Person, plan.manager_id) if plan.manager_id else None
        details["manager_slack_id"] = manager.slack_user_id if manager else None
        details["manager_name"] = manager.name if manager else None
        return details
