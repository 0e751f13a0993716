"""How numbers, skills and dates look to a person in Slack (Jinja2 filters)."""

from __future__ import annotations

import math
import re
from datetime import date
from types import SimpleNamespace
from typing import Any

from jinja2 import Undefined

from bot import ids as id_constants
from bot.vocabulary import plural

SKILL_LABELS = {
    "discovery": "Discovery",
    "qualification": "Qualification",
    "value_articulation": "Value articulation",
    "negotiation": "Negotiation",
    "stakeholder_engagement": "Stakeholder engagement",
    "objection_handling": "Objection handling",
    "process_adherence": "Process adherence",
    "prospecting": "Prospecting",
}
TREND_LABELS = {
    "improving": "improving",
    "declining": "declining",
    "stagnant": "steady",
    "not_enough_data": "not enough data yet",
}


def _missing(value: Any) -> bool:
    if isinstance(value, Undefined):
        # A variable the template forgot to get must fail loudly, not render as "–".
        value._fail_with_undefined_error()
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(value: Any) -> str:
    return "–" if _missing(value) else f"{float(value):.0%}"


def money(value: Any) -> str:
    if _missing(value):
        return "–"
    value = float(value)
    if abs(value) >= 999_500:  # would round to "$1000k"
        return f"${value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"${value / 1000:.0f}k"
    return f"${value:,.0f}"


def number(value: Any, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{float(value):,.{digits}f}"


def value_in(value: Any, unit: str) -> str:
    """A metric's value in its unit (catalog units: pct, money, days, per_week, points, rating)."""
    if _missing(value):
        return "–"
    return {
        "pct": pct(value),
        "money": money(value),
        "days": f"{float(value):.0f} days",
        "per_week": f"{float(value):.1f}/wk",
        "points": f"{float(value):.1f} pts",
        "rating": f"{float(value):.1f}/5",
    }.get(unit, number(value))


def skill(name: Any) -> str:
    if _missing(name):
        return "–"
    return SKILL_LABELS.get(str(name), str(name).replace("_", " "))


def trend(direction: Any) -> str:
    if _missing(direction):
        return "–"
    return TREND_LABELS.get(str(direction), str(direction))


def day(value: Any) -> str:
    if _missing(value):
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%b %-d, %Y") if isinstance(value, date) else "–"


_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


def mention(name: Any, slack_id: Any = None) -> str:
    """`<@U…>` for someone on Slack, so a group DM notifies them; else their name, escaped.
    Only a well-formed Slack user id ever becomes a mention: CRM text cannot ping anyone."""
    if isinstance(slack_id, str) and _SLACK_USER.match(slack_id):
        return f"<@{slack_id}>"
    text = "" if name is None else str(name)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


FILTERS = {
    "mention": mention,
    "plural": plural,
    "pct": pct,
    "money": money,
    "number": number,
    "value_in": value_in,
    "skill": skill,
    "trend": trend,
    "day": day,
    "quoted": repr,  # a name as Python shows it, quotes and all: 'T0ACME'
}


def ids() -> SimpleNamespace:
    return id_constants.as_namespace()
