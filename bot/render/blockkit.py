"""Slack's published Block Kit rules, checked on every payload before it is sent.

`fit_blocks` (limits.py) shortens what may be shortened; what is left here are the rules a
template can only break by being wrong: a repeated `action_id` within a block, an empty button
value, a header in mrkdwn, an image without alt text, a modal without a title. Slack refuses
such a payload whole (`invalid_blocks`, or `invalid_arguments` for a view), so the person
would get nothing; a template that breaks one fails loudly here, in tests, instead.

Each problem is a sentence with a JSON pointer in Slack's own style
(`must be unique within the block [json-pointer:/blocks/3/elements/1/action_id]`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bot.render import limits

ID_LENGTH = 255
BUTTON_VALUE = 2000
URL_LENGTH = 3000
ALT_TEXT = 2000
LABEL_TEXT = 2000
PLACEHOLDER_TEXT = 150
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
VIEW_TITLE = 24
PRIVATE_METADATA = 3000
BUTTON_STYLES = ("primary", "danger")
TEXT_TYPES = ("plain_text", "mrkdwn")

MESSAGE_BLOCK_TYPES = frozenset({"section", "header", "context", "actions", "divider", "image"})
VIEW_BLOCK_TYPES = MESSAGE_BLOCK_TYPES | {"input"}
INTERACTIVE_ELEMENTS = frozenset(
    {"button", "static_select", "plain_text_input", "overflow", "datepicker", "checkboxes"}
)


class BlockKitError(ValueError):
    """A payload Slack would refuse; `problems` lists every broken rule."""

    def __init__(self, what: str, problems: list[str]) -> None:
        super().__init__(f"{what} breaks Slack's Block Kit rules:\n  " + "\n  ".join(problems))
        self.problems = problems


def message_problems(payload: dict[str, Any]) -> list[str]:
    """What Slack would refuse in a chat.postMessage / chat.update / response payload."""
    problems = list(_fallback_text(payload))
    blocks = payload.get("blocks") or []
    problems += _blocks(blocks, limits.MESSAGE_BLOCKS, MESSAGE_BLOCK_TYPES)
    return problems


def view_problems(view: dict[str, Any]) -> list[str]:
    """What Slack would refuse in a views.publish / views.open / views.update view."""
    kind = view.get("type")
    problems: list[str] = []
    if kind not in ("home", "modal"):
        problems.append(f"view type must be home or modal, got {kind!r} [json-pointer:/type]")
    blocks = view.get("blocks") or []
    problems += _blocks(blocks, limits.VIEW_BLOCKS, VIEW_BLOCK_TYPES)
    if kind == "modal":
        problems += _text(view.get("title"), "/title", VIEW_TITLE, plain=True, required=True)
        for key in ("submit", "close"):
            problems += _text(view.get(key), f"/{key}", VIEW_TITLE, plain=True)
        if any(b.get("type") == "input" for b in blocks) and not view.get("submit"):
            problems.append(
                "a modal with input blocks needs a submit button [json-pointer:/submit]"
            )
    for key in ("callback_id", "external_id"):
        problems += _string(view.get(key), f"/{key}", ID_LENGTH)
    problems += _string(view.get("private_metadata"), "/private_metadata", PRIVATE_METADATA)
    return problems


def check_message(payload: dict[str, Any], what: str = "message") -> None:
    problems = message_problems(payload)
    if problems:
        raise BlockKitError(what, problems)


def check_view(view: dict[str, Any], what: str = "view") -> None:
    problems = view_problems(view)
    if problems:
        raise BlockKitError(what, problems)


def _fallback_text(payload: dict[str, Any]) -> Iterator[str]:
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        yield "a message needs a non-empty text (the notification fallback) [json-pointer:/text]"


def _blocks(blocks: Any, most: int, allowed: frozenset[str]) -> list[str]:
    if not isinstance(blocks, list):
        return ["blocks must be an array [json-pointer:/blocks]"]
    problems = []
    if len(blocks) > most:
        problems.append(f"no more than {most} items allowed [json-pointer:/blocks]")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"/blocks/{index}"
        if not isinstance(block, dict):
            problems.append(f"a block must be an object [json-pointer:{where}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            problems += _string(block_id, f"{where}/block_id", ID_LENGTH)
            if block_id in block_ids:
                problems.append(f"block_id must be unique [json-pointer:{where}/block_id]")
            block_ids.add(block_id)
        kind = block.get("type")
        if kind not in allowed:
            problems.append(f"unsupported block type {kind!r} [json-pointer:{where}/type]")
            continue
        problems += _BLOCK_RULES[kind](block, where)
        problems += _unique_action_ids(_elements_of(block, where))
    return problems


def _section(block: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    fields = block.get("fields")
    if block.get("text") is None and not fields:
        problems.append(f"a section needs text or fields [json-pointer:{where}]")
    if block.get("text") is not None:
        problems += _text(block["text"], f"{where}/text", limits.SECTION_TEXT)
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > limits.FIELDS:
            problems.append(f"no more than {limits.FIELDS} fields [json-pointer:{where}/fields]")
        else:
            for i, item in enumerate(fields):
                problems += _text(item, f"{where}/fields/{i}", limits.FIELD_TEXT)
    accessory = block.get("accessory")
    if accessory is not None:
        problems += _element(accessory, f"{where}/accessory")
    return problems


def _header(block: dict[str, Any], where: str) -> list[str]:
    return _text(block.get("text"), f"{where}/text", limits.HEADER_TEXT, plain=True, required=True)


def _context(block: dict[str, Any], where: str) -> list[str]:
    elements, problems = _elements(block, where, "a context", limits.CONTEXT_ELEMENTS)
    for i, item in enumerate(elements):
        path = f"{where}/elements/{i}"
        if isinstance(item, dict) and item.get("type") == "image":
            problems += _image(item, path)
        else:
            problems += _text(item, path, limits.SECTION_TEXT, required=True)
    return problems


def _actions(block: dict[str, Any], where: str) -> list[str]:
    elements, problems = _elements(block, where, "an actions block", limits.ACTION_ELEMENTS)
    for i, item in enumerate(elements):
        problems += _element(item, f"{where}/elements/{i}")
    return problems


def _elements(
    block: dict[str, Any], where: str, what: str, most: int
) -> tuple[list[Any], list[str]]:
    """The block's elements (none when malformed) and the problem with their number."""
    elements = block.get("elements")
    if not isinstance(elements, list) or not 1 <= len(elements) <= most:
        return [], [f"{what} needs 1 to {most} elements [json-pointer:{where}/elements]"]
    return elements, []


