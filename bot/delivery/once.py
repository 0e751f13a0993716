"""The one place jobs send from. Each message has a key (kind, recipient, period); the key is
claimed in the database before sending and marked sent after, so a job that is retried,
restarted or triggered twice sends each message once and skips nobody.

A claim is a lease. While it is younger than LEASE its sender is taken to be at work and
everyone else leaves the key alone ("busy"); an older claim belongs to a sender that died,
and the next run takes it over.

The crash window (Slack accepted the message, the process died before marking the key sent)
is closed with Slack's message metadata: every message carries its key, and whoever takes
over a claim first reads the conversation back. When the message is there, the key is
marked sent and nothing is posted again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.delivery import poster
from bot.store.engine import Database
from bot.store.models import Delivery

logger = logging.getLogger("coachbot.delivery")
MAX_ATTEMPTS = 3
SERVER_ERROR_PAUSE_SECONDS = 1.0
# Longer than one send can take: three 429 waits, three timeouts and the pauses between.
LEASE = timedelta(minutes=15)
METADATA_EVENT = "coachbot_delivery"
# Slack's clock and ours may differ a little: read the conversation from a bit earlier.
CLOCK_MARGIN = timedelta(minutes=5)
HISTORY_PAGES = 5


@dataclass(frozen=True)
class Outgoing:
    """One message a job wants sent.

    `send(metadata)` posts it with that Slack message metadata and returns the response (or
    anything with a "ts"). `conversation()` names the conversation it lands in, so a message
    an earlier, crashed attempt posted can be found there.
    """

    kind: str
    recipient: str
    period: str
    send: Callable[[dict[str, Any]], Any]
    conversation: Callable[[], str | None]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.recipient, self.period)

    def metadata(self, workspace_id: int) -> dict[str, Any]:
        """The key, and the workspace it belongs to: one conversation never holds two
        workspaces' messages, but the key read back must be the whole key."""
        payload = {"key": key_text(self.key), "workspace": workspace_id}
        return {"event_type": METADATA_EVENT, "event_payload": payload}


def not_read_back() -> None:
    """The conversation of a group DM (mentors, peer groups) is not read back: that takes
    mpim:history, the right to read what its members write to each other. A crash in the
    one-call window may repeat such a message."""
    return None


def direct_message(
    client: Any, kind: str, user_id: str, period: str, build: Callable[[], dict[str, Any]]
) -> Outgoing:
    """A message to one user's DM with coachbot; `build()` renders it when its turn comes.
    Files the message names (`"files"`: content, filename, title, alt_text) are shared in the
    DM after it: a chart belongs to the message it illustrates."""

    def send(metadata: dict[str, Any]) -> dict[str, str]:
        payload = build()
        channel, ts = poster.post_dm(client, user_id, payload, metadata=metadata)
        for file in payload.get("files", ()):
            poster.upload_to_dm(
                client,
                user_id,
                file["content"],
                file["filename"],
                file["title"],
                file["alt_text"],
            )
        return {"channel": channel, "ts": ts}

    return Outgoing(kind, user_id, period, send, lambda: poster.open_dm(client, user_id))


def deliver_all(
    db: Database,
    client: Any,
    workspace_id: int,
    messages: Sequence[Outgoing],
    clock: Callable[[], datetime],
    threads: int = 1,
) -> list[Outcome]:
    """Deliver each message once, `threads` at a time (each builds its message and then
    waits for its turn at the client's pace); outcomes in the order given."""

    def one(outgoing: Outgoing) -> Outcome:
        return deliver(db, client, workspace_id, outgoing, clock())

    if threads <= 1 or len(messages) <= 1:
        return [one(m) for m in messages]
    with ThreadPoolExecutor(min(threads, len(messages)), thread_name_prefix="send") as pool:
        return list(pool.map(one, messages))


@dataclass(frozen=True)
class Outcome:
    status: str  # sent; skipped (already sent); busy (another sender has it now); failed
    key: tuple[str, str, str]


@dataclass(frozen=True)
class _Claim:
    status: str  # new, taken (over from an earlier attempt), skipped, busy
    earlier: datetime | None = None  # when the earlier attempt began


def key_text(key: tuple[str, str, str]) -> str:
    return "|".join(key)


