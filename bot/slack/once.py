"""Events are processed once: Slack retries an event when it did not see our 200 in time
(`X-Slack-Retry-Num`); the event id is recorded on first sight and a repeat is acknowledged
and dropped, so a role-play answer or a DM is never handled twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import BoltResponse
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.slack.deps import CONTEXT_KEY
from bot.store.engine import Database
from bot.store.models import ProcessedEvent

# Slack gives up retrying an event within minutes; a day of ids is ample to recognise repeats.
REMEMBER_FOR = timedelta(days=1)


def drop_repeats(body: dict[str, Any], context: Any, next: Callable[[], Any]) -> Any:
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if not event_id:
        return next()
    deps = context[CONTEXT_KEY]
    try:
        with deps.db.begin() as session:
            session.add(
                ProcessedEvent(
                    event_id=str(event_id),
                    team_id=body.get("team_id"),
                    received_at=deps.clock.now(),
                )
            )
    except IntegrityError:
        return BoltResponse(status=200, body="")
    return next()


def forget_old_events(db: Database, now: datetime) -> int:
    """Delete event ids too old to be retried, so the table stays small; returns how many."""
    with db.begin() as session:
        result = session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.received_at < now - REMEMBER_FOR)
        )
    return int(result.rowcount or 0)
