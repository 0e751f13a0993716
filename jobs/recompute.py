"""Nightly: assess every workspace as of today, so answers in Slack come from fresh snapshots,
and forget Slack event ids too old to be retried."""

from __future__ import annotations

from bot.services.assessments import run_assessments
from bot.slack.errors import forget_old_failures
from bot.slack.once import forget_old_events
from jobs.context import JobContext


def run(ctx: JobContext) -> str:
    counts = []
    for _workspace_id, team_id in ctx.workspaces():
        result = run_assessments(ctx.db, team_id, ctx.now.date(), ctx.now, ctx.config)
        counts.append(f"{team_id}: {len(result.assessments)}")
    forgotten = forget_old_events(ctx.db, ctx.now)
    failures = forget_old_failures(ctx.db, ctx.now)
    return (
        "recompute: "
        + (", ".join(counts) or "no workspaces")
        + f"; {forgotten} old Slack event ids forgotten"
        + (f"; {failures} old listener failures forgotten" if failures else "")
    )
