"""How the CLI shows assessments: a terminal table, or JSON for other tools."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.coaching.assessment import Assessment, Status, summary
from bot.coaching.effectiveness import money as dollars
from bot.coaching.findings import Evidence, SkillFinding
from bot.coaching.plans import format_value as plan_value
from bot.services.effectiveness import EffectivenessReport

SKILL_WIDTH = 60


def assessment_json(assessments: list[Assessment], as_of: date, window_days: int) -> str:
    payload = {
        "as_of": as_of.isoformat(),
        "window_days": window_days,
        "reps": {a.email: summary(a) for a in assessments},
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def assessment_table(assessments: list[Assessment], as_of: date, window_days: int) -> str:
    header = (
        "rep",
        "team",
        "closed",
        "win rate",
        "trend",
        "top gaps ($/quarter at stake)",
        "strengths",
    )
    rows = [header]
    for a in sorted(assessments, key=lambda a: (a.team or "", a.name)):
        win = a.headline.get("win_rate")
        peer = a.headline.get("peer_win_rate")
        win_text = "-" if win is None else f"{win:.0%}" + ("" if peer is None else f" ({peer:.0%})")
        if a.status == Status.NOT_ENOUGH_DATA:
            gaps = "not enough data yet"
        else:
            gaps = ", ".join(_gap_text(g) for g in a.gaps) or "none"
        strengths = ", ".join(s.skill for s in a.strengths) or "-"
        trend = str(a.trend.direction).replace("_", " ")
        rows.append(
            (
                a.name,
                a.team or "-",
                str(a.closed_deals),
                win_text,
                trend,
                _cut(gaps),
                _cut(strengths),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [f"Assessments as of {as_of.isoformat()}, deals closed in the last {window_days} days"]
    lines.append("win rate in brackets: the rep's peer group")
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    if assessments:
        lines += ["", *coverage_lines(assessments[0].coverage)]
    return "\n".join(line.rstrip() for line in lines)


def coverage_lines(coverage: dict[str, Any]) -> list[str]:
    """Which kinds of data the workspace has, and what each missing one would unlock."""
    present = ", ".join(k.replace("_", " ") for k in coverage.get("present", [])) or "none"
    lines = [f"Data beyond the deal export: {present}."]
    missing = coverage.get("missing", [])
    if missing:
        lines.append("Not measured (import it to see more):")
        lines += [f"  - {item['unlocks']}" for item in missing]
    return lines


def _gap_text(gap: SkillFinding) -> str:
    name = f"win rate (cause unknown; start with {gap.skill})" if gap.diagnostic else gap.skill
    # Leading indicators carry no revenue figure; "$0" would read as "worth nothing".
    return f"{name} ${gap.revenue_at_stake:,.0f}" if gap.revenue_at_stake else name


def _cut(text: str) -> str:
    return text if len(text) <= SKILL_WIDTH else text[: SKILL_WIDTH - 3] + "..."


def biggest_gaps(assessments: list[Assessment], count: int = 3) -> str:
    """The largest gaps in the org, each with the evidence behind it."""
    ranked = sorted(
        ((a, g) for a in assessments for g in a.gaps if g.revenue_at_stake > 0),
        key=lambda pair: -pair[1].revenue_at_stake,
    )[:count]
    if not ranked:
        return "No credible gaps with revenue at stake."
    lines = [f"The {len(ranked)} biggest gaps and their evidence:"]
    for assessment, gap in ranked:
        lines.append(
            f"- {assessment.name}: {gap.skill.replace('_', ' ')}, "
            f"${gap.revenue_at_stake:,.0f} a quarter at stake"
        )
        lines += [f"    {evidence_line(item)}" for item in gap.evidence]
    return "\n".join(lines)


def evidence_line(item: Evidence) -> str:
    """One comparison in words: value and sample, the peers' value and sample."""
    value = format_value(item.value, item.unit)
    text = f"{item.label}: {value} ({_sample(item.sample_size, item.unit)})"
    # Feedback is compared with the rep's whole team; metrics with their peer group.
    against = "team" if item.kind == "feedback" else "peers"
    text += f" vs {against} {format_value(item.benchmark, item.unit)}"
    if item.benchmark_sample_size:
        text += f" ({_sample(item.benchmark_sample_size, item.unit)})"
    if item.notes:
        text += f' - "{item.notes[0]}"'
    return text


