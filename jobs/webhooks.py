"""Every minute: post the webhook deliveries that are due, signed, each endpoint on its own so
one that is down or slow holds up no other (bot/services/webhook_sending.py). It needs no
Slack, only the database and COACHBOT_TOKEN_KEYS, which decrypt the signing secrets. Once
an hour it forgets events a month old that nothing waits for."""

from __future__ import annotations

from bot.services import webhook_sending, webhooks
from jobs.context import JobContext, Run, each_workspace


def _forget_old(ctx: JobContext, account: Run) -> None:
    if ctx.now.minute == 0:
        forgotten = webhook_sending.forget_delivered(ctx.db, ctx.now)
        if forgotten:
            account.note(f"{forgotten} old webhook events forgotten")


@each_workspace("webhooks", counts=("delivered", "retrying", "failed"), sends=(), after=_forget_old)
def run(ctx: JobContext, workspace_id: int, team_id: str, account: Run) -> None:
    if not ctx.settings.token_keys:  # the secrets cannot be decrypted: nothing can be signed
        left = webhook_sending.waiting(ctx.db, workspace_id, ctx.now)
        if left:
            account.note(f"{team_id}: {left} deliveries wait for COACHBOT_TOKEN_KEYS")
        return
    cipher = webhooks.webhook_cipher(ctx.settings.token_keys)
    outcomes = webhooks.deliver_due(ctx.db, cipher, ctx.now, workspace_id=workspace_id)
    for outcome in ("delivered", "retrying", "failed"):
        account.count(outcome, outcomes[outcome])
    if outcomes["busy"]:
        account.note(f"{team_id}: {outcomes['busy']} being sent by another run")
