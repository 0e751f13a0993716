"""The team development report, what a continuous-improvement programme plans training from:
per team and skill, how many active reps the current assessment finds a gap in and the
revenue at stake in those gaps, the active plans coaching the skill, and what coaching on it
has done so far against uncoached peers (bot/services/effectiveness.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from bot.config import Settings
from bot.services.assessments import assessment_config, current_payloads
from bot.services.effectiveness import ObjectiveEffect, effectiveness
from bot.services.plan_records import current_version
from bot.store.engine import Database
from bot.store.models import CoachingPlan, Person
from bot.vocabulary import SKILLS

Key = tuple[str | None, str]  # (team, skill)


def development_report(
    db: Database,
    settings: Settings,
    team_id: str,
    workspace_id: int,
    team: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Every team's rows (or `team`'s alone), each team's skills with the most revenue at
    stake first. Reps without a team form one team named null."""
    today = now.date()
    with db.begin() as session:
        reps = dict(
            session.execute(
                select(Person.id, Person.team).where(
                    Person.workspace_id == workspace_id,
                    Person.role == "rep",
                    Person.active.is_(True),
                )
            ).all()
        )
        if team is not None:
            reps = {rep: t for rep, t in reps.items() if t == team}
        active = session.scalars(
            select(CoachingPlan).where(
                CoachingPlan.workspace_id == workspace_id,
                CoachingPlan.status == "active",
                CoachingPlan.rep_id.in_(list(reps)),
            )
        ).all()
        coached = [
            (plan.rep_id, {o["skill"] for o in current_version(session, plan).objectives})
            for plan in active
        ]
    payloads = current_payloads(db, team_id, list(reps), today, now, assessment_config(settings))
    gaps: defaultdict[Key, list[float]] = defaultdict(list)
    for rep, payload in payloads.items():
        for gap in payload["gaps"]:
            gaps[(reps[rep], gap["skill"])].append(float(gap["revenue_at_stake"]))
    plans: defaultdict[Key, int] = defaultdict(int)
    for rep, skills in coached:
        for skill in skills:
            plans[(reps[rep], skill)] += 1
    effects = _effects(db, settings, team_id, today, reps)
    teams = sorted(set(reps.values()), key=lambda t: (t is None, t or ""))
    return {
        "as_of": today,
        "teams": [
            {
                "team": name,
                "reps": sum(1 for t in reps.values() if t == name),
                "assessed_reps": sum(
                    1
                    for rep, payload in payloads.items()
                    if reps[rep] == name and payload["status"] == "assessed"
                ),
                "skills": _ranked(
                    [
                        {
                            "skill": skill,
                            "reps_with_gap": len(gaps[(name, skill)]),
                            "revenue_at_stake": round(sum(gaps[(name, skill)]), 2),
                            "plans_in_progress": plans[(name, skill)],
                            "effect_so_far": effects.get((name, skill)),
                        }
                        for skill in SKILLS
                    ]
                ),
            }
            for name in teams
        ],
    }


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The most revenue at stake first, then the most reps with the gap; ties keep the
    skills' order (rows come in SKILLS order and the sort is stable)."""
    return sorted(rows, key=lambda r: (-r["revenue_at_stake"], -r["reps_with_gap"]))


def _effects(
    db: Database, settings: Settings, team_id: str, today: date, reps: dict[int, str | None]
) -> dict[Key, list[dict[str, Any]]]:
    """Per team and skill, the measured effect of its plans' objectives, one entry per
    metric; a team and skill with nothing measurable yet has no entry."""
    report = effectiveness(db, team_id, today, settings.coaching_hourly_cost, settings.stages)
    measured: defaultdict[tuple[str | None, str, str], list[ObjectiveEffect]] = defaultdict(list)
    for plan in report.plans:
        if plan.rep_id not in reps:
            continue
        for objective in plan.objectives:
            effect = objective.effect
            if effect.effect is not None and effect.low is not None and effect.high is not None:
                measured[(reps[plan.rep_id], objective.skill, objective.metric)].append(objective)
    pooled: defaultdict[Key, list[dict[str, Any]]] = defaultdict(list)
    for (name, skill, _metric), objectives in sorted(
        measured.items(), key=lambda item: (-len(item[1]), item[0][2])
    ):
        pooled[(name, skill)].append(_pooled(objectives))
    return dict(pooled)


def _pooled(objectives: list[ObjectiveEffect]) -> dict[str, Any]:
    """The mean effect of the objectives on one metric, with the mean of their interval ends
    as its interval. The plans' comparison groups overlap (the same uncoached peers), so
    their errors are not independent; averaging the ends is the interval whatever the
    correlation, which is the cautious side."""
    k = len(objectives)
    effect = sum(o.effect.effect or 0.0 for o in objectives) / k
    low = sum(o.effect.low or 0.0 for o in objectives) / k
    high = sum(o.effect.high or 0.0 for o in objectives) / k
    first = objectives[0]
    return {
        "metric": first.metric,
        "label": first.label,
        "unit": first.unit,
        "effect": effect,
        "interval": (low, high),
        "credible": low > 0 or high < 0,
        "objectives": k,
        "comparison_reps": min(o.effect.comparison_reps for o in objectives),
    }
