"""What the Slack stub refuses in blocks and views, as Slack does.

Deliberately not coachbot's own validator (bot/render/blockkit.py): a rule that validator gets
wrong must still fail a test here. The basis is slack_sdk's Block Kit models, which Slack
maintains with the published limits; on top of them go the rules those models do not check
but Slack's API does (seen as `invalid_blocks` from chat.postMessage): an action_id repeated
within a block, an empty button or option value, a header in mrkdwn, an empty text or actions block, a button label over 75 characters, more than
50 blocks in a message or 100 in a view, a slack_file with both or neither of id and url (or
an id Slack would not take). Whether the file exists and who may see it is the stub's part.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
BUTTON_LABEL_MAX = 75
FILE_ID = re.compile(r"^[F][A-Z0-9]{8,}$")


def block_errors(blocks: Any, max_blocks: int = MESSAGE_MAX_BLOCKS) -> list[str]:
    """Slack's `errors` list for these blocks; empty when Slack would take them."""
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors = []
    if len(blocks) > max_blocks:
        errors.append(f"must provide no more than {max_blocks} items [json-pointer:/blocks]")
    for index, raw in enumerate(blocks):
        pointer = f"/blocks/{index}"
        errors += [f"{e} [json-pointer:{pointer}]" for e in _sdk_errors(raw)]
        errors += _extra_errors(raw, pointer)
    return errors


def view_errors(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return ["view must be an object"]
    errors = []
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError, KeyError, ValueError) as error:
        errors.append(str(error))
    return errors + block_errors(view.get("blocks"), VIEW_MAX_BLOCKS)


def _sdk_errors(raw: Any) -> list[str]:
    try:
        block = Block.parse(raw)
        if block is None:
            return ["unsupported block"]
        block.validate_json()
    except (SlackObjectFormationError, TypeError, KeyError, ValueError) as error:
        return [str(error)]
    return []


def _extra_errors(raw: Any, pointer: str) -> list[str]:
    if not isinstance(raw, dict):
        return []
    elements = list(raw.get("elements") or []) if raw.get("type") == "actions" else []
    if isinstance(raw.get("accessory"), dict):
        elements.append(raw["accessory"])
    if isinstance(raw.get("element"), dict):
        elements.append(raw["element"])
    errors = []
    if raw.get("type") == "header" and (raw.get("text") or {}).get("type") != "plain_text":
        errors.append(f"must be a plain_text object [json-pointer:{pointer}/text]")
    if raw.get("type") == "actions" and not raw.get("elements"):
        errors.append(f"must provide at least 1 items [json-pointer:{pointer}/elements]")
    errors += [
        f"must be more than 0 characters [json-pointer:{pointer}]"
        for text in _text_objects(raw)
        if not str(text.get("text", "")).strip()
    ]
    seen: set[str] = set()
    for element in elements:
        if not isinstance(element, dict):
            continue
        action_id = element.get("action_id")
        if action_id in seen:
            errors.append(f"action_id must be unique within the block [json-pointer:{pointer}]")
        if action_id is not None:
            seen.add(action_id)
        if "value" in element and element.get("type") == "button" and not element["value"]:
            errors.append(f"must be more than 0 characters [json-pointer:{pointer}/value]")
        label = (element.get("text") or {}).get("text", "")
        if element.get("type") == "button" and len(label) > BUTTON_LABEL_MAX:
            errors.append(
                f"must be less than {BUTTON_LABEL_MAX + 1} characters [json-pointer:{pointer}/text]"
            )
        for option in element.get("options") or []:
            if isinstance(option, dict) and not option.get("value"):
                errors.append(f"option value must be more than 0 characters [{pointer}]")
    return errors + _slack_file_errors(raw, pointer)


def image_files(raw: Any, pointer: str) -> list[tuple[str, dict[str, Any]]]:
    """(json pointer, slack_file) of every image in a block that Slack hosts."""
    if not isinstance(raw, dict):
        return []
    images = [(pointer, raw)] if raw.get("type") == "image" else []
    if isinstance(raw.get("accessory"), dict) and raw["accessory"].get("type") == "image":
        images.append((f"{pointer}/accessory", raw["accessory"]))
    if raw.get("type") == "context":
        images += [
            (f"{pointer}/elements/{i}", e)
            for i, e in enumerate(raw.get("elements") or [])
            if isinstance(e, dict) and e.get("type") == "image"
        ]
    return [(f"{where}/slack_file", i["slack_file"]) for where, i in images if "slack_file" in i]


def _slack_file_errors(raw: Any, pointer: str) -> list[str]:
    errors = []
    for where, file in image_files(raw, pointer):
        if not isinstance(file, dict) or ("id" in file) == ("url" in file):
            errors.append(f"invalid slack file [json-pointer:{where}]")
        elif "id" in file and not FILE_ID.match(str(file["id"])):
            errors.append(
                f"input must match regex pattern: ^[F][A-Z0-9]{{8,}}$ [json-pointer:{where}/id]"
            )
    return errors


def _text_objects(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [t for item in node for t in _text_objects(item)]
    if not isinstance(node, dict):
        return []
    found = [node] if node.get("type") in ("plain_text", "mrkdwn") and "text" in node else []
    return found + [t for value in node.values() for t in _text_objects(value)]
