"""Daily: the day before each mentoring session, a reminder in the pair's group DM."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.delivery.once import Outgoing, not_read_back
from bot.render.renderer import message
from bot.services import pairing
from bot.store.models import Pairing
from jobs.context import JobContext, Tally


def run(ctx: JobContext) -> str:
    tally = Tally("mentoring reminders")
    tomorrow = ctx.now.date() + timedelta(days=1)
    for workspace_id, _team_id in ctx.workspaces():
        with ctx.db.begin() as session:
            accepted = session.execute(
                select(Pairing.id, Pairing.responded_at, Pairing.channel).where(
                    Pairing.workspace_id == workspace_id,
                    Pairing.status == "accepted",
                    Pairing.channel.is_not(None),
                )
            ).all()
        reminders: list[Outgoing] = []
        for row in accepted:
            sessions = pairing.schedule(row.responded_at.date())
            if tomorrow not in sessions:
                continue
            number = sessions.index(tomorrow) + 1
            details = pairing.pairing_details(ctx.db, row.id)
            payload = message(
                "messages/mentoring_reminder.json.j2",
                pairing=details,
                number=number,
                total=len(sessions),
                day=tomorrow,
            )
            reminders.append(
                Outgoing(
                    "mentoring-reminder",
                    str(row.id),
                    tomorrow.isoformat(),
                    lambda metadata, channel=row.channel, payload=payload: (
                        ctx.client.chat_postMessage(
                            channel=channel,
                            text=payload["text"],
                            blocks=payload["blocks"],
                            metadata=metadata,
                        )
                    ),
                    not_read_back,
                )
            )
        for outcome in ctx.deliver(workspace_id, reminders):
            tally.add(outcome.status)
    return str(tally)
