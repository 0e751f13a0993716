"""Manager digest: Friday from 15:00 in the manager's timezone, their own reports only: each
rep's trend and top gap, plan status, reviews waiting for a decision, mentoring pairings and
the team's coaching effectiveness."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import select

from bot.clock import iso_week
from bot.delivery.once import Outgoing
from bot.render.charts import team_alt_text, team_chart
from bot.render.renderer import message
from bot.services import coach, pairing, people, plans
from bot.services.effectiveness import EffectivenessReport, effectiveness
from bot.services.identity import viewer_for_person
from bot.slack import privacy
from bot.store.models import Person
from bot.vocabulary import plural
from jobs.context import JobContext, Tally

SEND_WEEKDAY = 4  # Friday
SEND_FROM_HOUR = 15


def run(ctx: JobContext) -> str:
    tally = Tally("digests")
    for workspace_id, team_id in ctx.workspaces():
        # One effectiveness report per workspace and local date, not one per manager: each
        # loads the whole workspace's CRM data.
        settings = ctx.settings
        reports = functools.cache(
            partial(
                _effectiveness_on, ctx.db, team_id, settings.coaching_hourly_cost, settings.stages
            )
        )
        digests = [
            _digest(ctx, team_id, workspace_id, manager, reports)
            for manager in _due_managers(ctx, workspace_id)
        ]
        for outcome in ctx.deliver(workspace_id, digests):
            tally.add(outcome.status)
    return str(tally)


def _effectiveness_on(
    db: Any, team_id: str, hourly_cost: float, stages: tuple[str, ...], today: date
) -> EffectivenessReport:
    return effectiveness(db, team_id, today, hourly_cost, stages)


def _digest(
    ctx: JobContext,
    team_id: str,
    workspace_id: int,
    manager: dict[str, Any],
    reports: Callable[[date], EffectivenessReport],
) -> Outgoing:
    local = ctx.local(manager["timezone"])
    user = manager["slack_user_id"]
    return Outgoing(
        "digest",
        user,
        iso_week(local),
        partial(_send, ctx, team_id, workspace_id, manager, local.date(), reports),
        lambda: privacy.open_dm(ctx.client, user),
    )


def _due_managers(ctx: JobContext, workspace_id: int) -> list[dict[str, Any]]:
    with ctx.db.begin() as session:
        managers = session.scalars(
            select(Person).where(
                Person.workspace_id == workspace_id,
                Person.role == "manager",
                people.reachable_on_slack(),
                Person.nudges_paused.is_(False),  # a manager's weekly message is the digest
            )
        ).all()
        rows = [
            {
                "id": m.id,
                "slack_user_id": m.slack_user_id,
                "timezone": m.timezone,
                "paused_until": m.nudges_snoozed_until,
            }
            for m in managers
        ]
    return [
        r
        for r in rows
        if (local := ctx.local(r["timezone"])).weekday() == SEND_WEEKDAY
        and local.hour >= SEND_FROM_HOUR
        and (r["paused_until"] is None or local.date() >= r["paused_until"])
    ]


def _send(
    ctx: JobContext,
    team_id: str,
    workspace_id: int,
    manager: dict[str, Any],
    today: date,
    reports: Callable[[date], EffectivenessReport],
    metadata: dict[str, Any],
) -> Any:
    payload = digest_message(ctx, team_id, workspace_id, manager, today, reports(today))
    _channel, ts = privacy.post_dm(ctx.client, manager["slack_user_id"], payload, metadata=metadata)
    chart = team_chart(payload["chart_rows"], "Your team: win rate against each rep's peers")
    if chart is not None:
        alt_text = team_alt_text(payload["chart_rows"])
        privacy.upload_to_dm(
            ctx.client, manager["slack_user_id"], chart, "team.png", "Your team", alt_text
        )
    return {"ts": ts}


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
            "title": None
            if line == manager_id
            else f"{lines[members[0]['rep_id']][1] or 'No line manager'}'s team",
            "reps": sorted(members, key=lambda r: (-_need(r), r["name"])),
        }
        for line, members in teams.items()
    ]
    return sorted(groups, key=lambda g: (g["title"] is not None, -sum(map(_need, g["reps"]))))


def _need(rep: dict[str, Any]) -> float:
    return float(rep.get("revenue_at_stake") or 0.0)


def digest_message(
    ctx: JobContext,
    team_id: str,
    workspace_id: int,
    manager: dict[str, Any],
    today: date,
    report: EffectivenessReport,
) -> dict[str, Any]:
    viewer = viewer_for_person(ctx.db, ctx.settings, team_id, manager["id"])
    overview = coach.team(ctx.db, viewer, today, ctx.now, ctx.config)
    reps = overview.reps
    status = plans.open_plan_status(ctx.db, workspace_id)
    names = {r["rep_id"]: r["name"] for r in reps}  # only the reps this manager may see
    lines = coach.line_managers(ctx.db, viewer, list(names))
    reviews = [
        {
            "rep": names[w["rep_id"]],
            "day": w["day"],
            "decision": w["decision"],
            # The plan's manager has the decision buttons; above them, one may decide too.
            "decider": None
            if w["manager_id"] in (None, manager["id"])
            else lines.get(w["rep_id"], (None, None))[1],
        }
        for w in plans.reviews_awaiting_decision(ctx.db, workspace_id)
        if w["rep_id"] in names
    ]
    mine = [p for p in report.plans if p.rep_id in names]
    summary = None
    if mine:
        met = [o.met for p in mine for o in p.objectives]
        summary = (
            f"{plural(len(mine), 'plan')} running; {sum(met)} of {len(met)} objectives met so far."
        )
    rows = [
        (r["name"], r["headline"].get("win_rate"), r["headline"].get("peer_win_rate")) for r in reps
    ]
    digest = message(
        "messages/digest.json.j2",
        groups=by_line_manager(reps, lines, manager["id"]),
        rep_count=len(reps),
        as_of=today,
        plan_status=status,
        reviews=reviews,
        pairings=pairing.pairings_for_manager(ctx.db, workspace_id, manager["id"]),
        effectiveness=summary,
    )
    return {**digest, "chart_rows": rows}
