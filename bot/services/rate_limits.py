"""How many requests a key may make: a fixed window counted in the database, so the limit
holds across every web process and machine serving the API (an in-process counter would
multiply it by the number of processes)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.engine import Database
from bot.store.models import ApiRequestWindow


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the window ends: Retry-After when refused


def take(db: Database, key_id: int, now: datetime, limit: int, window_seconds: int) -> Allowance:
    """Count one request of key `key_id` in the window `now` falls in."""
    epoch = int(now.timestamp())
    start = datetime.fromtimestamp(epoch - epoch % window_seconds, UTC)
    reset = max(1, math.ceil((start + timedelta(seconds=window_seconds) - now).total_seconds()))
    with db.begin() as session:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(ApiRequestWindow).values(
            api_key_id=key_id, window_start=start, requests=1
        )
        statement = statement.on_conflict_do_update(
            index_elements=["api_key_id", "window_start"],
            set_={"requests": ApiRequestWindow.requests + 1},
        ).returning(ApiRequestWindow.requests)
        count = int(session.scalar(statement) or 1)
        if count == 1:  # the first request of a window clears the key's old ones
            session.execute(
                delete(ApiRequestWindow).where(
                    ApiRequestWindow.api_key_id == key_id, ApiRequestWindow.window_start < start
                )
            )
    return Allowance(count <= limit, limit, max(0, limit - count), reset)
