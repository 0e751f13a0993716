"""The playbook for one skill: the top performers against every other active rep, the
behaviours where they differ, their recorded wins and the skill's coaching content."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import pandas as pd

from bot.analytics.metrics import CrmData
from bot.coaching.playbooks.exemplars import exemplar_calls
from bot.coaching.playbooks.frames import Context, column_of, prepare
from bot.coaching.playbooks.model import SELECTED_BY_STRENGTH, SELECTED_BY_WIN_RATE, Playbook
from bot.coaching.playbooks.selection import (
    MIN_STRENGTH_REPS,
    select_behaviours,
    strong_in,
    top_performers,
)
from bot.vocabulary import DEFAULT_STAGES, SKILLS

DEFAULT_WINDOW_DAYS = 180

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(text: str, values: dict[str, str]) -> str:
    """Content text with the placeholders a playbook can fill; others are dropped."""
    filled = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), str(text))
    return re.sub(r"\s{2,}", " ", filled).replace(" .", ".").replace(" ,", ",").strip()


def _placeholders(ctx: Context) -> dict[str, str]:
    closed = pd.concat([ctx.top.closed, ctx.others.closed])
    products = column_of(closed, "product").dropna().astype(str).str.strip()
    products = products[products != ""].unique()
    return {"product": str(products[0]) if len(products) == 1 else "your product"}


def build_playbook(
    skill: str,
    data: CrmData,
    payloads: list[dict],
    today: date,
    content: dict,
    recorded_wins: pd.DataFrame | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    stages: Sequence[str] = DEFAULT_STAGES,
) -> Playbook:
    """The playbook for `skill` as of `today`: the top performers against every other active
    rep over the last `window_days`, with recorded wins and the skill's coaching content."""
    if skill not in SKILLS:
        raise ValueError(f"unknown skill {skill!r}; expected one of {', '.join(SKILLS)}")
    if window_days <= 0:
        raise ValueError("window_days must be positive")
    entry = (content.get("skills") or {}).get(skill)
    if not entry:
        raise ValueError(f"the coaching content has no entry for {skill!r}")
    top_ids = top_performers(payloads, skill)
    ctx = prepare(data, top_ids, today, window_days, tuple(stages))
    compared = not ctx.top.reps.empty and not ctx.others.reps.empty
    behaviours = select_behaviours(skill, ctx) if compared else ()
    values = _placeholders(ctx)
    strong = len(strong_in(payloads, skill)) >= MIN_STRENGTH_REPS
    return Playbook(
        skill=skill,
        as_of=today,
        window_days=window_days,
        top_reps=len(ctx.top.reps),
        other_reps=len(ctx.others.reps),
        behaviours=behaviours,
        exemplar_calls=exemplar_calls(recorded_wins, ctx.top.reps, today),
        summary=_fill(entry.get("summary", ""), values),
        tips=tuple(_fill(tip, values) for tip in entry.get("tips") or ()),
        exercise=_fill(entry.get("exercise", ""), values),
        selected_by=SELECTED_BY_STRENGTH if strong else SELECTED_BY_WIN_RATE,
    )