def _divider(block: dict[str, Any], where: str) -> list[str]:
    return []


def _image_block(block: dict[str, Any], where: str) -> list[str]:
    problems = _image(block, where)
    if block.get("title") is not None:
        problems += _text(block["title"], f"{where}/title", LABEL_TEXT, plain=True)
    return problems


def _input(block: dict[str, Any], where: str) -> list[str]:
    problems = _text(block.get("label"), f"{where}/label", LABEL_TEXT, plain=True, required=True)
    if block.get("hint") is not None:
        problems += _text(block["hint"], f"{where}/hint", LABEL_TEXT, plain=True)
    element = block.get("element")
    if not isinstance(element, dict):
        problems.append(f"an input needs an element [json-pointer:{where}/element]")
    else:
        problems += _element(element, f"{where}/element")
    return problems


_BLOCK_RULES = {
    "section": _section,
    "header": _header,
    "context": _context,
    "actions": _actions,
    "divider": _divider,
    "image": _image_block,
    "input": _input,
}


def _element(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict):
        return [f"an element must be an object [json-pointer:{where}]"]
    kind = element.get("type")
    if kind == "image":
        return _image(element, where)
    if kind not in INTERACTIVE_ELEMENTS:
        return [f"unsupported element type {kind!r} [json-pointer:{where}/type]"]
    problems = _string(element.get("action_id"), f"{where}/action_id", ID_LENGTH)
    if kind == "button":
        problems += _text(
            element.get("text"), f"{where}/text", limits.BUTTON_TEXT, plain=True, required=True
        )
        if "value" in element:
            problems += _string(element["value"], f"{where}/value", BUTTON_VALUE, required=True)
        problems += _string(element.get("url"), f"{where}/url", URL_LENGTH)
        style = element.get("style")
        if style is not None and style not in BUTTON_STYLES:
            problems.append(f"style must be primary or danger [json-pointer:{where}/style]")
    elif kind == "static_select":
        problems += _options(element, where)
    if element.get("placeholder") is not None:
        problems += _text(
            element["placeholder"], f"{where}/placeholder", PLACEHOLDER_TEXT, plain=True
        )
    return problems


