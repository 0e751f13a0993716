"""Daily: match the CRM's people to Slack users by email, welcome each rep and manager found
for the first time, and tell the admins who was matched, who was not found (with their
emails) and who Slack deactivated. Without it nobody gets a nudge or a digest until they
type /coach. (`coachbot import` and CSV uploads in Slack run the same right after importing.)"""

from __future__ import annotations

from bot.delivery.preview import PreviewClient
from bot.services.directory_messages import sync_and_welcome
from jobs.context import JobContext, Tally


def run(ctx: JobContext) -> str:
    if isinstance(ctx.client, PreviewClient):
        return "directory: no Slack workspace configured, nobody to match"
    parts, tally = [], Tally("welcomes and summaries")
    for workspace_id, team_id in ctx.workspaces():
        line, outcomes = sync_and_welcome(
            ctx.db, ctx.settings, ctx.client, workspace_id, ctx.moment, ctx.send_threads
        )
        for outcome in outcomes:
            tally.add(outcome.status)
        parts.append(f"{team_id}: {line}")
    return "directory: " + ("; ".join(parts) or "no workspaces") + f"; {tally}"
