"""The manager digest, decided: which managers get one now, and what it says. Every rep,
review, pairing and plan in it is one the manager may see (bot/services/visibility.py);
the job only schedules and sends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bot.config import Settings
from bot.render.charts import team_alt_text, team_chart
from bot.render.renderer import message
from bot.render.sentences import sentence
from bot.services import checkpoints, coach, pairing, plans
from bot.services.assessments import assessment_config
from bot.services.effectiveness import EffectivenessReport
from bot.services.identity import viewer_for_person
from bot.services.recipients import Recipient, due_weekly
from bot.store.engine import Database

SEND_WEEKDAY = 4  # Friday
SEND_FROM_HOUR = 15


def due_managers(
    db: Database, workspace_id: int, local: Callable[[str | None], datetime]
) -> list[Recipient]:
    """Managers with Slack whose local time is Friday from 15:00, unless they paused (a
    manager's weekly message is the digest) or snoozed past today."""
    return due_weekly(db, workspace_id, "manager", SEND_WEEKDAY, SEND_FROM_HOUR, local)


def digest(
    db: Database,
    settings: Settings,
    team_id: str,
    workspace_id: int,
    manager_id: int,
    today: date,
    now: datetime,
    report: EffectivenessReport,
) -> dict[str, Any]:
    """The digest's message, with the team chart (win rate against each rep's peers) as a
    file to share after it when any rep has a win rate."""
    viewer = viewer_for_person(db, settings, team_id, manager_id)
    overview = coach.team(db, viewer, today, now, assessment_config(settings))
    reps = overview.reps
    names = {r["rep_id"]: r["name"] for r in reps}
    lines = coach.line_managers(db, viewer, list(names))
    reviews = [
        {
            "rep": names[w["rep_id"]],
            "day": w["day"],
            "decision": w["decision"],
            # The plan's manager has the decision buttons; above them, one may decide too.
            "decider": None
            if w["manager_id"] in (None, manager_id)
            else lines.get(w["rep_id"], (None, None))[1],
        }
        for w in checkpoints.reviews_awaiting_decision(db, workspace_id)
        if w["rep_id"] in names
    ]
    running = [p for p in report.plans if p.rep_id in names]
    met = [o.met for p in running for o in p.objectives]
    rendered = message(
        "messages/digest.json.j2",
        groups=by_line_manager(reps, lines, manager_id),
        rep_count=len(reps),
        as_of=today,
        plan_status=plans.open_plan_status(db, workspace_id),
        reviews=reviews,
        pairings=pairing.open_pairings_visible_to(db, viewer),
        plans_running=len(running),
        objectives_met=sum(met),
        objectives=len(met),
    )
    rows = [
        (r["name"], r["headline"].get("win_rate"), r["headline"].get("peer_win_rate")) for r in reps
    ]
    chart = team_chart(rows, sentence("team_chart_title"))
    if chart is None:
        return rendered
    upload = {"content": chart, "filename": "team.png", "title": "Your team"}
    return {**rendered, "files": [{**upload, "alt_text": team_alt_text(rows)}]}


def by_line_manager(
    reps: list[dict[str, Any]],
    lines: dict[int, tuple[int | None, str | None]],
    manager_id: int,
) -> list[dict[str, Any]]:
    """A manager of managers reads their digest by line manager: the teams in order of need
    (revenue at stake), each team's reps too; their own direct reports come first, untitled."""
    teams: dict[int | None, list[dict[str, Any]]] = {}
    for rep in reps:
        teams.setdefault(lines.get(rep["rep_id"], (None, None))[0], []).append(rep)
    groups = [
        {
            "own": line == manager_id,
            "line_manager": lines.get(members[0]["rep_id"], (None, None))[1],
            "reps": sorted(members, key=lambda r: (-_need(r), r["name"])),
        }
        for line, members in teams.items()
    ]
    return sorted(groups, key=lambda g: (not g["own"], -sum(map(_need, g["reps"]))))


def _need(rep: dict[str, Any]) -> float:
    return float(rep.get("revenue_at_stake") or 0.0)
