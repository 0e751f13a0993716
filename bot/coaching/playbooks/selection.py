"""Who the top performers are, and which measured behaviours a playbook shows: each row of
the behaviour table measured for both groups, rounded to its stored precision, and kept only
when both groups have the data to say."""

from __future__ import annotations

import math

from bot.coaching.playbooks.behaviours import specs_for
from bot.coaching.playbooks.frames import Context
from bot.coaching.playbooks.model import Behaviour
from bot.coaching.playbooks.specs import Spec

MIN_STRENGTH_REPS = 2  # reps named strong in the skill before they make the top group
MAX_BEHAVIOURS = 5
SIMILAR_SHARE = 0.05  # differences smaller than this share of the larger value are "the same"
SIMILAR_POINTS = 0.01  # ...and, for percentages, smaller than one point or a tenth of the larger
SIMILAR_PCT_SHARE = 0.10

# Stored precision per unit (what the Markdown shows is formatted from these).
DIGITS: dict[str, int] = {"pct": 3, "money": 0, "days": 1, "per_week": 1, "points": 1}
SIMILAR_NOTE = "About the same in both groups: not what sets top performers apart here."


# --- who the top performers are --------------------------------------------------------------


def _latest(payloads: list[dict]) -> dict[int, dict]:
    """Per rep id, the payload with the latest as_of (ISO dates sort as text)."""
    latest: dict[int, dict] = {}
    for payload in payloads:
        rep = payload.get("rep_id")
        if rep is None:
            continue
        known = latest.get(int(rep))
        if known is None or str(payload.get("as_of") or "") >= str(known.get("as_of") or ""):
            latest[int(rep)] = payload
    return latest


def strong_in(payloads: list[dict], skill: str) -> set[int]:
    return {
        rep
        for rep, payload in _latest(payloads).items()
        if any(item.get("skill") == skill for item in payload.get("strengths") or [])
    }


def _win_rate(payload: dict) -> float | None:
    value = (payload.get("headline") or {}).get("win_rate")
    if value is None or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def top_performers(payloads: list[dict], skill: str) -> set[int]:
    """Rep ids whose latest assessment names `skill` a strength; when fewer than two are, the
    top quartile by win rate among assessed reps (ties at the cut-off included)."""
    strong = strong_in(payloads, skill)
    if len(strong) >= MIN_STRENGTH_REPS:
        return strong
    rates = {
        rep: rate
        for rep, payload in _latest(payloads).items()
        if payload.get("status", "assessed") == "assessed"
        and (rate := _win_rate(payload)) is not None
    }
    if not rates:
        return set()
    ranked = sorted(rates.values(), reverse=True)
    cutoff = ranked[math.ceil(len(ranked) / 4) - 1]
    return {rep for rep, rate in rates.items() if rate >= cutoff}


# --- which behaviours are shown --------------------------------------------------------------


def _round(value: float, unit: str) -> float:
    rounded = round(value, DIGITS.get(unit, 1))
    return rounded + 0.0  # no "-0.0"


def _similar(top: float, others: float, unit: str) -> bool:
    gap = abs(top - others)
    larger = max(abs(top), abs(others))
    if unit == "pct":
        return gap < SIMILAR_POINTS or gap < SIMILAR_PCT_SHARE * larger
    return gap < SIMILAR_SHARE * larger


def _behaviour(ctx: Context, spec: Spec) -> Behaviour | None:
    """The spec measured for both groups; None when either lacks the data to say."""
    if spec.measure is None:
        return None
    top, top_n = spec.measure(ctx.top)
    others, others_n = spec.measure(ctx.others)
    if top is None or others is None or min(top_n, others_n) < spec.minimum:
        return None
    if not (math.isfinite(top) and math.isfinite(others)) or top == others == 0:
        return None
    top, others = _round(top, spec.unit), _round(others, spec.unit)
    if _similar(top, others, spec.unit):
        note = SIMILAR_NOTE
    else:
        note = spec.higher if top > others else spec.lower
    return Behaviour(spec.label, top, others, spec.unit, top_n, others_n, note, spec.basis)


def _relative_gap(item: Behaviour) -> float:
    return abs(item.top - item.others) / max(abs(item.top), abs(item.others), 1e-9)


def select_behaviours(skill: str, ctx: Context) -> tuple[Behaviour, ...]:
    found = [b for spec in specs_for(skill, ctx) if (b := _behaviour(ctx, spec)) is not None]
    if skill == "process_adherence":
        # The per-stage days are many; keep the stages where the groups differ most.
        fixed = [b for b in found if not b.label.startswith("Days in ")]
        stages = sorted(
            (b for b in found if b.label.startswith("Days in ")), key=_relative_gap, reverse=True
        )
        found = fixed + stages[: max(MAX_BEHAVIOURS - len(fixed), 0)]
    return tuple(found[:MAX_BEHAVIOURS])
