"""Preview delivery: with no Slack workspace, everything coachbot would send is written to a
folder (JSON, one HTML page and chart PNGs) instead. It stands in for the Slack Web API
methods coachbot uses, so the same listeners and jobs run unchanged."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.delivery.preview_html import write_page
from bot.render.blockkit import check_message, check_view


@dataclass
class Delivery:
    recipient: str  # a Slack user id
    kind: str  # message, home, modal, file
    payload: dict[str, Any]


@dataclass
class PreviewClient:
    """Records what would be sent. `names` maps Slack user ids to names for the page."""

    folder: Path
    names: dict[str, str] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    token: str = "preview"
    # (conversation, ts, metadata) of each message, for conversations_history
    posted: list[tuple[str, str, Any]] = field(default_factory=list)
    # Slack file id -> the PNG written, so an image block showing that file finds it
    files: dict[str, str] = field(default_factory=dict)

    def conversations_open(self, users: str, **_: Any) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": f"D:{users}"}}

    def chat_postEphemeral(
        self, channel: str, user: str, text: str, blocks: Any = None, **_: Any
    ) -> dict[str, Any]:
        self._record(user, "message", {"text": text, "blocks": blocks or []})
        return {"ok": True}

    def chat_postMessage(
        self, channel: str, text: str, blocks: Any = None, metadata: Any = None, **_: Any
    ) -> dict[str, Any]:
        self._record(channel, "message", {"text": text, "blocks": blocks or []})
        ts = str(len(self.deliveries))
        self.posted.append((channel.removeprefix("D:"), ts, metadata))
        return {"ok": True, "channel": channel, "ts": ts}

    def conversations_history(self, channel: str, **_: Any) -> dict[str, Any]:
        target = channel.removeprefix("D:")
        messages = [
            {"ts": ts, **({"metadata": metadata} if metadata else {})}
            for where, ts, metadata in reversed(self.posted)
            if where == target
        ]
        return {"ok": True, "messages": messages, "response_metadata": {"next_cursor": ""}}

    def views_publish(self, user_id: str, view: dict[str, Any], **_: Any) -> dict[str, Any]:
        self._record(user_id, "home", view)
        return {"ok": True, "view": view}

    def views_open(self, trigger_id: str, view: dict[str, Any], **_: Any) -> dict[str, Any]:
        self._record(trigger_id, "modal", view)
        return {"ok": True, "view": view}

    def files_upload_v2(
        self,
        channel: str,
        content: bytes,
        filename: str,
        title: str = "",
        alt_txt: str = "",
        **_: Any,
    ) -> dict[str, Any]:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{len(self.deliveries):03d}-{Path(filename).name}"
        (self.folder / name).write_bytes(content)
        file_id = f"F{len(self.files) + 1:08d}"  # shaped like Slack's, as blocks require
        self.files[file_id] = name
        self._record(channel, "file", {"file": name, "title": title, "alt_text": alt_txt})
        return {"ok": True, "files": [{"id": file_id}]}

    def users_info(self, user: str, **_: Any) -> dict[str, Any]:
        return {"ok": True, "user": {"id": user, "profile": {}}}

    def _record(self, target: str, kind: str, payload: dict[str, Any]) -> None:
        # The preview takes only what Slack would: a payload Slack refuses fails here too.
        if kind == "message":
            check_message(payload, f"message to {target}")
        elif kind in ("home", "modal"):
            check_view(payload, f"{kind} view for {target}")
        recipient = target.removeprefix("D:")
        if "," in recipient:  # a group DM: shown under its members' names together
            recipient = " + ".join(self.names.get(u, u) for u in recipient.split(","))
        self.deliveries.append(Delivery(recipient, kind, payload))

    def write(self, title: str) -> Path:
        """Write messages.json and index.html; returns the page's path."""
        self.folder.mkdir(parents=True, exist_ok=True)
        records = [
            {
                "recipient": d.recipient,
                "recipient_name": self.names.get(d.recipient, d.recipient),
                "kind": d.kind,
                "payload": d.payload,
            }
            for d in self.deliveries
        ]
        (self.folder / "messages.json").write_text(
            json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        return write_page(self.folder / "index.html", title, records, self.files)