def deliver(
    db: Database,
    client: Any,
    workspace_id: int,
    outgoing: Outgoing,
    now: datetime,
    pause: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Send once per key. Server errors and timeouts are retried a few times; rate limits
    are waited out by the client's retry handler; a recipient that keeps failing is recorded
    as failed and the caller moves on to the next one."""
    key = outgoing.key
    claim = _claim(db, workspace_id, key, now)
    if claim.status in ("skipped", "busy"):
        return Outcome(claim.status, key)
    if claim.status == "taken" and claim.earlier is not None:
        try:
            landed = _landed(client, workspace_id, outgoing, claim.earlier)
        except (SlackApiError, TimeoutError, OSError) as failure:
            error = f"could not read the conversation back: {_describe(failure)}"
            _finish(db, workspace_id, key, "failed", 0, error, None, now)
            return Outcome("failed", key)
        if landed is not None:
            logger.info("delivery %s was posted before a crash; marked sent", key_text(key))
            _finish(db, workspace_id, key, "sent", 0, None, landed, now)
            return Outcome("skipped", key)
    error: str | None = None
    unanswered = False  # a timeout: Slack may have taken the post without our hearing so
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if unanswered:
            try:
                landed = _landed(client, workspace_id, outgoing, now)
            except (SlackApiError, TimeoutError, OSError) as failure:
                error = f"{error}; could not read the conversation back: {_describe(failure)}"
                break  # sending again could send twice: leave the key to the next run
            if landed is not None:
                _finish(db, workspace_id, key, "sent", attempt - 1, None, landed, now)
                return Outcome("sent", key)
        try:
            response = outgoing.send(outgoing.metadata(workspace_id))
        except SlackApiError as failure:
            error = _describe(failure)
            status = failure.response.status_code
            if status < 500 and status != 429:
                break  # a client error will not heal by retrying (user gone, channel closed)
        except (TimeoutError, OSError) as failure:
            error = _describe(failure)
            unanswered = True
        except Exception as failure:  # a message that cannot be built: one rep, not the job
            logger.exception("delivery %s could not be built", key_text(key))
            error = _describe(failure)
            break
        else:
            _finish(db, workspace_id, key, "sent", attempt, None, _ts(response), now)
            return Outcome("sent", key)
        if attempt < MAX_ATTEMPTS:
            pause(SERVER_ERROR_PAUSE_SECONDS * attempt)
    logger.warning("delivery %s failed after retries: %s", key_text(key), error)
    _finish(db, workspace_id, key, "failed", MAX_ATTEMPTS, error, None, now)
    return Outcome("failed", key)


def _claim(db: Database, workspace_id: int, key: tuple[str, str, str], now: datetime) -> _Claim:
    kind, recipient, period = key
    try:
        with db.begin() as session:
            row = session.scalar(_query(workspace_id, key))
            if row is None:
                session.add(
                    Delivery(
                        workspace_id=workspace_id,
                        kind=kind,
                        recipient=recipient,
                        period=period,
                        status="sending",
                        attempts=0,
                        claims=1,
                        created_at=now,
                        claimed_at=now,
                    )
                )
                return _Claim("new")
            if row.status == "sent":
                return _Claim("skipped")
            earlier = row.claimed_at or row.created_at
            if row.status == "sending" and now - earlier < LEASE:
                return _Claim("busy")
            # Compare-and-set on the claim counter: of two takers only one wins.
            taken = session.execute(
                update(Delivery)
                .where(Delivery.id == row.id, Delivery.claims == row.claims)
                .values(status="sending", claims=row.claims + 1, claimed_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            return _Claim("taken", earlier) if taken == 1 else _Claim("busy")
    except IntegrityError:  # another sender inserted the key between our read and write
        return _Claim("busy")


def _landed(client: Any, workspace_id: int, outgoing: Outgoing, since: datetime) -> str | None:
    """The ts of the message an earlier attempt posted under this key, if Slack has it."""
    channel = outgoing.conversation()
    if channel is None:
        return None
    wanted = outgoing.metadata(workspace_id)["event_payload"]
    oldest = f"{(since - CLOCK_MARGIN).timestamp():.6f}"
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        page = client.conversations_history(
            channel=channel, oldest=oldest, include_all_metadata=True, limit=100, cursor=cursor
        )
        for posted in page.get("messages", []):
            metadata = posted.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and payload == wanted:
                return str(posted["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            break
    return None


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


def _describe(failure: Exception) -> str:
    if isinstance(failure, SlackApiError):
        return f"{failure.response.status_code} {failure.response.get('error')}"
    return f"{type(failure).__name__}: {failure}"


def _ts(response: Any) -> str | None:
    try:
        return str(response["ts"]) if response and "ts" in response else None
    except TypeError:
        return None
