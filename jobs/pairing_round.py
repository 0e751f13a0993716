"""Every other week: expire unanswered invitations, run a pairing round, send invitations
and peer-group introductions."""

from __future__ import annotations

from bot.clock import iso_week
from bot.services import pairing, pairing_messages
from jobs.context import JobContext, Run, each_workspace


def run(ctx: JobContext) -> str:
    if ctx.now.isocalendar()[1] % 2:  # even ISO weeks only: every other week
        return "pairing: not this week"
    return _round(ctx)


@each_workspace("pairing", sends=("invitations", "peer groups"))
def _round(ctx: JobContext, workspace_id: int, team_id: str, account: Run) -> None:
    today = ctx.now.date()
    pairing.expire(ctx.db, team_id, today, ctx.now)
    round_ = pairing.run_round(ctx.db, team_id, today, ctx.now, ctx.config)
    week = iso_week(ctx.now)
    invitations = [
        pairing_messages.invitation(ctx.client, ctx.db, pairing_id) for pairing_id in round_.invited
    ]
    groups = [
        pairing_messages.group_introduction(ctx.client, ctx.db, group_id, week)
        for group_id in round_.groups
    ]
    account.send(workspace_id, invitations, "invitations")
    account.send(workspace_id, groups, "peer groups")