def _options(element: dict[str, Any], where: str) -> list[str]:
    options = element.get("options")
    if not isinstance(options, list) or not 1 <= len(options) <= OPTIONS:
        return [f"a select needs 1 to {OPTIONS} options [json-pointer:{where}/options]"]
    problems: list[str] = []
    for i, option in enumerate(options):
        path = f"{where}/options/{i}"
        problems += _text(option.get("text"), f"{path}/text", OPTION_TEXT, required=True)
        problems += _string(option.get("value"), f"{path}/value", OPTION_VALUE, required=True)
    return problems


def _image(element: dict[str, Any], where: str) -> list[str]:
    problems = _string(element.get("alt_text"), f"{where}/alt_text", ALT_TEXT, required=True)
    if element.get("image_url") is None and element.get("slack_file") is None:
        problems.append(f"an image needs image_url or slack_file [json-pointer:{where}]")
    problems += _string(element.get("image_url"), f"{where}/image_url", URL_LENGTH)
    if element.get("slack_file") is not None:
        problems += _slack_file(element, where)
    return problems


SLACK_FILE_ID = re.compile(r"^F[A-Z0-9]{8,}$")


def _slack_file(element: dict[str, Any], where: str) -> list[str]:
    """A file Slack hosts: by id or by url, never both, and never beside an image_url."""
    file, path = element["slack_file"], f"{where}/slack_file"
    if element.get("image_url") is not None:
        return [f"an image takes image_url or slack_file, not both [json-pointer:{where}]"]
    if not isinstance(file, dict) or ("id" in file) == ("url" in file):
        return [f"a slack_file needs exactly one of id and url [json-pointer:{path}]"]
    if "id" in file and not SLACK_FILE_ID.match(str(file["id"])):
        return [f"input must match regex pattern: ^[F][A-Z0-9]{{8,}}$ [json-pointer:{path}/id]"]
    return []


def _elements_of(block: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    if block.get("type") == "actions" and isinstance(block.get("elements"), list):
        return [
            (f"{where}/elements/{i}", e)
            for i, e in enumerate(block["elements"])
            if isinstance(e, dict)
        ]
    return []


def _unique_action_ids(elements: list[tuple[str, dict[str, Any]]]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for where, element in elements:
        action_id = element.get("action_id")
        if action_id is None:
            continue
        if action_id in seen:
            problems.append(
                f"action_id {action_id!r} must be unique within the block "
                f"[json-pointer:{where}/action_id]"
            )
        seen.add(action_id)
    return problems


def _text(
    obj: Any, where: str, most: int, plain: bool = False, required: bool = False
) -> list[str]:
    if obj is None:
        return [f"a text object is required [json-pointer:{where}]"] if required else []
    if not isinstance(obj, dict):
        return [f"must be a text object [json-pointer:{where}]"]
    kind = obj.get("type")
    if plain and kind != "plain_text":
        return [f"must be plain_text, got {kind!r} [json-pointer:{where}/type]"]
    if kind not in TEXT_TYPES:
        return [f"text type must be plain_text or mrkdwn [json-pointer:{where}/type]"]
    return _string(obj.get("text"), f"{where}/text", most, required=True)


def _string(value: Any, where: str, most: int, required: bool = False) -> list[str]:
    if value is None:
        return [f"is required [json-pointer:{where}]"] if required else []
    if not isinstance(value, str):
        return [f"must be a string [json-pointer:{where}]"]
    if required and not value.strip():
        return [f"must be more than 0 characters [json-pointer:{where}]"]
    if len(value) > most:
        return [f"must be less than {most + 1} characters [json-pointer:{where}]"]
    return []