def _sample(size: float, unit: str) -> str:
    if unit == "per_week":
        return f"{size:.0f} weeks"
    if unit == "rating":
        return f"{size:.0f} ratings"
    return f"n={size:.0f}"


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return {
        "pct": f"{value:.0%}",
        "money": f"${value:,.0f}",
        "days": f"{value:.0f} days",
        "per_week": f"{value:.1f}/week",
        "points": f"{value:.1f} pts",
        "rating": f"{value:.1f}/5",
    }.get(unit, f"{value:g}")


def plans_table(plans: list[dict[str, Any]]) -> str:
    if not plans:
        return "No coaching plans."
    lines = []
    for plan in plans:
        start = plan["started_on"] or plan["drafted_on"]
        lines.append(f"plan {plan['id']} · {plan['rep_name']} · {plan['status']} since {start}")
        lines += [f"    {o['statement']}" for o in plan["objectives"]]
    return "\n".join(lines)


def effectiveness_text(report: EffectivenessReport) -> str:
    lines = [f"Coaching effectiveness as of {report.as_of.isoformat()}"]
    if not report.plans:
        return lines[0] + "\nNo plan has run for two weeks yet: nothing to measure."
    attainment = report.attainment
    lines.append(
        f"{len(report.plans)} plan(s); objectives met: "
        + ("-" if attainment is None else f"{attainment:.0%}")
    )
    revenue = report.attributable_revenue
    if revenue is None:
        lines.append(
            "Attributable revenue: no objective has both a revenue model and a comparison group."
        )
    else:
        roi = report.roi
        interval = report.revenue_interval
        spread = (
            ""
            if interval is None
            else f" (90% interval {dollars(interval[0])} to {dollars(interval[1])})"
        )
        lines.append(
            f"Attributable revenue {dollars(revenue)}{spread} against "
            f"${report.total_cost:,.0f} of coaching time"
            + ("" if roi is None else f": return on coaching {roi:+.0%}")
            + (" (no coaching time logged, so no return)" if report.total_cost == 0 else "")
        )
    for team, plans in report.by_team().items():
        met = [o.met for p in plans for o in p.objectives]
        cost = sum(p.roi.cost for p in plans)
        known = [
            p.roi.attributable_revenue for p in plans if p.roi.attributable_revenue is not None
        ]
        money = f"{dollars(sum(known))} attributable" if known else "no attributable revenue"
        lines.append(
            f"  {team}: {len(plans)} plan(s), objectives met {sum(met)}/{len(met)}, "
            f"{money}, ${cost:,.0f} of coaching time"
        )
    for plan in report.plans:
        lines.append(f"\nplan {plan.plan_id} · {plan.rep_name} · {plan.status} · day {plan.days}")
        for o in plan.objectives:
            now = "-" if o.current is None else plan_value(o.current, o.unit)
            base = "-" if o.baseline is None else plan_value(o.baseline, o.unit)
            lines.append(
                f"    {o.label}: {base} -> {now} (target {plan_value(o.target, o.unit)}"
                f"{', met' if o.met else ''})"
            )
            lines.append(f"      {o.effect.explanation}")
        lines.append(f"    return: {plan.roi.explanation}")
    return "\n".join(lines)


def effectiveness_json(report: EffectivenessReport) -> str:
    payload = {
        "as_of": report.as_of.isoformat(),
        "hourly_cost": report.hourly_cost,
        "attainment": report.attainment,
        "attributable_revenue": report.attributable_revenue,
        "coaching_cost": report.total_cost,
        "roi": report.roi,
        "plans": [
            {
                "plan": p.plan_id,
                "rep": p.rep_name,
                "team": p.team,
                "status": p.status,
                "started_on": p.started_on.isoformat(),
                "days": p.days,
                "hours": p.hours,
                "objectives": [
                    {
                        "skill": o.skill,
                        "metric": o.metric,
                        "baseline": o.baseline,
                        "current": o.current,
                        "target": o.target,
                        "met": o.met,
                        "effect": o.effect.effect,
                        "interval": None if o.effect.low is None else [o.effect.low, o.effect.high],
                        "comparison_reps": o.effect.comparison_reps,
                        "explanation": o.effect.explanation,
                    }
                    for o in p.objectives
                ],
                "attributable_revenue": p.roi.attributable_revenue,
                "cost": p.roi.cost,
                "roi": p.roi.roi,
            }
            for p in report.plans
        ],
    }
    return json.dumps(payload, indent=2, default=str)
