"""Who a weekly message is due for now: the people of one role reachable on Slack, not
paused, not snoozed past today, for whom it is the given weekday from the given hour in
their own timezone. Until the end of that local day a run catches up on anyone a stopped
worker missed (the delivery log keeps each message single)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from bot.services import people
from bot.store.engine import Database
from bot.store.models import Person


@dataclass(frozen=True)
class Recipient:
    id: int
    slack_user_id: str
    timezone: str | None
    snoozed_until: date | None


def due_weekly(
    db: Database,
    workspace_id: int,
    role: str,
    weekday: int,
    from_hour: int,
    local: Callable[[str | None], datetime],
) -> list[Recipient]:
    with db.begin() as session:
        found = session.scalars(
            select(Person).where(
                Person.workspace_id == workspace_id,
                Person.role == role,
                Person.nudges_paused.is_(False),
                people.reachable_on_slack(),
            )
        ).all()
        everyone = [
            Recipient(p.id, p.slack_user_id or "", p.timezone, p.nudges_snoozed_until)
            for p in found
        ]
    due = []
    for person in everyone:
        when = local(person.timezone)
        snoozed = person.snoozed_until is not None and when.date() < person.snoozed_until
        if when.weekday() == weekday and when.hour >= from_hour and not snoozed:
            due.append(person)
    return due
