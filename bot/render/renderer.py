"""The one renderer for everything users see: Jinja2 templates in templates/ become Block Kit,
or Markdown documents.

A template renders to JSON text that is parsed here, so a template that produces invalid
JSON fails loudly. Every interpolated value goes through `mrkdwn` (escapes &, <, > so CRM
text like "<!channel>" pings nobody) and `tojson`; Slack's limits are enforced after
parsing, in one place (bot/render/limits.py), and every payload is checked against Slack's
Block Kit rules (bot/render/blockkit.py) before anyone can send it.

Markdown documents (templates/documents/) come from the same environment and escape with
`md` and `mdurl` instead of `mrkdwn`, so CRM text cannot start formatting, a link or a table
cell.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.render import formats
from bot.render.blockkit import BlockKitError, check_message, check_view
from bot.render.limits import FALLBACK_TEXT, MESSAGE_BLOCKS, VIEW_BLOCKS, cut, fit_blocks

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


class TemplateError(RuntimeError):
    """A template produced something that is not valid Block Kit JSON."""


def escape_mrkdwn(value: Any) -> str:
    """Slack's three control characters, escaped as Slack documents."""
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _tojson(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@cache
def environment(folder: Path = TEMPLATES) -> Environment:
    """The one Jinja environment: Block Kit and sentences escape with `mrkdwn`, Markdown
    documents with `md` and `mdurl`; each template uses the filters of what it writes."""
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["mrkdwn"] = escape_mrkdwn
    env.filters["md"] = escape_markdown
    env.filters["mdurl"] = markdown_url
    env.filters["counted"] = counted
    env.filters["tojson"] = _tojson
    env.filters.update(formats.FILTERS)
    env.globals["ids"] = formats.ids()
    return env


def render_text(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def _parse(template: str, context: dict[str, Any]) -> dict[str, Any]:
    text = render_text(template, **context)
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise TemplateError(f"{template} did not render to valid JSON: {error}") from error
    if not isinstance(parsed, dict):
        raise TemplateError(f"{template} must render to a JSON object")
    return parsed


def message(template: str, **context: Any) -> dict[str, Any]:
    """A message payload: {"text": fallback, "blocks": [...]}, within Slack's limits."""
    payload = _parse(template, context)
    if not isinstance(payload.get("text"), str) or not payload["text"].strip():
        raise TemplateError(f"{template} needs a non-empty 'text' (notification fallback)")
    payload["text"] = cut(payload["text"], FALLBACK_TEXT)
    payload["blocks"] = fit_blocks(payload.get("blocks", []), MESSAGE_BLOCKS)
    _check(check_message, payload, template)
    return payload


def view(template: str, **context: Any) -> dict[str, Any]:
    """A Home tab or modal view, within Slack's limits."""
    payload = _parse(template, context)
    if payload.get("type") not in ("home", "modal"):
        raise TemplateError(f"{template} must render a view of type home or modal")
    payload["blocks"] = fit_blocks(payload.get("blocks", []), VIEW_BLOCKS)
    _check(check_view, payload, template)
    return payload


def _check(check: Any, payload: dict[str, Any], template: str) -> None:
    """Slack refuses a payload that breaks a Block Kit rule whole; refuse it here first."""
    try:
        check(payload, template)
    except BlockKitError as error:
        raise TemplateError(str(error)) from error


# --- Markdown documents ----------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def escape_markdown(value: Any) -> str:
    """Text safe inside a Markdown paragraph, table cell or link text: one line, with the
    characters that would start formatting, links, HTML or a new cell escaped."""
    text = "" if value is None else " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_url(value: Any) -> str:
    """A link destination with the characters that would end it percent-encoded."""
    return quote(str(value), safe=":/?#[]@!$&'*+,;=%~")


def counted(n: Any, basis: str) -> str:
    """'1 rep', '120 closed deals'."""
    count = int(n)
    if count == 1 and basis.endswith("s"):
        basis = basis[:-1]
    return f"{count:,} {basis}"


def markdown(template: str, **context: Any) -> str:
    """A Markdown document: runs of blank lines left by the template's branches become one,
    and the document ends with exactly one newline."""
    text = environment().get_template(template).render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
