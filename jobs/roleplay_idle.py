"""Every 10 minutes: close role-plays nobody answered for half an hour, politely."""

from __future__ import annotations

from bot.services import roleplays
from bot.services.roleplay_messages import idle_notes
from jobs.context import JobContext, Run, each_workspace

IDLE_MINUTES = 30


@each_workspace("role-plays", counts=("idle closed",), sends=("notes",))
def run(ctx: JobContext, workspace_id: int, _team_id: str, account: Run) -> None:
    found = roleplays.close_idle(ctx.db, workspace_id, ctx.now, IDLE_MINUTES)
    account.count("idle closed", len(found))
    account.send(workspace_id, idle_notes(ctx.client, found), "notes")
