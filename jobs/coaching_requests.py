"""Every few minutes: coaching requests still waiting for the rep's manager, delivered now
that the manager is on Slack (bot/services/coaching_requests.py)."""

from __future__ import annotations

from bot.services.coaching_requests import deliver_pending
from jobs.context import JobContext, Run, each_workspace


@each_workspace("coaching requests")
def run(ctx: JobContext, workspace_id: int, _team_id: str, account: Run) -> None:
    account.record(deliver_pending(ctx.db, ctx.client, workspace_id, ctx.moment()))
