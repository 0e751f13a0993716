"""A rep's assessment: where they stand, which skills hold them back (ranked by revenue at
stake and coachability), where they are strong, and which way they are heading. Every
finding carries its evidence. Pure: CRM frames and `today` in, assessments out. This module
measures, gathers the evidence and assembles the assessment and its JSON shapes; which skills
are gaps or strengths is decided in bot.coaching.findings."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import pandas as pd

from bot.analytics import catalog as c
from bot.analytics.compare import compare, metric_info
from bot.analytics.metrics import CrmData, Measurements, Window, measure, monthly_history
from bot.analytics.revenue import DAYS_PER_QUARTER, stakes
from bot.analytics.trends import TrendResult, win_rate_trend
from bot.coaching.external import ExternalFigure, ExternalFigures, ExternalValue
from bot.coaching.findings import Evidence, SkillFinding, skill_gaps, skill_strengths
from bot.coaching.skills import FeedbackSignal, feedback_signals
from bot.vocabulary import DEFAULT_STAGES, plural

MIN_CLOSED_DEALS = 10  # closed deals in the window before any verdict about a rep


class Status(StrEnum):
    ASSESSED = "assessed"
    NOT_ENOUGH_DATA = "not_enough_data"


@dataclass(frozen=True)
class AssessmentConfig:
    window_days: int = 90
    stages: tuple[str, ...] = DEFAULT_STAGES
    min_closed_deals: int = MIN_CLOSED_DEALS


@dataclass(frozen=True)
class Assessment:
    rep_id: int
    email: str
    name: str
    team: str | None
    manager_id: int | None
    as_of: date
    window_days: int
    status: Status
    closed_deals: int
    won_deals: int
    headline: dict[str, float | None]
    gaps: tuple[SkillFinding, ...]
    strengths: tuple[SkillFinding, ...]
    trend: TrendResult
    comparisons: tuple[Evidence, ...] = field(repr=False)
    loss_reasons: dict[str, int] = field(default_factory=dict)  # lost deals in the window
    competitors: dict[str, int] = field(default_factory=dict)  # named on lost deals
    # Which kinds of data the workspace has: {"present": [...], "missing": [{kind, unlocks}]}
    coverage: dict[str, Any] = field(default_factory=dict)

    @property
    def revenue_at_stake(self) -> float:
        """The sum over gaps. Gaps can overlap (a missing champion and few contacts explain
        some of the same lost deals), so this is an upper bound, shown as "up to"."""
        return sum(g.revenue_at_stake for g in self.gaps)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings, no NaN)."""
        return _clean(asdict(self, dict_factory=_json_fields))


def assess(
    data: CrmData,
    today: date,
    config: AssessmentConfig | None = None,
    external: Iterable[ExternalFigure] = (),
) -> list[Assessment]:
    """Assess every active rep as of `today`; `external` holds the benchmarks and targets
    other systems sent, attached to each rep's evidence where they apply."""
    config = config or AssessmentConfig()
    figures = ExternalFigures(external)
    window = Window(today, config.window_days)
    measured = measure(data, window, config.stages)
    if measured.reps.empty:
        return []
    compared = compare(measured)
    compared[["revenue_at_stake", "stake_note"]] = stakes(
        measured, compared, config.window_days, config.stages
    ).to_numpy()
    history = monthly_history(data, measured.reps.index, today)
    trends = {rep: win_rate_trend(group) for rep, group in history.groupby("rep_id")}
    signals = feedback_signals(data.feedback, measured.reps, today)
    by_rep_signals: dict[int, list[FeedbackSignal]] = defaultdict(list)
    for row in signals.itertuples():
        by_rep_signals[row.rep_id].append(row.signal)
    by_rep_rows = {rep: rows for rep, rows in compared.groupby("rep_id")}
    return [
        _assess_rep(
            rep,
            measured,
            by_rep_rows.get(rep, compared.iloc[0:0]),
            trends[rep],
            by_rep_signals.get(rep, []),
            window,
            config,
            figures,
        )
        for rep in measured.reps.index
    ]


def _assess_rep(
    rep: int,
    measured: Measurements,
    rows: pd.DataFrame,
    trend: TrendResult,
    signals: list[FeedbackSignal],
    window: Window,
    config: AssessmentConfig,
    figures: ExternalFigures,
) -> Assessment:
    person = measured.reps.loc[rep]
    description = measured.description.loc[rep]
    team, segment = _text(person["team"]), _text(person["segment"])

    def evidence_of(row: Any) -> Evidence:
        external = figures.for_rep(row.metric, team, segment, window.today) if figures else ()
        return _evidence(row, external)

    evidence = [evidence_of(row) for row in rows.itertuples()]
    closed = int(description["closed"])
    enough = closed >= config.min_closed_deals
    gaps: tuple[SkillFinding, ...] = ()
    strengths: tuple[SkillFinding, ...] = ()
    if enough:
        quarterly_won = float(description["won_amount"]) * DAYS_PER_QUARTER / window.days
        gaps = skill_gaps(evidence, signals, quarterly_won, measured.coverage)
        named = {g.skill for g in gaps}
        strengths = skill_strengths(evidence, signals, named)
    return Assessment(
        rep_id=int(rep),
        email=str(person["email"]),
        name=str(person["name"]),
        team=team,
        manager_id=None if pd.isna(person["manager_id"]) else int(person["manager_id"]),
        as_of=window.today,
        window_days=window.days,
        status=Status.ASSESSED if enough else Status.NOT_ENOUGH_DATA,
        closed_deals=closed,
        won_deals=int(description["won"]),
        headline=_headline(evidence, description),
        gaps=gaps,
        strengths=strengths,
        trend=trend,
        comparisons=tuple(evidence),
        loss_reasons=_counts(description["loss_reasons"]),
        competitors=_counts(description["competitors"]),
        coverage=measured.coverage.to_dict(),
    )


