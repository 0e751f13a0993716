"""Requests already handled, by key: a Slack event's id, a hash of a button click or of a
submitted form. The key is written in the same transaction as the request's effect, so a
replay (Slack's retry, a double submit, a signed request sent again) finds it and changes
nothing, and a request that failed half-way left no key behind to block its retry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import ProcessedEvent


class Repeated(Exception):
    """This request was handled before; its effect stands."""


def record_handled(session: Session, key: str | None, team_id: str | None, now: datetime) -> None:
    """Raises Repeated when `key` was recorded already (or is being, by a concurrent
    transaction that then commits: the unique index makes the second insert wait for it).
    A request without a key (the command line) records nothing."""
    if key is None:
        return
    session.add(ProcessedEvent(event_id=key, team_id=team_id, received_at=now))
    try:
        session.flush()
    except IntegrityError:
        raise Repeated(key) from None


def handled_at(session: Session, key: str) -> datetime | None:
    return session.scalar(select(ProcessedEvent.received_at).where(ProcessedEvent.event_id == key))
