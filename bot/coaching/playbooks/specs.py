"""A row of the behaviour table (a Spec: what to measure, and what the difference means
either way) and the helpers the table in behaviours.py is written with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from bot.coaching.playbooks.frames import Context
from bot.coaching.playbooks.measures import Measure, conversion

MIN_DEALS = 5  # deals behind each group's number before a per-deal behaviour is shown


@dataclass(frozen=True)
class Spec:
    label: str
    unit: str
    measure: Measure | None
    higher: str  # the note when top performers are higher
    lower: str  # ...and when they are lower
    basis: str = "closed deals"
    minimum: int = MIN_DEALS


def has_kinds(frame: pd.DataFrame, kinds: Sequence[str] | None = None) -> bool:
    if kinds is None:
        return not frame.empty
    return bool(frame["kind"].isin(list(kinds)).any())


def stage_label(name: str) -> str:
    return name.replace("_", " ")


def conversion_spec(ctx: Context, source: str, target: str, higher: str, lower: str) -> Spec:
    return Spec(
        f"{stage_label(source).capitalize()} → {stage_label(target)} conversion",
        "pct",
        conversion(ctx, source, target),
        higher,
        lower,
        basis="deals",
    )


def any_activity(ctx: Context) -> bool:
    return not (ctx.top.activities.empty and ctx.others.activities.empty)
