"""DMs to coachbot: plain language routed to the same answers as /coach; admins may drop CSV
files here to import them."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.services import roleplay_messages, roleplays
from bot.services.answers import answer
from bot.services.commands import intent
from bot.slack.csv_upload import import_uploaded_files
from bot.slack.middleware import deps_of, viewer_of
from bot.slack.surfaces import DmReplySurface

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join"}


def is_direct_message(event: dict[str, Any]) -> bool:
    return event.get("channel_type") == "im" and event.get("subtype") not in IGNORED_SUBTYPES


def direct_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    viewer = viewer_of(context, client)
    deps = deps_of(context)
    surface = DmReplySurface(client, event)
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
