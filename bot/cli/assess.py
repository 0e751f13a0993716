"""`coachbot assess`: every rep assessed and a snapshot kept, shown as a terminal table or as
JSON for other tools."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from bot.cli import common
from bot.cli.common import EXIT_PROBLEM, Subcommands, iso_date
from bot.clock import SystemClock
from bot.coaching.assessment import Assessment, Status, summary
from bot.coaching.findings import Evidence, SkillFinding
from bot.config import Settings

SKILL_WIDTH = 60


def add_assess(commands: Subcommands) -> None:
    assess = commands.add_parser("assess", help="assess every rep and keep a snapshot")
    assess.add_argument("--as-of", type=iso_date, help="assess as of this date (default today)")
    assess.add_argument("--json", action="store_true", help="print JSON instead of a table")
    assess.add_argument("--window-days", type=int, default=90, help="closed-deal window (90)")
    assess.add_argument("--workspace", help="Slack team id (COACHBOT_WORKSPACE)")
    assess.set_defaults(handler=run_assess)


def run_assess(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.assessments import UnknownWorkspace, assessment_config, run_assessments

    if args.window_days < 14:
        print("--window-days must be at least 14", file=sys.stderr)
        return EXIT_PROBLEM
    clock = SystemClock()
    as_of = args.as_of or clock.now().astimezone(settings.zone).date()
    config = assessment_config(settings, window_days=args.window_days)
    try:
        result = run_assessments(
            common.database(settings), common.team(args, settings), as_of, clock.now(), config
        )
    except UnknownWorkspace as error:
        print(error, file=sys.stderr)
        return EXIT_PROBLEM
    if args.json:
        print(assessment_json(result.assessments, as_of, args.window_days))
    else:
        print(assessment_table(result.assessments, as_of, args.window_days))
    return 0


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
