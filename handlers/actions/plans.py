"""Plan buttons: approve a draft, edit its targets, decide at a checkpoint (managers only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.delivery import poster
from bot.delivery.once import Outcome
from bot.ids import Actions
from bot.render.sentences import mrkdwn_sentence
from bot.services import checkpoints, plan_messages, plans
from bot.services.answers import StaleButton, button_id, notice, refusal
from bot.services.outcomes import AlreadyDone
from bot.slack.middleware import clicker


def approve_plan(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    viewer, deps, surface = clicker(body, client, context)
    try:
        plan_id = button_id(action.get("value"))
        plans.approve(deps.db, viewer, plan_id, deps.today_for(viewer.timezone), deps.clock.now())
    except (StaleButton, plans.PlanError, AlreadyDone) as problem:
        surface.reply(refusal(problem))
        return
    plan = plans.plan_for_delivery(deps.db, plan_id)
    sent = deps.deliver(
        client, viewer.workspace_id, plan_messages.approved_plan(client, deps.db, plan_id)
    )
    surface.reply(notice(_approved(plan["rep_name"], sent)))


def _approved(name: str, sent: Outcome | None) -> str:
    if sent is None:
        return mrkdwn_sentence("plan_approved_rep_not_on_slack", rep=name)
    if sent.status == "failed":
        return mrkdwn_sentence("plan_approved_dm_failed", rep=name)
    return mrkdwn_sentence("plan_approved", rep=name)


def edit_plan(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    viewer, deps, surface = clicker(body, client, context)
    try:
        plan = plans.plan_details(deps.db, viewer, button_id(action.get("value")))
    except (StaleButton, plans.PlanError, AlreadyDone) as problem:
        surface.reply(refusal(problem))
        return
    poster.open_modal(client, body["trigger_id"], plan_messages.edit_modal(plan))


def decide_checkpoint(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    viewer, deps, surface = clicker(body, client, context)
    decision = str(action.get("action_id", "")).removeprefix(Actions.DECIDE_CHECKPOINT_PREFIX)
    try:
        checkpoint = button_id(action.get("value"))
        status = checkpoints.confirm(deps.db, viewer, checkpoint, decision, deps.clock.now())
    except (StaleButton, plans.PlanError, AlreadyDone) as problem:
        surface.reply(refusal(problem))
        return
    found = checkpoints.checkpoint_for_delivery(deps.db, checkpoint)
    plan = found["plan"]
    recorded = mrkdwn_sentence(
        "decision_recorded", decision=decision, rep=plan["rep_name"], status=status
    )
    surface.reply(notice(recorded))
    told = plan_messages.decision_notice(client, deps.db, checkpoint, decision)
    deps.deliver(client, viewer.workspace_id, told)
