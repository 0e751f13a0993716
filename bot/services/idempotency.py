"""Idempotency keys for the API's writes: the first request with a key runs and its answer is
kept; a retry with the same key and the same body gets that answer again and changes
nothing; the same key with another body, or while the first is still running, is refused.
Only answers of writes that happened are kept, so a batch refused for its problems can be
corrected and sent again under the same key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.store.engine import Database
from bot.store.models import IdempotentRequest

KEEP_FOR = timedelta(days=7)
# A claim this old belongs to a process that died mid-request: a retry may take it over.
ABANDONED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Kept:
    status: int
    body: dict[str, Any]


class IdempotencyConflict(Exception):
    """`reason` is "running" (the first request has not finished) or "different" (the key
    was used for another request)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def claim(
    db: Database, workspace_id: int, key: str, operation: str, request_hash: str, now: datetime
) -> Kept | None:
    """None: this request holds the key now and should run. A kept answer: return it as is."""
    with db.begin() as session:
        session.execute(
            delete(IdempotentRequest).where(IdempotentRequest.created_at < now - KEEP_FOR)
        )
    try:
        with db.begin() as session:
            session.add(_running(workspace_id, key, operation, request_hash, now))
        return None
    except IntegrityError:
        pass
    with db.begin() as session:
        row = session.scalar(
            select(IdempotentRequest)
            .where(
                IdempotentRequest.workspace_id == workspace_id,
                IdempotentRequest.idempotency_key == key,
            )
            .with_for_update()
        )
        if row is None:  # released in between: ours to take
            session.add(_running(workspace_id, key, operation, request_hash, now))
            return None
        if row.operation != operation or row.request_hash != request_hash:
            raise IdempotencyConflict("different")
        if row.state == "done" and row.response_status is not None:
            return Kept(row.response_status, row.response_body or {})
        if now - row.created_at < ABANDONED_AFTER:
            raise IdempotencyConflict("running")
        row.created_at = now  # taken over from a process that died
        return None


def _running(
    workspace_id: int, key: str, operation: str, request_hash: str, now: datetime
) -> IdempotentRequest:
    return IdempotentRequest(
        workspace_id=workspace_id,
        idempotency_key=key,
        operation=operation,
        request_hash=request_hash,
        state="running",
        created_at=now,
    )


def keep(db: Database, workspace_id: int, key: str, status: int, body: dict[str, Any]) -> None:
    with db.begin() as session:
        row = session.scalar(
            select(IdempotentRequest).where(
                IdempotentRequest.workspace_id == workspace_id,
                IdempotentRequest.idempotency_key == key,
            )
        )
        if row is not None:
            row.state, row.response_status, row.response_body = "done", status, body


def release(db: Database, workspace_id: int, key: str) -> None:
    """The request did not change anything (refused, or failed): forget the key."""
    with db.begin() as session:
        session.execute(
            delete(IdempotentRequest).where(
                IdempotentRequest.workspace_id == workspace_id,
                IdempotentRequest.idempotency_key == key,
                IdempotentRequest.state == "running",
            )
        )
