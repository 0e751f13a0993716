"""Slack's Block Kit limits, enforced once, after a template is parsed.

Where content is too long it is cut with a visible "...and N more" rather than rejected by
Slack (which would lose the whole message).
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
HEADER_TEXT = 150
FIELD_TEXT = 2000
FIELDS = 10
CONTEXT_ELEMENTS = 10
BUTTON_TEXT = 75
ACTION_ELEMENTS = 25
FALLBACK_TEXT = 3000
ELLIPSIS = "…"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def fit_blocks(blocks: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most `limit` blocks, the last saying how many were left out."""
    blocks = [fit_block(b) for b in blocks]
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    left = len(blocks) - len(kept)
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"…and {left} more"}]}
    return [*kept, note]


def fit_block(block: dict[str, Any]) -> dict[str, Any]:
    kind = block.get("type")
    if kind == "header":
        _fit_text(block.get("text"), HEADER_TEXT)
    elif kind == "section":
        _fit_text(block.get("text"), SECTION_TEXT)
        fields = block.get("fields")
        if fields:
            if len(fields) > FIELDS:
                more = {"type": "mrkdwn", "text": f"…and {len(fields) - FIELDS + 1} more"}
                block["fields"] = [*fields[: FIELDS - 1], more]
            for field in block["fields"]:
                _fit_text(field, FIELD_TEXT)
        accessory = block.get("accessory")
        if accessory and accessory.get("type") == "button":
            _fit_text(accessory.get("text"), BUTTON_TEXT)
    elif kind == "context":
        elements = block.get("elements", [])
        if len(elements) > CONTEXT_ELEMENTS:
            more = {"type": "mrkdwn", "text": f"…and {len(elements) - CONTEXT_ELEMENTS + 1} more"}
            elements = [*elements[: CONTEXT_ELEMENTS - 1], more]
        block["elements"] = elements
        for element in block["elements"]:
            _fit_text(element, SECTION_TEXT)
    elif kind == "actions":
        block["elements"] = block.get("elements", [])[:ACTION_ELEMENTS]
        for element in block["elements"]:
            if element.get("type") == "button":
                _fit_text(element.get("text"), BUTTON_TEXT)
    return block


def _fit_text(obj: dict[str, Any] | None, limit: int) -> None:
    if obj and isinstance(obj.get("text"), str):
        obj["text"] = cut(obj["text"], limit)
