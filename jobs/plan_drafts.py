"""Daily, after the nightly assessments: draft a coaching plan for each rep with a credible gap
and no open plan, rationed to DRAFTS_PER_MANAGER_WEEK new drafts per manager per week (the
reps with the most revenue at stake first), and send each draft to the manager once, with
Approve and Edit targets. Drafts are sent at 13:00 UTC: morning in the Americas, afternoon
in Europe."""

from __future__ import annotations

from bot.services import plan_messages, plans
from jobs.context import JobContext, Run, each_workspace

# A manager who gets a dozen drafts at once approves none: a few a week get read.
DRAFTS_PER_MANAGER_WEEK = 2


@each_workspace("plan drafts", counts=("new",), sends=("drafts",))
def run(ctx: JobContext, workspace_id: int, team_id: str, account: Run) -> None:
    created = plans.draft_plans(
        ctx.db, team_id, ctx.now.date(), ctx.now, ctx.config, per_manager=DRAFTS_PER_MANAGER_WEEK
    )
    account.count("new", len(created))
    waiting = plans.open_drafts(ctx.db, team_id)
    account.send(workspace_id, plan_messages.draft_messages(ctx.client, ctx.db, waiting), "drafts")
