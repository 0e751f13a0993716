"""Plan buttons: approve a draft, edit its targets, decide at a checkpoint (managers only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.ids import Actions
from bot.render.renderer import escape_mrkdwn
from bot.services import plans
from bot.slack import plan_messages
from bot.slack.answers import StaleButton, button_id, notice, refusal
from bot.slack.middleware import deps_of, viewer_of
from bot.slack.surfaces import DmSurface


def approve_plan(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    viewer = viewer_of(context, client)
    deps = deps_of(context)
    surface = DmSurface(client, body["user"]["id"])
    try:
        plan_id = button_id(action.get("value"))
        plans.approve(deps.db, viewer, plan_id, deps.today_for(viewer.timezone), deps.clock.now())
    except (StaleButton, plans.PlanError) as problem:
        surface.reply(refusal(problem))
        return
    plan = plans.plan_for_delivery(deps.db, plan_id)
    sent = plan_messages.send_to_rep(client, deps.db, plan_id)
    name = escape_mrkdwn(plan["rep_name"])
    surface.reply(
        notice(
            f":white_check_mark: Plan approved. {name} has it in their DM now."
            if sent
            else f":white_check_mark: Plan approved. {name} has no Slack account linked yet; "
            "they will see it with `/coach plan`."
        )
    )


def edit_plan(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    viewer = viewer_of(context, client)
    deps = deps_of(context)
    try:
        plan = plans.plan_details(deps.db, viewer, button_id(action.get("value")))
    except (StaleButton, plans.PlanError) as problem:
        DmSurface(client, body["user"]["id"]).reply(refusal(problem))
        return
    client.views_open(trigger_id=body["trigger_id"], view=plan_messages.edit_modal(plan))


def decide_checkpoint(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    viewer = viewer_of(context, client)
    deps = deps_of(context)
    surface = DmSurface(client, body["user"]["id"])
    decision = str(action.get("action_id", "")).removeprefix(Actions.DECIDE_CHECKPOINT_PREFIX)
    try:
        checkpoint = button_id(action.get("value"))
        status = plans.confirm(deps.db, viewer, checkpoint, decision, deps.clock.now())
    except (StaleButton, plans.PlanError) as problem:
        surface.reply(refusal(problem))
        return
    found = plans.checkpoint_for_delivery(deps.db, checkpoint)
    plan = found["plan"]
    label = decision.replace("replan", "re-plan")
    surface.reply(
        notice(
            f"Recorded: *{label}* for {escape_mrkdwn(plan['rep_name'])}. The plan is now {status}."
        )
    )
    if plan["rep_slack_id"]:
        DmSurface(client, plan["rep_slack_id"]).reply(
            notice(
                f"Your manager reviewed day {found['review']['day']} of your coaching plan: "
                f"*{label}*."
            )
        )
