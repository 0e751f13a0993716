"""A person's own settings on the Home tab: pause nudges until a date, mentoring invitations
and peer groups on or off. Each change is stored, then the Home tab is published again."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.render.sentences import sentence
from bot.services import coach, pairing
from bot.services.answers import notice, refusal
from bot.services.home import publish_home
from bot.slack.middleware import clicker


def pause_nudges_until(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    viewer, deps, surface = clicker(body, client, context)
    try:
        until = date.fromisoformat(str(action.get("selected_date") or ""))
    except ValueError:
        surface.reply(notice(sentence("pick_pause_day")))
        return
    try:
        coach.pause_nudges_until(deps.db, viewer, until, deps.today_for(viewer.timezone))
    except coach.NotAllowed as refused:
        surface.reply(refusal(refused))
        return
    publish_home(client, viewer, deps)


def set_mentoring(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    _switch(body, action, client, context, pairing.set_opt_out)


def set_peer_groups(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    _switch(body, action, client, context, pairing.set_peer_groups_opt_out)


def _switch(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    store: Any,
) -> None:
    """`value` "on" or "off"; anything else is an old or forged button."""
    viewer, deps, surface = clicker(body, client, context)
    wanted = action.get("value")
    if wanted not in ("on", "off"):
        surface.reply(notice(sentence("settings_button_stale")))
        return
    try:
        store(deps.db, viewer, wanted == "off")
    except pairing.PairingError as refused:
        surface.reply(refusal(refused))
        return
    publish_home(client, viewer, deps)
