"""One HTML page that shows Block Kit messages readably, grouped by recipient."""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.render.renderer import TEMPLATES

_BOLD = re.compile(r"\*([^*\n]+)\*")
_ITALIC = re.compile(r"(?<![\w])_([^_\n]+)_(?![\w])")
_CODE = re.compile(r"`([^`\n]+)`")
_EMOJI = {
    ":seedling:": "🌱",
    ":white_check_mark:": "✅",
    ":lock:": "🔒",
    ":warning:": "⚠️",
    ":mailbox_with_mail:": "📬",
    ":memo:": "📝",
    ":pause_button:": "⏸️",
    ":arrow_forward:": "▶️",
    ":wave:": "👋",
    ":x:": "❌",
    ":alarm_clock:": "⏰",
    ":handshake:": "🤝",
    ":bust_in_silhouette:": "👤",
}


def mrkdwn_html(text: str) -> Markup:
    """Slack mrkdwn (already escaped for Slack) as safe HTML."""
    plain = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    escaped = html.escape(plain, quote=False)
    for code, emoji in _EMOJI.items():
        escaped = escaped.replace(code, emoji)
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    escaped = _ITALIC.sub(r"<i>\1</i>", escaped)
    return Markup(escaped.replace("\n", "<br>"))


def write_page(
    path: Path, title: str, records: list[dict[str, Any]], files: dict[str, str] | None = None
) -> Path:
    """`files` maps Slack file ids to the PNGs written beside the page."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"])
    )
    env.filters["mrkdwn_html"] = mrkdwn_html
    grouped: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for record in records:
        grouped.setdefault(record["recipient_name"], []).append(record)
    page = env.get_template("preview/index.html.j2").render(
        title=title, groups=grouped, files=files or {}
    )
    path.write_text(page, encoding="utf-8")
    return path
