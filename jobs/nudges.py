"""Weekly nudge: Monday from 09:00 in each rep's own timezone, one focus for the week (a single
skill: rationed feedback helps the weakest reps most), one practice action, progress since
last week. Reps who paused get nothing; a new rep gets an onboarding message instead
(bot/services/nudges.py decides who and what)."""

from __future__ import annotations

from functools import partial

from bot.clock import iso_week
from bot.delivery.once import Outgoing, direct_message
from bot.services import nudges
from bot.services.recipients import Recipient
from jobs.context import JobContext, Run, each_workspace


@each_workspace("nudges")
def run(ctx: JobContext, workspace_id: int, team_id: str, account: Run) -> None:
    due = nudges.due_reps(ctx.db, workspace_id, ctx.local)
    account.send(workspace_id, [_nudge(ctx, team_id, workspace_id, rep) for rep in due])


def _nudge(ctx: JobContext, team_id: str, workspace_id: int, rep: Recipient) -> Outgoing:
    local = ctx.local(rep.timezone)
    build = partial(
        nudges.nudge, ctx.db, team_id, workspace_id, rep.id, local.date(), ctx.now, ctx.config
    )
    return direct_message(ctx.client, "nudge", rep.slack_user_id, iso_week(local), build)
