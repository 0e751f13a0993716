"""Where one rep's performance may be shown: their DM with coachbot, or an ephemeral message.
Never a channel. Listeners send performance only through these functions."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient


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
    extra: dict[str, Any] = {} if metadata is None else {"metadata": metadata}
    if thread_ts is None:
        # Posting to the user id lands in the app's DM with them and answers with its channel,
        # which spares a conversations.open (Tier 3, ~50/minute) on every message and nudge.
        posted = client.chat_postMessage(
            channel=user_id, text=payload["text"], blocks=payload.get("blocks"), **extra
        )
        return str(posted["channel"]), str(posted["ts"])
    channel = open_dm(client, user_id)
    posted = client.chat_postMessage(
        channel=channel,
        text=payload["text"],
        blocks=payload.get("blocks"),
        thread_ts=thread_ts,
        **extra,
    )
    return channel, str(posted["ts"])


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
