"""The edit-targets modal: each target checked in place, saved as a new plan version."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.ids import Blocks
from bot.render.sentences import sentence
from bot.services import plan_messages, plans
from bot.services.answers import StaleButton, button_id, refusal
from bot.services.outcomes import AlreadyDone
from bot.slack.middleware import clicker
from bot.slack.once import submission_key


def plan_edited(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    viewer, deps, surface = clicker(body, client, context)
    try:
        plan_id = button_id(view.get("private_metadata"))
        plan = plans.plan_details(deps.db, viewer, plan_id)
    except (StaleButton, plans.PlanError) as problem:
        ack()
        surface.reply(refusal(problem))
        return
    values = view["state"]["values"]
    targets, errors = {}, {}
    for objective in plan["objectives"]:
        block = Blocks.TARGET_PREFIX + objective["metric"]
        raw = (values.get(block, {}).get("value", {}).get("value") or "").strip().rstrip("%")
        try:
            number = float(raw.replace(",", ""))
        except ValueError:
            errors[block] = (
                sentence("enter_a_percentage")
                if objective["unit"] == "pct"
                else sentence("enter_a_number")
            )
            continue
        target = number / 100 if objective["unit"] == "pct" else number
        better = objective["higher_is_better"]
        if (better and target <= objective["baseline"]) or (
            not better and target >= objective["baseline"]
        ):
            errors[block] = sentence("target_must_beat_baseline")
        elif objective["unit"] == "pct" and not 0 <= target <= 1:
            errors[block] = sentence("percentage_out_of_range")
        else:
            targets[objective["metric"]] = target
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    try:
        plans.edit_targets(
            deps.db, viewer, plan_id, targets, deps.clock.now(), request=submission_key(body)
        )
    except (plans.PlanError, AlreadyDone) as problem:  # closed meanwhile, or sent again
        surface.reply(refusal(problem))
        return
    updated = plans.plan_for_delivery(deps.db, plan_id)
    message = (
        plan_messages.draft_message(updated)
        if updated["status"] == "draft"
        else plan_messages.plan_message(updated, own=False, latest=None)
    )
    surface.reply(message)
