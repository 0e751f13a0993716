"""DMs to coachbot: plain language routed to the same answers as /coach; admins may drop CSV
files here to import them."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext, Say
from slack_sdk import WebClient

from bot.delivery import poster
from bot.services import roleplay_messages, roleplays
from bot.services.answers import answer
from bot.services.commands import intent
from bot.slack.csv_upload import import_uploaded_files
from bot.slack.middleware import deps_of, viewer_of

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join"}


def is_direct_message(event: dict[str, Any]) -> bool:
    return event.get("channel_type") == "im" and event.get("subtype") not in IGNORED_SUBTYPES


class DmSurface:
    """Replies in the DM itself, which is already private."""

    def __init__(self, say: Say, client: WebClient, event: dict[str, Any]) -> None:
        self.say = say
        self.client = client
        self.thread_ts = event.get("thread_ts")
        self.user_id = event["user"]

    def reply(self, payload: dict[str, Any]) -> None:
        self.say(text=payload["text"], blocks=payload.get("blocks"), thread_ts=self.thread_ts)

    private = reply

    def attach(self, content: bytes, filename: str, title: str, alt_text: str) -> str | None:
        return poster.upload_to_dm(self.client, self.user_id, content, filename, title, alt_text)

    def thread(self, payload: dict[str, Any], thread_ts: str | None = None) -> tuple[str, str]:
        return poster.post_dm(self.client, self.user_id, payload, thread_ts)

    def pointer(self) -> None:
        return None  # already in the DM

    def open_modal(self, modal: dict[str, Any]) -> None:
        # A DM has no trigger to open a modal with; point to the command that has one.
        self.reply({"text": "Use `/coach feedback @name` to open the feedback form.", "blocks": []})


def direct_message(
    event: dict[str, Any], say: Say, client: WebClient, context: BoltContext
) -> None:
    viewer = viewer_of(context, client)
    deps = deps_of(context)
    surface = DmSurface(say, client, event)
    if event.get("files"):
        import_uploaded_files(event["files"], viewer, deps, client, surface)
        return
    thread_ts = event.get("thread_ts")
    if thread_ts:
        session_id = roleplays.session_for_thread(deps.db, viewer, event["channel"], thread_ts)
        if session_id is not None:
            roleplay_messages.answer(
                surface, viewer, deps, session_id, thread_ts, event.get("text") or ""
            )
            return
    answer(intent(event.get("text") or ""), viewer, deps, surface)
