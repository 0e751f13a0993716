"""Plan messages in Slack: the draft to the manager, the approved plan to the rep, checkpoint
reviews to both, and the manager's decisions. Used by listeners, the CLI and jobs."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from bot.coaching.plans import CHECKPOINT_DAYS
from bot.delivery.once import Outgoing, direct_message
from bot.render.renderer import message, view
from bot.render.sentences import sentence
from bot.services import checkpoints, plans
from bot.store.engine import Database

logger = logging.getLogger(__name__)


def draft_message(plan: dict[str, Any]) -> dict[str, Any]:
    return message("messages/plan_draft.json.j2", plan=_with_checkpoints(plan))


def plan_message(plan: dict[str, Any], own: bool, latest: dict[str, Any] | None) -> dict[str, Any]:
    return message(
        "messages/plan_active.json.j2", plan=_with_checkpoints(plan), own=own, latest_review=latest
    )


def review_message(
    review: dict[str, Any], rep_name: str, checkpoint_id: int, for_manager: bool
) -> dict[str, Any]:
    return message(
        "messages/checkpoint_review.json.j2",
        review=review,
        rep_name=rep_name,
        checkpoint_id=checkpoint_id,
        for_manager=for_manager,
    )


def edit_modal(plan: dict[str, Any]) -> dict[str, Any]:
    return view("views/edit_plan_modal.json.j2", plan=plan)


# The delivery kinds: one draft per plan, one approved plan to its rep, one notice per review.
DRAFT, APPROVED, DECIDED = "plan-draft", "plan-approved", "plan-decision"


def draft_messages(client: Any, db: Database, plan_ids: list[int]) -> list[Outgoing]:
    """Each draft to its rep's manager, keyed by plan, so whoever sends it (the plan_drafts
    job, `coachbot plans draft --send`, the demo) sends it once. A manager without a Slack
    account is skipped (the draft waits, visible to `coachbot plans list`)."""
    messages = []
    for plan_id in plan_ids:
        plan = plans.plan_for_delivery(db, plan_id)
        if not plan["manager_slack_id"]:
            logger.warning("plan %s: the rep's manager has no Slack id; draft not sent", plan_id)
            continue
        build = partial(draft_message, plan)
        messages.append(
            direct_message(client, DRAFT, plan["manager_slack_id"], str(plan_id), build)
        )
    return messages


def approved_plan(client: Any, db: Database, plan_id: int) -> Outgoing | None:
    """The approved plan to its rep, once per plan; None when the rep is not on Slack."""
    plan = plans.plan_for_delivery(db, plan_id)
    if not plan["rep_slack_id"]:
        return None
    build = partial(plan_message, plan, own=True, latest=None)
    return direct_message(client, APPROVED, plan["rep_slack_id"], str(plan_id), build)


def decision_notice(
    client: Any, db: Database, checkpoint_id: int, decision: str
) -> Outgoing | None:
    """The rep is told what their manager decided at a review, once per review."""
    found = checkpoints.checkpoint_for_delivery(db, checkpoint_id)
    rep = found["plan"]["rep_slack_id"]
    if not rep:
        return None
    build = partial(
        message,
        "messages/notice.json.j2",
        text=sentence("decision_told_to_rep", day=found["review"]["day"], decision=decision),
    )
    return direct_message(client, DECIDED, rep, str(checkpoint_id), build)


def review_messages(client: Any, db: Database, checkpoint_id: int) -> list[Outgoing]:
    """The review to the rep (what was measured) and to the manager (with decision buttons),
    keyed so that whoever sends them (the reviews job, the CLI) sends each once."""
    found = checkpoints.checkpoint_for_delivery(db, checkpoint_id)
    plan = found["plan"]
    messages = []
    for role, user, name in (
        ("rep", plan["rep_slack_id"], "you"),
        ("manager", plan["manager_slack_id"], plan["rep_name"]),
    ):
        if user:
            payload = review_message(
                found["review"], name, checkpoint_id, for_manager=role == "manager"
            )
            messages.append(
                direct_message(
                    client, f"review-{role}", user, str(checkpoint_id), lambda p=payload: p
                )
            )
    return messages


def _with_checkpoints(plan: dict[str, Any]) -> dict[str, Any]:
    """Checkpoint dates to show: scheduled ones for an active plan, planned ones for a draft."""
    start = plan.get("started_on") or plan["drafted_on"]
    days = [c["due_on"] for c in plan.get("checkpoints", [])] or [
        start + timedelta(days=d) for d in CHECKPOINT_DAYS
    ]
    return {**plan, "checkpoints": days}
