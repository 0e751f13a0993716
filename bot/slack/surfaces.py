"""A surface that answers in the user's DM with coachbot: for buttons, jobs and the preview."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.delivery import poster


class DmSurface:
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
