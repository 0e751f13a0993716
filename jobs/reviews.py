"""Daily: run the 30/60/90-day reviews that are due and send each to the rep and the manager."""

from __future__ import annotations

from bot.services import checkpoints, plan_messages
from jobs.context import JobContext, Tally


def run(ctx: JobContext) -> str:
    reviewed, tally = 0, Tally("messages")
    for workspace_id, team_id in ctx.workspaces():
        for checkpoint_id in checkpoints.due_checkpoints(ctx.db, team_id, ctx.now.date()):
            checkpoints.run_checkpoint(ctx.db, team_id, checkpoint_id, ctx.now, ctx.settings.stages)
            reviewed += 1
        reviews = [
            message
            for checkpoint_id in checkpoints.unsent_reviews(ctx.db, team_id)
            for message in plan_messages.review_messages(ctx.client, ctx.db, checkpoint_id)
        ]
        for outcome in ctx.deliver(workspace_id, reviews):
            tally.add(outcome.status)
    return f"reviews: {reviewed} measured; {tally}"
