"""Daily: match the CRM's people to Slack users by email, welcome each rep and manager found
for the first time, and tell the admins who was matched, who was not found (with their
emails) and who Slack deactivated. Without it nobody gets a nudge or a digest until they
type /coach. (`coachbot import` and CSV uploads in Slack run the same right after importing.)"""

from __future__ import annotations

from bot.delivery.preview import PreviewClient
from bot.services.directory_messages import sync_and_welcome
from jobs.context import JobContext, Run, each_workspace

WELCOMES = "welcomes and summaries"


def run(ctx: JobContext) -> str:
    if isinstance(ctx.client, PreviewClient):
        return "directory: no Slack workspace configured, nobody to match"
    return _sync(ctx)


@each_workspace("directory", sends=(WELCOMES,), lines_joined_by="; ")
def _sync(ctx: JobContext, workspace_id: int, team_id: str, account: Run) -> None:
    line, outcomes = sync_and_welcome(
        ctx.db, ctx.settings, ctx.client, workspace_id, ctx.moment, ctx.send_threads
    )
    account.record(outcomes, WELCOMES)
    account.line(f"{team_id}: {line}")
