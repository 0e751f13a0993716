"""Coaching requests from a sales-process coach (a rep, a skill, what it saw): kept, and
delivered to the rep's manager in Slack as a suggestion, once per request through the
delivery log. A manager not yet matched to Slack gets it when they are (the job retries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from bot.delivery.once import Outcome, deliver, direct_message
from bot.render.renderer import message
from bot.services import webhooks
from bot.store.engine import Database
from bot.store.models import CoachingRequest, Deal, Person

KIND = "coaching-request"
# Why a request is not (yet) with the manager.
NO_MANAGER, MANAGER_NOT_ON_SLACK = "no_manager", "manager_not_on_slack"
# The manager is on Slack but the message has not gone yet (Slack failed, or this process
# could not reach the workspace): the coaching_requests job sends it within minutes.
QUEUED = "queued"


class UnknownRep(LookupError):
    """No active rep of this workspace has that email."""


class UnknownDeal(LookupError):
    """The rep has no deal with that id in this workspace."""


@dataclass(frozen=True)
class RequestState:
    id: int
    rep_email: str
    skill: str
    status: str  # pending, delivered, undeliverable
    reason: str | None  # why it is not delivered, when it is not
    manager_email: str | None
    created_at: datetime
    delivered_at: datetime | None


def file_request(
    db: Database,
    workspace_id: int,
    rep_email: str,
    skill: str,
    context: str,
    source: str,
    deal_external_id: str | None,
    now: datetime,
) -> int:
    """Keep the request; a rep without a manager makes it undeliverable from the start."""
    with db.begin() as session:
        rep = session.scalar(
            select(Person).where(
                Person.workspace_id == workspace_id,
                Person.email == rep_email.strip().lower(),
                Person.role == "rep",
                Person.active.is_(True),
            )
        )
        if rep is None:
            raise UnknownRep(rep_email)
        if deal_external_id is not None:
            owned = session.scalar(
                select(Deal.id).where(
                    Deal.workspace_id == workspace_id,
                    Deal.external_id == deal_external_id,
                    Deal.owner_id == rep.id,
                )
            )
            if owned is None:
                raise UnknownDeal(deal_external_id)
        request = CoachingRequest(
            workspace_id=workspace_id,
            person_id=rep.id,
            skill=skill,
            context=context.strip(),
            source=source,
            deal_external_id=deal_external_id,
            status="pending" if rep.manager_id is not None else "undeliverable",
            created_at=now,
        )
        session.add(request)
        session.flush()
        webhooks.emit(
            session,
            workspace_id,
            "coaching_request.received",
            {
                "id": request.id,
                "rep": {"email": rep.email, "name": rep.name},
                "skill": skill,
                "context": request.context,
                "source": source,
                "deal_id": deal_external_id,
                "status": request.status,
            },
            now,
        )
        return request.id


def request_state(db: Database, workspace_id: int, request_id: int) -> RequestState | None:
    rep, manager = aliased(Person), aliased(Person)
    with db.begin() as session:
        row = session.execute(
            select(CoachingRequest, rep.email, manager.email, manager.slack_user_id)
            .join(rep, rep.id == CoachingRequest.person_id)
            .outerjoin(manager, manager.id == rep.manager_id)
            .where(CoachingRequest.workspace_id == workspace_id, CoachingRequest.id == request_id)
        ).first()
    if row is None:
        return None
    request, rep_email, manager_email, manager_slack = row
    reason = None
    if request.status != "delivered":
        reason = NO_MANAGER if manager_email is None else None
        if manager_email is not None:
            reason = MANAGER_NOT_ON_SLACK if manager_slack is None else QUEUED
    return RequestState(
        request.id,
        rep_email,
        request.skill,
        request.status,
        reason,
        manager_email,
        request.created_at,
        request.delivered_at,
    )


def deliver_pending(
    db: Database,
    client: Any,
    workspace_id: int,
    now: datetime,
    only: int | None = None,
) -> list[Outcome]:
    """DM each pending request (or just `only`) to the rep's manager where the manager is on
    Slack; a request the delivery log already shows as sent is marked delivered too."""
    outcomes = []
    for request_id, outgoing in _due(client, db, workspace_id, only):
        outcome = deliver(db, client, workspace_id, outgoing, now)
        if outcome.status in ("sent", "skipped"):
            with db.begin() as session:
                session.execute(
                    update(CoachingRequest)
                    .where(CoachingRequest.id == request_id, CoachingRequest.status == "pending")
                    .values(status="delivered", delivered_at=now)
                )
        outcomes.append(outcome)
    return outcomes


def _due(client: Any, db: Database, workspace_id: int, only: int | None) -> list[tuple[int, Any]]:
    rep, manager = aliased(Person), aliased(Person)
    query = (
        select(
            CoachingRequest,
            rep.name.label("rep_name"),
            rep.slack_user_id.label("rep_slack_id"),
            manager.slack_user_id.label("manager_slack_id"),
            Deal.account,
            Deal.amount,
            Deal.currency,
        )
        .join(rep, rep.id == CoachingRequest.person_id)
        .join(manager, manager.id == rep.manager_id)
        .outerjoin(
            Deal,
            (Deal.workspace_id == CoachingRequest.workspace_id)
            & (Deal.external_id == CoachingRequest.deal_external_id),
        )
        .where(
            CoachingRequest.workspace_id == workspace_id,
            CoachingRequest.status == "pending",
            manager.slack_user_id.is_not(None),
            manager.active.is_(True),
            manager.slack_deactivated.is_(False),
        )
        .order_by(CoachingRequest.id)
    )
    if only is not None:
        query = query.where(CoachingRequest.id == only)
    with db.begin() as session:
        rows = session.execute(query).all()
    due = []
    for row in rows:
        request = row.CoachingRequest
        details = {
            "rep_name": row.rep_name,
            "rep_slack_id": row.rep_slack_id,
            "skill": request.skill,
            "context": request.context,
            "source": request.source,
            "deal": request.deal_external_id,
            "account": row.account,
            "amount": None if row.amount is None else float(row.amount),
            "currency": row.currency,
        }
        outgoing = direct_message(
            client,
            KIND,
            row.manager_slack_id,
            f"request-{request.id}",
            lambda details=details: message("messages/coaching_request.json.j2", request=details),
        )
        due.append((request.id, outgoing))
    return due
