"""Manager digest: Friday from 15:00 in the manager's timezone, their own reports only
(bot/services/digests.py decides who and what)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

from bot.clock import iso_week
from bot.delivery.once import Outgoing, direct_message
from bot.services import digests
from bot.services.effectiveness import EffectivenessReport, effectiveness
from bot.services.recipients import Recipient
from jobs.context import JobContext, Run, each_workspace


@each_workspace("digests")
def run(ctx: JobContext, workspace_id: int, team_id: str, account: Run) -> None:
    # One effectiveness report per workspace and local date, not one per manager: each
    # loads the whole workspace's CRM data.
    reports = functools.cache(
        functools.partial(
            effectiveness,
            ctx.db,
            team_id,
            hourly_cost=ctx.settings.coaching_hourly_cost,
            stages=ctx.settings.stages,
        )
    )
    due = digests.due_managers(ctx.db, workspace_id, ctx.local)
    account.send(workspace_id, [_digest(ctx, team_id, workspace_id, m, reports) for m in due])


def _digest(
    ctx: JobContext,
    team_id: str,
    workspace_id: int,
    manager: Recipient,
    reports: Callable[[date], EffectivenessReport],
) -> Outgoing:
    local = ctx.local(manager.timezone)

    def build() -> dict[str, Any]:
        today = local.date()
        return digests.digest(
            ctx.db, ctx.settings, team_id, workspace_id, manager.id, today, ctx.now, reports(today)
        )

    return direct_message(ctx.client, "digest", manager.slack_user_id, iso_week(local), build)
