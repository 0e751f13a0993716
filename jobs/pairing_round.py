"""Every other week: expire unanswered invitations, run a pairing round, send invitations
and peer-group introductions."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.clock import iso_week
from bot.delivery.once import Outgoing, not_read_back
from bot.services import pairing
from bot.slack import pairing_messages
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
            Outgoing(
                "mentor-invite",
                str(pairing_id),
                week,
                partial(_posted, pairing_messages.invite, ctx, pairing_id),
                partial(pairing_messages.mentor_dm, ctx.client, ctx.db, pairing_id),
            )
            for pairing_id in round_.invited
        ]
        groups = [
            Outgoing(
                "peer-group",
                str(group_id),
                week,
                partial(_posted, pairing_messages.introduce_group, ctx, group_id),
                not_read_back,
            )
            for group_id in round_.groups
        ]
        for outcome in ctx.deliver(workspace_id, invitations):
            invitations_sent.add(outcome.status)
        for outcome in ctx.deliver(workspace_id, groups):
            introductions.add(outcome.status)
    return f"pairing: {invitations_sent}; {introductions}"


def _posted(post: Any, ctx: JobContext, item_id: int, metadata: dict[str, Any]) -> dict[str, str]:
    """Post one invitation or introduction; a recipient not on Slack is nothing to send."""
    posted = post(ctx.client, ctx.db, item_id, metadata)
    if posted is None:
        return {}
    channel, ts = posted
    return {"channel": channel, "ts": ts}
