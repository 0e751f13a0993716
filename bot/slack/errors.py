"""One error handler for every listener: log with context, record the failure under the
reference the user is given, tell the user something useful."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from bot.delivery import poster
from bot.render.renderer import message
from bot.slack.middleware import CONTEXT_KEY
from bot.store.engine import Database
from bot.store.models import ListenerFailure

logger = logging.getLogger("coachbot.slack")


FORGET_AFTER = timedelta(days=30)


def handle_error(
    error: Exception, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    reference = uuid.uuid4().hex[:8]
    user = _user_id(body)
    kind = str(body.get("type") or body.get("command") or (body.get("event") or {}).get("type"))
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    logger.error(
        "listener failed (ref %s, type %s, user %s, team %s)",
        reference,
        kind,
        user,
        team,
        exc_info=error,
    )
    _record(context, reference, team, user, kind, error)
    if not user:
        return
    try:
        poster.send_dm(client, user, message("messages/error.json.j2", reference=reference))
    except SlackApiError:
        logger.exception("could not tell user %s about error %s", user, reference)


def _user_id(body: dict[str, Any]) -> str | None:
    if isinstance(body.get("user"), dict):
        return body["user"].get("id")
    return body.get("user_id") or (body.get("event") or {}).get("user")


def _record(
    context: BoltContext,
    reference: str,
    team: str | None,
    user: str | None,
    kind: str,
    error: Exception,
) -> None:
    deps = context.get(CONTEXT_KEY)
    if deps is None:  # failed before the app's middleware ran: the log line is all there is
        return
    try:
        with deps.db.begin() as session:
            session.add(
                ListenerFailure(
                    reference=reference,
                    team_id=team,
                    user_id=user,
                    kind=kind[:64],
                    error=f"{type(error).__name__}: {error}"[:300],
                    occurred_at=deps.clock.now(),
                )
            )
    except SQLAlchemyError:  # the database may be why the listener failed
        logger.exception("could not record failure %s", reference)


def forget_old_failures(db: Database, now: datetime) -> int:
    """Delete failures older than FORGET_AFTER; returns how many."""
    with db.begin() as session:
        result = session.execute(
            delete(ListenerFailure).where(ListenerFailure.occurred_at < now - FORGET_AFTER)
        )
    return int(result.rowcount or 0)


def recent_failures(db: Database, reference: str | None, limit: int) -> list[ListenerFailure]:
    """The failure a reference names, or the most recent ones, newest first."""
    query = select(ListenerFailure).order_by(ListenerFailure.occurred_at.desc())
    if reference:
        query = query.where(ListenerFailure.reference == reference.strip().strip("`"))
    with db.begin() as session:
        return list(session.scalars(query.limit(max(1, limit))))
