"""The day before each mentoring session, a reminder in the pair's group DM: which pairings
meet tomorrow, and the message (once per pairing and session day, through the delivery log)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from bot.delivery import poster
from bot.delivery.once import Outgoing, not_read_back
from bot.render.renderer import message
from bot.services import pairing
from bot.store.engine import Database
from bot.store.models import Pairing

KIND = "mentoring-reminder"


def reminders(client: Any, db: Database, workspace_id: int, day: date) -> list[Outgoing]:
    """A reminder for every accepted pairing with a group DM whose session is on `day`."""
    with db.begin() as session:
        accepted = session.execute(
            select(Pairing.id, Pairing.responded_at, Pairing.channel).where(
                Pairing.workspace_id == workspace_id,
                Pairing.status == "accepted",
                Pairing.channel.is_not(None),
            )
        ).all()
    due = []
    for row in accepted:
        sessions = pairing.schedule(row.responded_at.date())
        if day in sessions:
            payload = message(
                "messages/mentoring_reminder.json.j2",
                pairing=pairing.pairing_details(db, row.id),
                number=sessions.index(day) + 1,
                total=len(sessions),
                day=day,
            )
            due.append(_reminder(client, row.id, row.channel, day, payload))
    return due


def _reminder(
    client: Any, pairing_id: int, channel: str, day: date, payload: dict[str, Any]
) -> Outgoing:
    def send(metadata: dict[str, Any]) -> dict[str, str]:
        ts = poster.post_to_conversation(client, channel, payload, metadata=metadata)
        return {"channel": channel, "ts": ts}

    return Outgoing(KIND, str(pairing_id), day.isoformat(), send, not_read_back)
