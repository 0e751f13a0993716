"""Weekly nudge: Monday from 09:00 in each rep's own timezone, one focus for the week (a single
skill: rationed feedback helps the weakest reps most), one practice action, progress since
last week. Reps who paused get nothing; a new rep gets an onboarding message instead."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select

from bot.clock import iso_week
from bot.delivery.once import Outgoing, direct_message
from bot.render.renderer import message
from bot.services import people
from bot.services.assessments import current_payloads, win_rate_a_week_ago
from bot.services.focus import weekly_focus
from bot.store.models import Person
from jobs.context import JobContext, Tally

SEND_WEEKDAY = 0  # Monday
SEND_FROM_HOUR = 9


def run(ctx: JobContext) -> str:
    tally = Tally("nudges")
    for workspace_id, team_id in ctx.workspaces():
        nudges = [_nudge(ctx, team_id, rep) for rep in _due_reps(ctx, workspace_id)]
        for outcome in ctx.deliver(workspace_id, nudges):
            tally.add(outcome.status)
    return str(tally)


def _nudge(ctx: JobContext, team_id: str, rep: dict[str, Any]) -> Outgoing:
    local = ctx.local(rep["timezone"])
    build = partial(nudge_message, ctx, team_id, rep, local)
    return direct_message(ctx.client, "nudge", rep["slack_user_id"], iso_week(local), build)


def _due_reps(ctx: JobContext, workspace_id: int) -> list[dict[str, Any]]:
    """Active reps with Slack, not paused, for whom it is Monday, 09:00 or later, locally.
    Until the end of their Monday, a run catches up on anyone a stopped worker missed."""
    with ctx.db.begin() as session:
        reps = session.scalars(
            select(Person).where(
                Person.workspace_id == workspace_id,
                Person.role == "rep",
                Person.nudges_paused.is_(False),
                people.reachable_on_slack(),
            )
        ).all()
        rows = [
            {
                "id": p.id,
                "slack_user_id": p.slack_user_id,
                "timezone": p.timezone,
                "workspace_id": workspace_id,
                "snoozed_until": p.nudges_snoozed_until,
            }
            for p in reps
        ]
    due = []
    for row in rows:
        local = ctx.local(row["timezone"])
        snoozed = row["snoozed_until"] is not None and local.date() < row["snoozed_until"]
        if local.weekday() == SEND_WEEKDAY and local.hour >= SEND_FROM_HOUR and not snoozed:
            due.append(row)
    return due


def nudge_message(ctx: JobContext, team_id: str, rep: dict[str, Any], local: Any) -> dict[str, Any]:
    today = local.date()
    payload = current_payloads(ctx.db, team_id, [rep["id"]], today, ctx.now, ctx.config).get(
        rep["id"]
    )
    min_closed = ctx.config.min_closed_deals
    if payload is None or payload["status"] != "assessed":
        closed = payload["closed_deals"] if payload else 0
        return message(
            "messages/nudge.json.j2", onboarding=True, closed=closed, min_closed=min_closed
        )
    focus = weekly_focus(ctx.db, rep["workspace_id"], rep["id"], payload)
    before = win_rate_a_week_ago(ctx.db, rep["workspace_id"], rep["id"], today, ctx.config)
    now = payload["headline"].get("win_rate")
    return message(
        "messages/nudge.json.j2",
        onboarding=False,
        skill=focus["skill"],
        action=focus["action"],
        objective=focus["objective"],
        reason=focus["reason"],
        before=before,
        now=now,
        change=None if before is None or now is None else now - before,
    )
