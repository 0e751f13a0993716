"""Button clicks: each acknowledged at once, then answered in the user's DM."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.clock import iso_week, local
from bot.render.sentences import sentence
from bot.services import coach
from bot.services.answers import (
    answer,
    help_message,
    notice,
    refusal,
    send_assessment,
    unknown_user_message,
)
from bot.services.commands import Command
from bot.services.home import publish_home
from bot.slack.middleware import clicker
from bot.slack.surfaces import DmSurface
from bot.vocabulary import SKILLS


def open_my_assessment(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    viewer, deps, surface = clicker(body, client, context)
    if not viewer.known or viewer.person_id is None:
        surface.reply(unknown_user_message(viewer))
        return
    send_assessment(viewer, viewer.person_id, deps, surface)


def open_rep(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    viewer, deps, surface = clicker(body, client, context)
    try:
        subject_id = int(action.get("value", ""))
    except ValueError:
        surface.reply(notice(sentence("button_points_at_nobody")))
        return
    try:
        send_assessment(viewer, subject_id, deps, surface)
    except coach.NotAllowed as refused:
        surface.reply(refusal(refused))


def pause_nudges(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    _set_paused(body, client, context, paused=True)


def resume_nudges(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    _set_paused(body, client, context, paused=False)


def _set_paused(
    body: dict[str, Any], client: WebClient, context: BoltContext, paused: bool
) -> None:
    viewer, deps, surface = clicker(body, client, context)
    try:
        coach.set_nudges_paused(deps.db, viewer, paused)
    except coach.NotAllowed as refused:
        surface.reply(refusal(refused))
        return
    publish_home(client, viewer, deps)


def show_help(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    DmSurface(client, body["user"]["id"]).reply(help_message())


def start_roleplay(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """ "Start a role-play" on a nudge: the same role-play as /coach roleplay SKILL."""
    ack()
    viewer, deps, surface = clicker(body, client, context)
    skill = action.get("value") or None
    answer(
        Command("roleplay", skill=skill if skill in SKILLS else None),
        viewer,
        deps,
        surface,
    )


def mark_practice_done(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    viewer, deps, surface = clicker(body, client, context)
    now = deps.clock.now()
    week = iso_week(local(now, viewer.timezone))
    try:
        fresh = coach.mark_practice_done(deps.db, viewer, action.get("value", ""), week, now)
    except coach.NotAllowed as refused:
        surface.reply(refusal(refused))
        return
    surface.reply(
        notice(sentence("practice_noted") if fresh else sentence("practice_already_noted"))
    )


def snooze_nudges(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    viewer, deps, surface = clicker(body, client, context)
    try:
        until = coach.snooze_nudges(deps.db, viewer, deps.today_for(viewer.timezone))
    except coach.NotAllowed as refused:
        surface.reply(refusal(refused))
        return
    surface.reply(notice(sentence("snoozed", until=until)))
