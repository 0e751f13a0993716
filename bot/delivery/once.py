"""The one place jobs send from. Each message has a key (kind, recipient, period); the key is
claimed in the database before sending and marked sent after, so a job that is retried,
restarted or triggered twice sends each message once and skips nobody.

The crash window: if the process dies after Slack accepted a message but before the key is
marked sent, the next run finds the key claimed ("sending") and sends again. That window is
one API call wide; everything else (a second trigger, an hourly job finding the same
recipients, a restart after a crash mid-fan-out) is exactly once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.store.engine import Database
from bot.store.models import Delivery

logger = logging.getLogger("coachbot.delivery")
MAX_ATTEMPTS = 3
SERVER_ERROR_PAUSE_SECONDS = 1.0


@dataclass(frozen=True)
class Outcome:
    status: str  # sent, skipped (already sent), failed
    key: tuple[str, str, str]


def deliver(
    db: Database,
    workspace_id: int,
    kind: str,
    recipient: str,
    period: str,
    send: Callable[[], Any],
    now: datetime,
    pause: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Send once per (kind, recipient, period). `send` posts the message and returns the
    Slack response (or anything with a "ts"). Server errors and timeouts are retried a few
    times; rate limits are waited out by the client's retry handler; a recipient that keeps
    failing is recorded as failed and the caller moves on to the next one."""
    key = (kind, recipient, period)
    if not _claim(db, workspace_id, key, now):
        return Outcome("skipped", key)
    error: str | None = None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            response = send()
        except SlackApiError as failure:
            status = failure.response.status_code
            error = f"{status} {failure.response.get('error')}"
            if status < 500 and status != 429:
                break  # a client error will not heal by retrying (user gone, channel closed)
        except (TimeoutError, OSError) as failure:
            error = f"{type(failure).__name__}: {failure}"
        else:
            _finish(db, workspace_id, key, "sent", attempt, None, _ts(response), now)
            return Outcome("sent", key)
        if attempt < MAX_ATTEMPTS:
            pause(SERVER_ERROR_PAUSE_SECONDS * attempt)
    logger.warning("delivery %s to %s failed after retries: %s", kind, recipient, error)
    _finish(db, workspace_id, key, "failed", MAX_ATTEMPTS, error, None, now)
    return Outcome("failed", key)


def _claim(db: Database, workspace_id: int, key: tuple[str, str, str], now: datetime) -> bool:
    """Take the key; False when it was already sent. A claimed-but-unsent or failed key (a
    crash, or an earlier failure) may be taken again."""
    kind, recipient, period = key
    try:
        with db.begin() as session:
            existing = session.scalar(_query(workspace_id, key))
            if existing is not None:
                if existing.status == "sent":
                    return False
                existing.status = "sending"
                return True
            session.add(
                Delivery(
                    workspace_id=workspace_id,
                    kind=kind,
                    recipient=recipient,
                    period=period,
                    status="sending",
                    attempts=0,
                    created_at=now,
                )
            )
        return True
    except IntegrityError:  # another worker claimed it between our read and write
        return False


def _finish(
    db: Database,
    workspace_id: int,
    key: tuple[str, str, str],
    status: str,
    attempts: int,
    error: str | None,
    ts: str | None,
    now: datetime,
) -> None:
    with db.begin() as session:
        row = session.scalar(_query(workspace_id, key))
        assert row is not None
        row.status = status
        row.attempts = (row.attempts or 0) + attempts
        row.last_error = error[:300] if error else None
        row.message_ts = ts
        row.sent_at = now if status == "sent" else None


def _query(workspace_id: int, key: tuple[str, str, str]) -> Any:
    kind, recipient, period = key
    return select(Delivery).where(
        Delivery.workspace_id == workspace_id,
        Delivery.kind == kind,
        Delivery.recipient == recipient,
        Delivery.period == period,
    )


def _ts(response: Any) -> str | None:
    try:
        return str(response["ts"]) if response and "ts" in response else None
    except TypeError:
        return None