def _evidence(row: Any, external: tuple[ExternalValue, ...] = ()) -> Evidence:
    info = metric_info(row.metric)
    return Evidence(
        kind="metric",
        metric=row.metric,
        label=info.label,
        unit=info.unit,
        value=_number(row.value),
        benchmark=_number(row.peer_value),
        sample_size=float(row.n),
        benchmark_sample_size=_number(row.peer_n),
        interval=None if pd.isna(row.low) else (float(row.low), float(row.high)),
        team_value=_number(row.team_value),
        top_value=_number(row.top_value),
        verdict=str(row.verdict),
        revenue_at_stake=float(row.revenue_at_stake),
        notes=(row.stake_note,) if row.stake_note else (),
        external=external,
    )


def _headline(evidence: list[Evidence], description: pd.Series) -> dict[str, float | None]:
    values = {e.metric: e for e in evidence}

    def pick(metric: str) -> tuple[float | None, float | None]:
        item = values.get(metric)
        return (item.value, item.benchmark) if item else (None, None)

    win, win_peer = pick(c.WIN_RATE)
    size, size_peer = pick(c.DEAL_SIZE)
    cycle, cycle_peer = pick(c.CYCLE_DAYS)
    activity, activity_peer = pick(c.ACTIVITIES)
    return {
        "win_rate": win,
        "peer_win_rate": win_peer,
        "average_won_deal": size,
        "peer_average_won_deal": size_peer,
        "cycle_days": cycle,
        "peer_cycle_days": cycle_peer,
        "activities_per_week": activity,
        "peer_activities_per_week": activity_peer,
        "won_amount": _number(description["won_amount"]),
        "pipeline_created": _number(description["pipeline_created"]),
        "open_pipeline": _number(description["open_pipeline"]),
    }


def _counts(value: Any) -> dict[str, int]:
    return dict(value) if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _json_fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """asdict's dicts without an empty `external`: evidence without benchmarks or targets
    reads exactly as it did before other systems could send them."""
    return {key: value for key, value in pairs if not (key == "external" and not value)}


def _number(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 4)
    if isinstance(value, date):
        return value.isoformat()
    return value


NOT_ENOUGH_DATA_MESSAGE = "not enough data yet"


def status_message(assessment: Assessment, config: AssessmentConfig | None = None) -> str:
    """Plain words for the status, with what is missing when there is no verdict."""
    if assessment.status == Status.ASSESSED:
        return "assessed"
    needed = (config or AssessmentConfig()).min_closed_deals
    return (
        f"{NOT_ENOUGH_DATA_MESSAGE}: {plural(assessment.closed_deals, 'closed deal')} in the last "
        f"{assessment.window_days} days, {needed} needed for a verdict"
    )


def summary(assessment: Assessment) -> dict[str, Any]:
    """The JSON shape of `coachbot assess --json`: per rep, ranked gaps with their lead
    metric and all evidence, strengths and trend."""

    def finding(item: SkillFinding) -> dict[str, Any]:
        lead = max(item.evidence, key=lambda e: (e.kind == "metric", e.revenue_at_stake))
        return {
            "skill": item.skill,
            "metric": lead.metric,
            "value": lead.value,
            "benchmark": lead.benchmark,
            "sample_size": lead.sample_size,
            "benchmark_sample_size": lead.benchmark_sample_size,
            "revenue_at_stake": item.revenue_at_stake,
            "coachability": item.coachability,
            "diagnostic": item.diagnostic,
            "diagnosis": item.diagnosis,
            "evidence": [asdict(e, dict_factory=_json_fields) for e in item.evidence],
        }

    return _clean(
        {
            "email": assessment.email,
            "name": assessment.name,
            "team": assessment.team,
            "status": str(assessment.status),
            "message": status_message(assessment),
            "closed_deals": assessment.closed_deals,
            "won_deals": assessment.won_deals,
            "headline": assessment.headline,
            "revenue_at_stake": assessment.revenue_at_stake,
            "loss_reasons": assessment.loss_reasons,
            "competitors": assessment.competitors,
            "coverage": assessment.coverage,
            "gaps": [finding(g) for g in assessment.gaps],
            "strengths": [finding(s) for s in assessment.strengths],
            "trend": asdict(assessment.trend),
        }
    )
