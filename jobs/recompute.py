"""Nightly: assess every workspace as of today, so answers in Slack come from fresh snapshots,
and forget Slack event ids too old to be retried."""

from __future__ import annotations

from bot.services.assessments import run_assessments
from bot.slack.errors import forget_old_failures
from bot.slack.once import forget_old_events
from jobs.context import JobContext, Run, each_workspace


def _forget_old(ctx: JobContext, account: Run) -> None:
    account.note(f"{forget_old_events(ctx.db, ctx.now)} old Slack event ids forgotten")
    failures = forget_old_failures(ctx.db, ctx.now)
    if failures:
        account.note(f"{failures} old listener failures forgotten")


@each_workspace("recompute", sends=(), lines_joined_by=", ", after=_forget_old)
def run(ctx: JobContext, _workspace_id: int, team_id: str, account: Run) -> None:
    result = run_assessments(ctx.db, team_id, ctx.now.date(), ctx.now, ctx.config)
    account.line(f"{team_id}: {len(result.assessments)}")
