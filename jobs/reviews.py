"""Daily: run the 30/60/90-day reviews that are due and send each to the rep and the manager."""

from __future__ import annotations

from bot.services import plans
from bot.slack import plan_messages
from jobs.context import JobContext


def run(ctx: JobContext) -> str:
    reviewed = sent = 0
    for workspace_id, team_id in ctx.workspaces():
        for checkpoint_id in plans.due_checkpoints(ctx.db, team_id, ctx.now.date()):
            plans.run_checkpoint(ctx.db, team_id, checkpoint_id, ctx.now, ctx.settings.stages)
            reviewed += 1
        reviews = [
            message
            for checkpoint_id in plans.unsent_reviews(ctx.db, team_id)
            for message in plan_messages.review_messages(ctx.client, ctx.db, checkpoint_id)
        ]
        sent += sum(o.status == "sent" for o in ctx.deliver(workspace_id, reviews))
    return f"reviews: {reviewed} measured, {sent} messages sent"
