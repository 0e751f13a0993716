"""Every 10 minutes: close role-plays nobody answered for half an hour, politely."""

from __future__ import annotations

from bot.clock import FixedClock
from bot.slack.deps import Deps
from bot.slack.roleplay_messages import close_idle
from jobs.context import JobContext


def run(ctx: JobContext) -> str:
    closed = close_idle(ctx.client, Deps(ctx.db, ctx.settings, FixedClock(ctx.now)), 30)
    return f"role-plays: {closed} idle closed"
