"""Where a request is answered (bot/services/answers.Surface): a button's DM, a DM message's
own conversation, a slash command's ephemeral reply. Every one posts through the poster, so
performance only ever reaches the user's DM or an ephemeral message."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.delivery import poster
from bot.render.sentences import sentence
from bot.services.answers import notice


class DmSurface:
    """Answers in the user's DM with coachbot: for buttons, forms and the preview."""

    def __init__(self, client: WebClient, user_id: str) -> None:
        self.client = client
        self.user_id = user_id

    def reply(self, payload: dict[str, Any]) -> None:
        poster.send_dm(self.client, self.user_id, payload)

    private = reply

    def open_modal(self, modal: dict[str, Any]) -> None:
        raise RuntimeError("a DM answer has no trigger to open a modal with")

    def attach(self, content: bytes, filename: str, title: str, alt_text: str) -> str | None:
        return poster.upload_to_dm(self.client, self.user_id, content, filename, title, alt_text)

    def thread(self, payload: dict[str, Any], thread_ts: str | None = None) -> tuple[str, str]:
        return poster.post_dm(self.client, self.user_id, payload, thread_ts)

    def pointer(self) -> None:
        return None  # already in the DM


class DmReplySurface(DmSurface):
    """Answers a message the user wrote in their DM with coachbot: in the DM itself (in its
    thread, when they wrote in one), which is already private."""

    def __init__(self, client: WebClient, event: dict[str, Any]) -> None:
        super().__init__(client, event["user"])
        self.channel = event["channel"]
        self.thread_ts = event.get("thread_ts")

    def reply(self, payload: dict[str, Any]) -> None:
        poster.post_to_conversation(self.client, self.channel, payload, self.thread_ts)

    private = reply

    def open_modal(self, modal: dict[str, Any]) -> None:
        # A DM has no trigger to open a modal with; point to the command that has one.
        self.reply({"text": sentence("use_feedback_command"), "blocks": []})


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
            self.reply(notice(sentence("sent_to_dm")))

    def thread(self, payload: dict[str, Any], thread_ts: str | None = None) -> tuple[str, str]:
        self._dm, ts = poster.post_dm(self.client, self.user_id, payload, thread_ts)
        return self._dm, ts

    def open_modal(self, modal: dict[str, Any]) -> None:
        poster.open_modal(self.client, self.trigger_id, modal)

    def attach(self, content: bytes, filename: str, title: str, alt_text: str) -> str | None:
        return poster.upload_to_dm(self.client, self.user_id, content, filename, title, alt_text)
