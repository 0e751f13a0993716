"""Every 10 minutes: close role-plays nobody answered for half an hour, politely."""

from __future__ import annotations

from bot.services import roleplays
from bot.services.roleplay_messages import idle_notes
from jobs.context import JobContext, Tally

IDLE_MINUTES = 30


def run(ctx: JobContext) -> str:
    closed, notes = 0, Tally("notes")
    for workspace_id, _team_id in ctx.workspaces():
        found = roleplays.close_idle(ctx.db, workspace_id, ctx.now, IDLE_MINUTES)
        closed += len(found)
        for outcome in ctx.deliver(workspace_id, idle_notes(ctx.client, found)):
            notes.add(outcome.status)
    return f"role-plays: {closed} idle closed; {notes}"
