"""Benchmarks and targets other systems send (a forecasting system's win rate for a segment,
sales operations' activity target for a team): which of them apply to a rep, and the metric
names they may be sent for. They are shown beside the peer value and never change a verdict,
which stays with the peer comparison (bot/analytics/compare.py). Pure: values in, values out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.analytics import catalog as c
from bot.analytics.funnel import transitions
from bot.vocabulary import BENCHMARK_KINDS

# The most specific scope that applies wins: a team's target over its segment's over the
# workspace's.
SPECIFICITY: tuple[str, ...] = ("team", "segment", "workspace")


@dataclass(frozen=True)
class ExternalValue:
    """One benchmark or target as a rep's evidence shows it."""

    kind: str  # "benchmark" or "target"
    value: float  # in the metric's unit (pct as a fraction 0-1)
    source: str  # the system or team that sent it, as it named itself
    scope: str  # "workspace", "team" or "segment"
    scope_value: str  # the team's or segment's name; "" for the workspace


@dataclass(frozen=True)
class ExternalFigure:
    """A benchmark or target as it was sent and stored, for one metric."""

    metric: str
    kind: str
    scope: str
    scope_value: str
    value: float
    source: str
    valid_from: date | None = None

    def shown(self) -> ExternalValue:
        return ExternalValue(self.kind, self.value, self.source, self.scope, self.scope_value)


class ExternalFigures:
    """A workspace's figures by metric, asked per rep for the ones that apply."""

    def __init__(self, figures: Iterable[ExternalFigure] = ()) -> None:
        self._by_metric: dict[str, list[ExternalFigure]] = defaultdict(list)
        for figure in figures:
            self._by_metric[figure.metric].append(figure)

    def __bool__(self) -> bool:
        return bool(self._by_metric)

    def for_rep(
        self, metric: str, team: str | None, segment: str | None, today: date
    ) -> tuple[ExternalValue, ...]:
        """Per kind (benchmarks, then targets), the most specific figure that applies to a
        rep of this team and segment as of `today`; a figure valid only from a later date
        does not apply yet."""
        wanted = {"team": team, "segment": segment, "workspace": ""}
        candidates = [
            f
            for f in self._by_metric.get(metric, ())
            if wanted.get(f.scope) is not None
            and f.scope_value == wanted[f.scope]
            and (f.valid_from is None or f.valid_from <= today)
        ]
        chosen = []
        for kind in BENCHMARK_KINDS:
            of_kind = [f for f in candidates if f.kind == kind]
            if of_kind:
                best = min(of_kind, key=lambda f: SPECIFICITY.index(f.scope))
                chosen.append(best.shown())
        return tuple(chosen)


def metric_units(stages: Sequence[str]) -> dict[str, str]:
    """Every metric an assessment compares with these CRM stages, and its unit: the names a
    benchmark or target may be sent for."""
    metrics = [
        *c.BASE_METRICS,
        *(c.conversion_metric(source, target) for source, target in transitions(stages)),
        *(c.loss_reason_metric(reason) for reason in c.LOSS_REASON_SKILLS),
    ]
    return {m.name: m.unit for m in metrics}
