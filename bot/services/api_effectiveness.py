"""Did coaching work, as the API serves it: each plan's objectives against comparable
uncoached reps with their 90% intervals, and the return on coaching time, from the same
report `coachbot effectiveness` prints (bot/services/effectiveness.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from bot.config import Settings
from bot.services.effectiveness import (
    EffectivenessReport,
    ObjectiveEffect,
    PlanEffect,
    effectiveness,
)
from bot.store.engine import Database
from bot.store.models import Person


def effectiveness_report(
    db: Database, settings: Settings, team_id: str, workspace_id: int, today: date
) -> dict[str, Any]:
    """The workspace's effectiveness report as of `today`, at the install's hourly cost."""
    report = effectiveness(db, team_id, today, settings.coaching_hourly_cost, settings.stages)
    with db.begin() as session:
        people = {
            row.id: row
            for row in session.execute(
                select(Person.id, Person.email, Person.team).where(
                    Person.workspace_id == workspace_id
                )
            )
        }
    return report_dict(report, people)


def report_dict(report: EffectivenessReport, people: dict[int, Any]) -> dict[str, Any]:
    """`people`: rows with the email and team of each person, by id."""
    return {
        "as_of": report.as_of,
        "hourly_cost": report.hourly_cost,
        "attainment": report.attainment,
        "attributable_revenue": report.attributable_revenue,
        "revenue_interval": report.revenue_interval,
        "coaching_cost": report.total_cost,
        "roi": report.roi,
        "plans": [_plan(p, people.get(p.rep_id)) for p in report.plans],
    }


def _plan(plan: PlanEffect, rep: Any) -> dict[str, Any]:
    roi = plan.roi
    low, high = roi.revenue_low, roi.revenue_high
    return {
        "plan_id": plan.plan_id,
        "rep_email": rep.email if rep is not None else None,
        "rep_name": plan.rep_name,
        "team": rep.team if rep is not None else None,
        "status": plan.status,
        "started_on": plan.started_on,
        "days": plan.days,
        "hours": plan.hours,
        "objectives": [objective_dict(o) for o in plan.objectives],
        "attributable_revenue": roi.attributable_revenue,
        "revenue_interval": None if low is None or high is None else (low, high),
        "cost": roi.cost,
        "roi": roi.roi,
        "explanation": roi.explanation,
    }


def objective_dict(objective: ObjectiveEffect) -> dict[str, Any]:
    effect = objective.effect
    measured = effect.low is not None and effect.high is not None
    moved = objective.baseline is not None and objective.current is not None
    return {
        "skill": objective.skill,
        "metric": objective.metric,
        "label": objective.label,
        "unit": objective.unit,
        "baseline": objective.baseline,
        "current": objective.current,
        "target": objective.target,
        "met": objective.met,
        "coached_change": effect.coached_change if moved else None,
        "comparison_change": effect.comparison_change,
        "effect": effect.effect,
        "interval": (effect.low, effect.high) if measured else None,
        "credible": effect.credible,
        "comparison_reps": effect.comparison_reps,
        "explanation": effect.explanation,
    }
