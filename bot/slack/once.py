"""Each Slack request has one effect, however often it arrives.

- Events: Slack retries an event when it did not see our 200 in time (`X-Slack-Retry-Num`);
  the event id is recorded on first sight and a repeat is acknowledged and dropped, so a
  role-play answer or a DM is never handled twice.
- Button clicks: Slack stamps each click with its own `action_ts`, so the same click arriving
  twice (a signed request replayed within the signature's five minutes) is recognised by a
  hash of who clicked what, when, and dropped the same way. Two genuine clicks are two
  requests: what they change is guarded where it changes (a compare-and-set or a row lock).
- Form submissions: keyed by a hash of the view and what was entered (`submission_key`).
  That key is recorded by the service in the transaction that saves the form, not here: a
  submission refused with errors in the modal must be answerable again the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import BoltResponse
from sqlalchemy import delete

from bot.services.deps import CONTEXT_KEY
from bot.store.engine import Database
from bot.store.handled import Repeated, record_handled
from bot.store.models import ProcessedEvent

# Slack gives up retrying an event within minutes and a signature expires after five: a day
# of keys is ample to recognise repeats.
REMEMBER_FOR = timedelta(days=1)
KEY_LENGTH = 64  # processed_events.event_id


def drop_repeats(body: dict[str, Any], context: Any, next: Callable[[], Any]) -> Any:
    key = _first_sight_key(body)
    if key is None:
        return next()
    deps = context[CONTEXT_KEY]
    try:
        with deps.db.begin() as session:
            record_handled(session, key, _team(body), deps.clock.now())
    except Repeated:
        return BoltResponse(status=200, body="")
    return next()


def submission_key(body: dict[str, Any]) -> str:
    """A form submission's key: the same view submitted with the same values is one request."""
    view = body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    return _hashed(
        "view",
        _team(body) or "",
        _user(body),
        str(view.get("id", "")),
        json.dumps(values, sort_keys=True, ensure_ascii=False),
    )


def _first_sight_key(body: dict[str, Any]) -> str | None:
    if body.get("type") == "event_callback" and body.get("event_id"):
        return str(body["event_id"])
    if body.get("type") == "block_actions" and body.get("actions"):
        clicks = [
            f"{a.get('action_ts', '')}/{a.get('block_id', '')}/{a.get('action_id', '')}"
            for a in body["actions"]
        ]
        return _hashed("action", _team(body) or "", _user(body), *clicks)
    return None


def _hashed(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{kind}:{digest}"[:KEY_LENGTH]


def _team(body: dict[str, Any]) -> str | None:
    team = body.get("team")
    if isinstance(team, dict):
        return team.get("id")
    return body.get("team_id")


def _user(body: dict[str, Any]) -> str:
    user = body.get("user")
    return str(user.get("id", "")) if isinstance(user, dict) else str(user or "")


def forget_old_events(db: Database, now: datetime) -> int:
    """Delete keys too old to be repeated, so the table stays small; returns how many."""
    with db.begin() as session:
        result = session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.received_at < now - REMEMBER_FOR)
        )
    return int(result.rowcount or 0)
