"""Gaps and strengths: which skills a rep's evidence says hold them back (ranked by revenue at
stake and coachability) and which they are strong in. Every finding carries its evidence.
Pure: evidence and feedback signals in, findings out; bot.coaching.assessment assembles them
into an assessment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from bot.analytics import catalog as c
from bot.analytics.compare import Verdict, metric_info
from bot.analytics.coverage import Coverage, DataKind
from bot.coaching.external import ExternalValue
from bot.coaching.skills import FeedbackSignal, coachability
from bot.vocabulary import SKILLS

MAX_STRENGTHS = 3
MATERIAL_SHARE = 0.01  # of the rep's quarterly won revenue
LEADING_INDICATORS = frozenset({c.CYCLE_DAYS, c.ACTIVITIES})
# A win-rate gap that nothing in the data explains is coached as a diagnosis: a review of
# lost deals with the manager and discovery practice, the most common root of lost deals.
DIAGNOSTIC_SKILL = "discovery"
UNEXPLAINED_SHARE = 0.5  # of a win-rate gap's revenue, left unexplained by other findings
# Where a loss reason points at two skills, the second is taken when the rep's numbers
# already show a gap in it (lost on price and discounting heavily: negotiation).
LOSS_REASON_ALTERNATIVES: dict[str, str] = {
    "price": "negotiation",
    "no_decision": "qualification",
    "competitor": "value_articulation",
}


class Diagnosis(StrEnum):
    """Why a win-rate gap stands unexplained (the template says it in words)."""

    NO_LOSS_REASONS = "no_loss_reasons"  # the export carries no reasons for lost deals
    NO_PATTERN = "no_pattern"  # losses spread over reasons much as the peers' do


@dataclass(frozen=True)
class Evidence:
    """One measured comparison, or a feedback summary, behind a finding."""

    kind: str  # "metric" or "feedback"
    metric: str
    label: str
    unit: str
    value: float | None
    benchmark: float | None  # the peer group's value
    sample_size: float
    benchmark_sample_size: float | None
    interval: tuple[float, float] | None
    team_value: float | None
    top_value: float | None
    verdict: str
    revenue_at_stake: float = 0.0
    notes: tuple[str, ...] = ()
    # Benchmarks and targets other systems sent for this metric, shown beside the peer
    # value; they never decide the verdict.
    external: tuple[ExternalValue, ...] = ()


@dataclass(frozen=True)
class SkillFinding:
    skill: str
    revenue_at_stake: float  # per quarter, conservative
    coachability: float
    priority: float
    evidence: tuple[Evidence, ...]
    # A win-rate gap nothing in the data explains: `skill` is where coaching starts, not a
    # measured weakness, and `diagnosis` says why it stands unexplained.
    diagnostic: bool = False
    diagnosis: str | None = None


def _feedback_evidence(signal: FeedbackSignal, verdict: Verdict) -> Evidence:
    return Evidence(
        kind="feedback",
        metric=f"feedback:{signal.skill}",
        label=f"{signal.skill.replace('_', ' ')} feedback (1-5)",
        unit="rating",
        value=signal.mean_rating,
        benchmark=signal.team_mean,
        sample_size=signal.ratings,
        benchmark_sample_size=None,
        interval=None,
        team_value=signal.team_mean,
        top_value=None,
        verdict=str(verdict),
        notes=signal.notes,
    )


def _skill_of(item: Evidence) -> str | None:
    return metric_info(item.metric).skill if item.kind == "metric" else None


def _material(item: Evidence, quarterly_won: float) -> bool:
    """A credible gap worth coaching: its revenue at stake is at least MATERIAL_SHARE of what
    the rep wins a quarter. Leading indicators (cycle time, activity) have no revenue figure
    and always count."""
    if item.metric in LEADING_INDICATORS:
        return True
    return item.revenue_at_stake >= MATERIAL_SHARE * quarterly_won


def skill_gaps(
    evidence: list[Evidence],
    signals: list[FeedbackSignal],
    quarterly_won: float,
    coverage: Coverage,
) -> tuple[SkillFinding, ...]:
    """A skill is a gap when a metric it drives, or a loss reason that points at it, is
    credibly and materially behind peers; feedback corroborates but never decides alone.
    A credible, material win-rate gap always surfaces: attributed where loss reasons,
    contacts or conversion explain the lost deals, as a diagnostic finding where not."""
    weak = {s.skill: s for s in signals if s.weak}
    credible = [e for e in evidence if e.verdict == Verdict.GAP and _material(e, quarterly_won)]
    measured_skills = {_skill_of(e) for e in credible if not e.metric.startswith("lost_to:")}
    by_skill: dict[str, list[Evidence]] = defaultdict(list)
    for item in credible:
        skill = _attributed_skill(item, measured_skills)
        if skill is not None:
            by_skill[skill].append(item)
    findings = []
    for skill in SKILLS:
        items = by_skill.get(skill)
        if not items:
            continue
        feedback = weak.get(skill)
        primary = [e for e in items if not e.metric.startswith("lost_to:")]
        losses = [e for e in items if e.metric.startswith("lost_to:")]
        if feedback:
            items.append(_feedback_evidence(feedback, Verdict.GAP))
        corroborated = bool(feedback or (primary and losses))
        revenue = max((e.revenue_at_stake for e in items), default=0.0)
        score = coachability(skill, corroborated)
        findings.append(
            SkillFinding(skill, revenue, score, round(revenue * score, 0), tuple(items))
        )
    win = next((e for e in credible if e.metric == c.WIN_RATE), None)
    if win is not None:
        explained = sum(
            f.revenue_at_stake for f in findings if any(_explains_losses(e) for e in f.evidence)
        )
        unexplained = win.revenue_at_stake - explained
        # Mostly explained: the attributed findings carry it. Otherwise the part the data
        # cannot explain stands as its own finding, so no credible shortfall goes unsaid.
        if unexplained >= UNEXPLAINED_SHARE * win.revenue_at_stake:
            findings.append(
                _unexplained_win_rate(win, unexplained, weak.get(DIAGNOSTIC_SKILL), coverage)
            )
    findings.sort(key=lambda f: (-f.priority, -f.coachability, -len(f.evidence)))
    return tuple(findings)


def _attributed_skill(item: Evidence, measured_skills: set[str | None]) -> str | None:
    if not item.metric.startswith("lost_to:"):
        return _skill_of(item)
    reason = item.metric.split(":", 1)[1]
    alternative = LOSS_REASON_ALTERNATIVES.get(reason)
    if alternative in measured_skills:
        return alternative
    return _skill_of(item)


def _explains_losses(item: Evidence) -> bool:
    """Evidence that says why deals are lost, and so explains a win-rate gap."""
    return item.metric.startswith(("lost_to:", "conversion:")) or item.metric == c.MULTITHREADED


def _unexplained_win_rate(
    win: Evidence, revenue: float, feedback: FeedbackSignal | None, coverage: Coverage
) -> SkillFinding:
    items = [win]
    if feedback:
        items.append(_feedback_evidence(feedback, Verdict.GAP))
    diagnosis = (
        Diagnosis.NO_PATTERN if coverage.has(DataKind.LOSS_REASONS) else Diagnosis.NO_LOSS_REASONS
    )
    score = coachability(DIAGNOSTIC_SKILL, bool(feedback))
    return SkillFinding(
        DIAGNOSTIC_SKILL,
        revenue,
        score,
        round(revenue * score, 0),
        tuple(items),
        diagnostic=True,
        diagnosis=str(diagnosis),
    )


def skill_strengths(
    evidence: list[Evidence], signals: list[FeedbackSignal], gaps: set[str]
) -> tuple[SkillFinding, ...]:
    findings = []
    strong = {s.skill: s for s in signals if s.strong}
    for skill in SKILLS:
        if skill in gaps:
            continue
        items = [e for e in evidence if e.verdict == Verdict.STRENGTH and _skill_of(e) == skill]
        primary = [e for e in items if not e.metric.startswith("lost_to:")]
        feedback = strong.get(skill)
        if not primary and not (items and feedback):
            continue
        if feedback:
            items.append(_feedback_evidence(feedback, Verdict.STRENGTH))
        lead = max((_relative_edge(e) for e in items), default=0.0)
        findings.append(SkillFinding(skill, 0.0, coachability(skill, False), lead, tuple(items)))
    findings.sort(key=lambda f: -f.priority)
    return tuple(findings[:MAX_STRENGTHS])


def _relative_edge(item: Evidence) -> float:
    """How far ahead of peers, as a share of the peer value (for ranking strengths)."""
    if item.value is None or not item.benchmark:
        return 0.0
    return round(abs(item.value - item.benchmark) / abs(item.benchmark), 4)
