"""Daily: run the 30/60/90-day reviews that are due and send each to the rep and the manager."""

from __future__ import annotations

from bot.services import checkpoints, plan_messages
from jobs.context import JobContext, Run, each_workspace


@each_workspace("reviews", counts=("measured",), sends=("messages",))
def run(ctx: JobContext, workspace_id: int, team_id: str, account: Run) -> None:
    for checkpoint_id in checkpoints.due_checkpoints(ctx.db, team_id, ctx.now.date()):
        checkpoints.run_checkpoint(ctx.db, team_id, checkpoint_id, ctx.now, ctx.settings.stages)
        account.count("measured")
    reviews = [
        message
        for checkpoint_id in checkpoints.unsent_reviews(ctx.db, team_id)
        for message in plan_messages.review_messages(ctx.client, ctx.db, checkpoint_id)
    ]
    account.send(workspace_id, reviews, "messages")
