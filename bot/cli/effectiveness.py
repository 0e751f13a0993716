"""`coachbot effectiveness`: did coaching work? Each plan's effect against uncoached peers and
the return on the coaching time, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys

from bot.cli import common
from bot.cli.common import EXIT_PROBLEM, Subcommands, iso_date
from bot.coaching.effectiveness import money as dollars
from bot.coaching.plans import format_value as plan_value
from bot.config import Settings
from bot.services.effectiveness import EffectivenessReport


def add_effectiveness(commands: Subcommands) -> None:
    effect = commands.add_parser(
        "effectiveness", help="did coaching work? effect against uncoached peers, ROI"
    )
    effect.add_argument("--as-of", type=iso_date, help="measure up to this date (default today)")
    effect.add_argument(
        "--hourly-cost",
        type=float,
        help="cost of an hour of coaching (COACHBOT_COACHING_HOURLY_COST)",
    )
    effect.add_argument("--json", action="store_true")
    effect.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    effect.set_defaults(handler=run_effectiveness)


def run_effectiveness(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.effectiveness import effectiveness
    from bot.services.plans import PlanError

    hourly = settings.coaching_hourly_cost if args.hourly_cost is None else args.hourly_cost
    try:
        report = effectiveness(
            common.database(settings),
            common.team(args, settings),
            common.today(args, settings),
            hourly,
            settings.stages,
        )
    except PlanError as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    print(effectiveness_json(report) if args.json else effectiveness_text(report))
    return 0


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
