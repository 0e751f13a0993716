"""The pure core with benchmarks and targets from other systems: each metric's evidence
carries the most specific one of each kind that applies to the rep, and nothing else about
the assessment changes. Frames in, assessments out."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import timedelta

from bot.analytics import catalog as c
from bot.coaching.assessment import assess, summary
from bot.coaching.external import ExternalFigure, ExternalFigures, ExternalValue, metric_units
from bot.vocabulary import DEFAULT_STAGES
from tests.test_assessment_coverage import TODAY, of, org


def _data():
    """Three teams of eight; Team 1 and Team 2 sell to the smb segment."""
    data = org(seed=3, low_win_rate=5)
    people = data.people.copy()
    people.loc[people["team"].isin(["Team 1", "Team 2"]), "segment"] = "smb"
    return replace(data, people=people)


def figure(kind: str, scope: str, scope_value: str, value: float, **kw) -> ExternalFigure:
    return ExternalFigure(c.WIN_RATE, kind, scope, scope_value, value, "Sales Ops", **kw)


FIGURES = [
    figure("target", "workspace", "", 0.5),
    figure("target", "segment", "smb", 0.55),
    figure("target", "team", "Team 2", 0.6),
    figure("benchmark", "workspace", "", 0.45),
    # From next week on: not yet.
    figure("benchmark", "team", "Team 2", 0.7, valid_from=TODAY + timedelta(days=7)),
    ExternalFigure(c.DEAL_SIZE, "target", "team", "Team 0", 30000.0, "Finance"),
]


def _win_rate(assessments, rep: int):
    return next(e for e in of(assessments, rep).comparisons if e.metric == c.WIN_RATE)


def test_the_most_specific_scope_of_each_kind_applies() -> None:
    assessed = assess(_data(), TODAY, external=FIGURES)
    # Team 0 (no segment): the workspace's target and benchmark.
    assert _win_rate(assessed, 1).external == (
        ExternalValue("benchmark", 0.45, "Sales Ops", "workspace", ""),
        ExternalValue("target", 0.5, "Sales Ops", "workspace", ""),
    )
    # Team 1 (smb): the segment's target over the workspace's.
    assert [(x.kind, x.scope, x.value) for x in _win_rate(assessed, 9).external] == [
        ("benchmark", "workspace", 0.45),
        ("target", "segment", 0.55),
    ]
    # Team 2 (smb): its own target; its benchmark is not valid yet.
    assert [(x.kind, x.scope, x.value) for x in _win_rate(assessed, 17).external] == [
        ("benchmark", "workspace", 0.45),
        ("target", "team", 0.6),
    ]
    deal_size = {
        a.rep_id: next(e for e in a.comparisons if e.metric == c.DEAL_SIZE).external
        for a in assessed
    }
    assert deal_size[1] == (ExternalValue("target", 30000.0, "Finance", "team", "Team 0"),)
    assert deal_size[9] == ()
    others = [
        e for a in assessed for e in a.comparisons if e.metric not in (c.WIN_RATE, c.DEAL_SIZE)
    ]
    assert others and all(e.external == () for e in others)


def test_they_never_change_a_verdict_and_without_them_nothing_changes() -> None:
    data = _data()
    plain = assess(data, TODAY)
    shown = assess(data, TODAY, external=FIGURES)
    assert [a.to_dict() for a in plain] == [a.to_dict() for a in assess(data, TODAY, external=())]
    assert all("external" not in e for a in plain for e in a.to_dict()["comparisons"])
    assert all(
        "external" not in e for a in plain for g in summary(a)["gaps"] for e in g["evidence"]
    )
    # With figures, only `external` differs: values, intervals, verdicts, gaps stay.
    without = [_strip(a.to_dict()) for a in shown]
    assert without == [a.to_dict() for a in plain]
    low = of(shown, 5)
    assert low.gaps and low.gaps[0].revenue_at_stake == of(plain, 5).gaps[0].revenue_at_stake
    assert any(e.external for g in low.gaps for e in g.evidence)  # carried into the findings
    assert _win_rate(shown, 5).external[1].value == 0.5
    assert asdict(_win_rate(shown, 5).external[1])["source"] == "Sales Ops"


def _strip(payload):
    if isinstance(payload, dict):
        return {k: _strip(v) for k, v in payload.items() if k != "external"}
    if isinstance(payload, list):
        return [_strip(v) for v in payload]
    return payload


def test_a_rep_without_team_or_segment_gets_only_the_workspaces() -> None:
    figures = ExternalFigures(FIGURES)
    assert [x.scope for x in figures.for_rep(c.WIN_RATE, None, None, TODAY)] == [
        "workspace",
        "workspace",
    ]
    assert figures.for_rep(c.CYCLE_DAYS, "Team 2", "smb", TODAY) == ()
    assert not ExternalFigures()


def test_the_metrics_a_figure_may_name_follow_the_stages() -> None:
    units = metric_units(DEFAULT_STAGES)
    assert units[c.WIN_RATE] == "pct" and units[c.DISCOUNT] == "points"
    assert units["conversion:negotiation>won"] == "pct"
    assert units["lost_to:price"] == "pct"
    custom = metric_units(("new", "demo", "contract"))
    assert "conversion:new>demo" in custom and "conversion:contract>won" in custom
    assert "conversion:prospecting>discovery" not in custom
