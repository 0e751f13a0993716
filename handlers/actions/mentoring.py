"""Accept or Decline a mentoring invitation (the invited mentor only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.delivery.once import Outcome
from bot.render.sentences import mrkdwn_sentence
from bot.services import pairing, pairing_messages
from bot.services.answers import StaleButton, button_id, notice, refusal
from bot.services.outcomes import AlreadyDone
from bot.slack.middleware import clicker


def accept_mentoring(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    _answer(body, action, client, context, accept=True)


def decline_mentoring(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    _answer(body, action, client, context, accept=False)


def _answer(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    accept: bool,
) -> None:
    viewer, deps, surface = clicker(body, client, context)
    try:
        pairing_id = button_id(action.get("value"))
        answered = pairing.respond(deps.db, viewer, pairing_id, accept, deps.clock.now())
    except (StaleButton, pairing.PairingError, AlreadyDone) as problem:
        surface.reply(refusal(problem))
        return
    details = pairing.pairing_details(deps.db, answered.id)
    name = details["mentee_name"]
    today = deps.today_for(viewer.timezone)
    if accept:
        introduction = pairing_messages.introduction(
            client, deps.db, answered.id, today, viewer.team_id
        )
        outcome = deps.deliver(client, viewer.workspace_id, introduction)
        surface.reply(notice(_thanks(name, outcome)))
        return
    surface.reply(notice(mrkdwn_sentence("mentor_declined", mentee=name)))
    following = pairing.run_round(
        deps.db,
        viewer.team_id,
        today,
        deps.clock.now(),
        deps.config,
        only_mentees={answered.mentee_id},
    )
    for pairing_id in following.invited:
        deps.deliver(
            client, viewer.workspace_id, pairing_messages.invitation(client, deps.db, pairing_id)
        )


def _thanks(name: str, introduced: Outcome | None) -> str:
    if introduced is None:
        return mrkdwn_sentence("mentor_accepted_mentee_not_on_slack", mentee=name)
    if introduced.status == "failed":
        return mrkdwn_sentence("mentor_accepted_group_dm_failed", mentee=name)
    return mrkdwn_sentence("mentor_accepted_introduced", mentee=name)
