"""/coach: acknowledged at once, answered after the ack (Slack allows 3 seconds for the ack)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.delivery import poster
from bot.services.answers import answer, notice
from bot.services.commands import parse
from bot.slack.middleware import deps_of, viewer_of


class SlashSurface:
    """Replies to a slash command: ephemeral where it was typed; performance to the DM."""

    def __init__(self, respond: Respond, client: WebClient, command: dict[str, Any]) -> None:
        self.respond = respond
        self.client = client
        self.user_id = command["user_id"]
        self.channel_id = command.get("channel_id")
        self.trigger_id = command.get("trigger_id")
        self._dm: str | None = None

    def reply(self, payload: dict[str, Any]) -> None:
        self.respond(text=payload["text"], blocks=payload.get("blocks"), response_type="ephemeral")

    def private(self, payload: dict[str, Any]) -> None:
        self._dm = poster.send_dm(self.client, self.user_id, payload)
        self.pointer()

    def pointer(self) -> None:
        """Typed outside the DM: say where the answer went (only the user sees this)."""
        dm = self._dm or poster.open_dm(self.client, self.user_id)
        if dm != self.channel_id:
            self.reply(
                notice(":mailbox_with_mail: Sent to your DM with coachbot, where only you see it.")
            )

    def thread(self, payload: dict[str, Any], thread_ts: str | None = None) -> tuple[str, str]:
        self._dm, ts = poster.post_dm(self.client, self.user_id, payload, thread_ts)
        return self._dm, ts

    def open_modal(self, modal: dict[str, Any]) -> None:
        poster.open_modal(self.client, self.trigger_id, modal)

    def attach(self, content: bytes, filename: str, title: str, alt_text: str) -> str | None:
        return poster.upload_to_dm(self.client, self.user_id, content, filename, title, alt_text)


def coach_command(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    ack()
    surface = SlashSurface(respond, client, command)
    answer(parse(command.get("text", "")), viewer_of(context, client), deps_of(context), surface)
