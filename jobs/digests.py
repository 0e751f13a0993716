"""Manager digest: Friday from 15:00 in the manager's timezone, their own reports only
(bot/services/digests.py decides who and what)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from bot.clock import iso_week
from bot.delivery.once import Outgoing, direct_message
from bot.services import digests
from bot.services.digests import Manager
from bot.services.effectiveness import EffectivenessReport, effectiveness
from jobs.context import JobContext, Tally


def run(ctx: JobContext) -> str:
    tally = Tally("digests")
    for workspace_id, team_id in ctx.workspaces():
        # One effectiveness report per workspace and local date, not one per manager: each
        # loads the whole workspace's CRM data.
        settings = ctx.settings
        reports = functools.cache(
            partial(
                effectiveness,
                ctx.db,
                team_id,
                hourly_cost=settings.coaching_hourly_cost,
                stages=settings.stages,
            )
        )
        due = digests.due_managers(ctx.db, workspace_id, ctx.local)
        sends = [_digest(ctx, team_id, workspace_id, manager, reports) for manager in due]
        for outcome in ctx.deliver(workspace_id, sends):
            tally.add(outcome.status)
    return str(tally)


def _digest(
    ctx: JobContext,
    team_id: str,
    workspace_id: int,
    manager: Manager,
    reports: Callable[[date], EffectivenessReport],
) -> Outgoing:
    local = ctx.local(manager.timezone)

    def build() -> dict[str, Any]:
        today = local.date()
        return digests.digest(
            ctx.db, ctx.settings, team_id, workspace_id, manager.id, today, ctx.now, reports(today)
        )

    return direct_message(ctx.client, "digest", manager.slack_user_id, iso_week(local), build)
