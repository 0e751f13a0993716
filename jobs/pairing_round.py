"""Every other week: expire unanswered invitations, run a pairing round, send invitations
and peer-group introductions."""

from __future__ import annotations

from bot.clock import iso_week
from bot.services import pairing, pairing_messages
from jobs.context import JobContext, Tally


def run(ctx: JobContext) -> str:
    if ctx.now.isocalendar()[1] % 2:  # even ISO weeks only: every other week
        return "pairing: not this week"
    invitations_sent, introductions = Tally("invitations"), Tally("peer groups")
    for workspace_id, team_id in ctx.workspaces():
        today = ctx.now.date()
        pairing.expire(ctx.db, team_id, today, ctx.now)
        round_ = pairing.run_round(ctx.db, team_id, today, ctx.now, ctx.config)
        week = iso_week(ctx.now)
        invitations = [
            pairing_messages.invitation(ctx.client, ctx.db, pairing_id)
            for pairing_id in round_.invited
        ]
        groups = [
            pairing_messages.group_introduction(ctx.client, ctx.db, group_id, week)
            for group_id in round_.groups
        ]
        for outcome in ctx.deliver(workspace_id, invitations):
            invitations_sent.add(outcome.status)
        for outcome in ctx.deliver(workspace_id, groups):
            introductions.add(outcome.status)
    return f"pairing: {invitations_sent}; {introductions}"
