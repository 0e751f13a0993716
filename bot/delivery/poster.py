"""The one poster: every message, file, App Home and modal coachbot sends goes through these
functions (the delivery log, bot/delivery/once.py, decides whether a message is sent at all).

Where one rep's performance may be shown: their DM with coachbot, or an ephemeral message.
Never a channel. Group DMs (mentor and mentee, a peer group) carry introductions, agendas and
reminders, never anyone's numbers."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_sdk import WebClient

from bot.delivery.slack_api import calling


def open_dm(client: WebClient, user_id: str) -> str:
    """The channel id of the user's 1:1 DM with coachbot."""
    return client.conversations_open(users=user_id)["channel"]["id"]


def send_dm(
    client: WebClient,
    user_id: str,
    payload: dict[str, Any],
    metadata: dict[str, Any] | None = None,
) -> str:
    """Post a message to the user's DM with coachbot; returns the DM channel id."""
    return post_dm(client, user_id, payload, metadata=metadata)[0]


def post_dm(
    client: WebClient,
    user_id: str,
    payload: dict[str, Any],
    thread_ts: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> tuple[str, str]:
    """Post to the user's DM (in a thread when given); returns (channel, message ts).
    `metadata` is Slack message metadata (how a delivery finds its message again)."""
    if thread_ts is None:
        # Posting to the user id lands in the app's DM with them and answers with its channel,
        # which spares a conversations.open (Tier 3, ~50/minute) on every message and nudge.
        extra: dict[str, Any] = {} if metadata is None else {"metadata": metadata}
        posted = client.chat_postMessage(
            channel=user_id, text=payload["text"], blocks=payload.get("blocks"), **extra
        )
        return str(posted["channel"]), str(posted["ts"])
    channel = open_dm(client, user_id)
    return channel, post_to_conversation(client, channel, payload, thread_ts, metadata)


def upload_to_dm(
    client: WebClient, user_id: str, content: bytes, filename: str, title: str, alt_text: str
) -> str | None:
    """Share a file (a chart) in the user's DM with coachbot; `alt_text` is what a screen
    reader says instead of the picture. Returns the file's id (None if Slack named none)."""
    channel = open_dm(client, user_id)
    uploaded = client.files_upload_v2(
        channel=channel, content=content, filename=filename, title=title, alt_txt=alt_text
    )
    files = uploaded.get("files") or []
    return str(files[0]["id"]) if files and files[0].get("id") else None


def open_group_dm(client: WebClient, user_ids: list[str]) -> str:
    """The channel id of the group DM of these users and coachbot (the same one every time)."""
    return str(client.conversations_open(users=",".join(user_ids))["channel"]["id"])


def post_to_conversation(
    client: WebClient,
    channel: str,
    payload: dict[str, Any],
    thread_ts: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> str:
    """Post to a conversation coachbot is already in (a group DM, a role-play's thread);
    returns the message ts."""
    extra: dict[str, Any] = {} if metadata is None else {"metadata": metadata}
    if thread_ts is not None:
        extra["thread_ts"] = thread_ts
    posted = client.chat_postMessage(
        channel=channel, text=payload["text"], blocks=payload.get("blocks"), **extra
    )
    return str(posted["ts"])


def publish_home(client: WebClient, user_id: str, view: dict[str, Any]) -> None:
    """The user's App Home; `Refused` when Slack will not show it (e.g. a deleted file)."""
    calling("views.publish", partial(client.views_publish, user_id=user_id, view=view))


def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    client.views_open(trigger_id=trigger_id, view=view)
