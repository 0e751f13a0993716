"""Every other week: expire unanswered invitations, run a pairing round, send invitations
and peer-group introductions."""

from __future__ import annotations

from bot.delivery.once import deliver
from bot.services import pairing
from bot.slack import pairing_messages
from jobs.context import JobContext, iso_week


def run(ctx: JobContext) -> str:
    if ctx.now.isocalendar()[1] % 2:  # even ISO weeks only: every other week
        return "pairing: not this week"
    invited = 0
    for workspace_id, team_id in ctx.workspaces():
        today = ctx.now.date()
        pairing.expire(ctx.db, team_id, today, ctx.now)
        round_ = pairing.run_round(ctx.db, team_id, today, ctx.now, ctx.config)
        for pairing_id in round_.invited:
            outcome = deliver(
                ctx.db,
                workspace_id,
                "mentor-invite",
                str(pairing_id),
                iso_week(ctx.now),
                lambda p=pairing_id: {"ts": str(pairing_messages.invite(ctx.client, ctx.db, p))},
                ctx.now,
            )
            invited += outcome.status == "sent"
        for group_id in round_.groups:
            deliver(
                ctx.db,
                workspace_id,
                "peer-group",
                str(group_id),
                iso_week(ctx.now),
                lambda g=group_id: {"ts": pairing_messages.introduce_group(ctx.client, ctx.db, g)},
                ctx.now,
            )
    return f"pairing: {invited} invitations sent"
