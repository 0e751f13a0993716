"""/coach: acknowledged at once, answered after the ack (Slack allows 3 seconds for the ack)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.services.answers import answer
from bot.services.commands import parse
from bot.slack.middleware import deps_of, viewer_of
from bot.slack.surfaces import SlashSurface


def coach_command(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    ack()
    surface = SlashSurface(respond, client, command)
    answer(parse(command.get("text", "")), viewer_of(context, client), deps_of(context), surface)
