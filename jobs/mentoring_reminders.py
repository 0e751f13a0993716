"""Daily: the day before each mentoring session, a reminder in the pair's group DM
(bot/services/mentoring_reminders.py)."""

from __future__ import annotations

from datetime import timedelta

from bot.services.mentoring_reminders import reminders
from jobs.context import JobContext, Run, each_workspace


@each_workspace("mentoring reminders")
def run(ctx: JobContext, workspace_id: int, _team_id: str, account: Run) -> None:
    tomorrow = ctx.now.date() + timedelta(days=1)
    account.send(workspace_id, reminders(ctx.client, ctx.db, workspace_id, tomorrow))
