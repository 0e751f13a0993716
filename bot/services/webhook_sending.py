"""Sending webhook deliveries (bot/services/webhooks.py records them): claim one, sign and
POST it, record the outcome, retry with back-off.

A delivery is sent only by whoever claims it: an UPDATE that succeeds only while the
delivery is pending, due and unclaimed (or its claim's lease expired), the compare-and-set
bot/delivery/once.py uses for Slack messages. Of two workers racing, one gets rowcount 1 and
sends; the other moves on. A failed attempt is retried after RETRY_AFTER; a 410 Gone, or the
last attempt, fails the delivery. The secret is decrypted only to sign, and no error text
kept or logged holds it.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select, update

from bot.delivery.webhooks import Answer, Send, post, signed_request
from bot.render.sentences import sentence
from bot.store.cipher import TokenCipher
from bot.store.engine import Database
from bot.store.models import Webhook, WebhookDelivery, WebhookEvent

logger = logging.getLogger("coachbot.webhooks")

Clock = Callable[[], datetime]
ERROR_CHARS = 300
# Longer than one attempt can take (a connect and a read, each within the timeout): a claim
# older than this belongs to a sender that died, and the next run takes the delivery over.
LEASE = timedelta(minutes=5)
# The wait after each failed attempt; the attempt after the last wait is the last one
# (8 attempts over about 45 hours), after which the delivery is failed.
RETRY_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
# The endpoint says it is gone for good: that delivery fails at once. The webhook stays (an
# admin removes it) so that one misconfigured deploy cannot silently end an integration.
GONE = 410
SENDERS = 8  # endpoints served at once
PER_ENDPOINT_PER_RUN = 100  # the rest wait for the next run, a minute later
DUE_PER_RUN = 2000


@dataclass(frozen=True)
class Attempt:
    outcome: str  # delivered, retrying, failed; busy (another sender has it, or not due)
    event_id: str | None = None
    status: int | None = None
    error: str | None = None


def deliver_due(
    db: Database,
    cipher: TokenCipher,
    now: datetime,
    send: Send = post,
    workspace_id: int | None = None,
    senders: int = SENDERS,
) -> Counter[str]:
    """Send the deliveries due by `now` (of one workspace, or all): endpoints at once, each
    endpoint's deliveries oldest event first. An endpoint that fails gets no more requests
    this run (one failing request per run until it answers), so a dead or slow endpoint
    costs the others nothing. Returns how many were delivered, retrying, failed, busy."""
    clock = running_clock(now)
    by_endpoint: defaultdict[int, list[int]] = defaultdict(list)
    with db.begin() as session:
        query = (
            select(WebhookDelivery.id, WebhookDelivery.webhook_id)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(_due(now), Webhook.disabled_at.is_(None))
            .order_by(WebhookDelivery.event_id, WebhookDelivery.id)
            .limit(DUE_PER_RUN)
        )
        if workspace_id is not None:
            query = query.where(Webhook.workspace_id == workspace_id)
        for row in session.execute(query):
            if len(by_endpoint[row.webhook_id]) < PER_ENDPOINT_PER_RUN:
                by_endpoint[row.webhook_id].append(row.id)

    def endpoint(delivery_ids: list[int]) -> Counter[str]:
        outcomes: Counter[str] = Counter()
        for delivery_id in delivery_ids:
            tried = attempt(db, cipher, delivery_id, send, clock, now)
            outcomes[tried.outcome] += 1
            if tried.outcome in ("retrying", "failed"):
                break
        return outcomes

    total: Counter[str] = Counter()
    if not by_endpoint:
        return total
    workers = max(1, min(senders, len(by_endpoint)))
    with ThreadPoolExecutor(workers, thread_name_prefix="webhook") as pool:
        for outcomes in pool.map(endpoint, by_endpoint.values()):
            total.update(outcomes)
    return total


def forget_delivered(db: Database, now: datetime, days: int = 30) -> int:
    """Drop events older than `days` that no delivery still waits for: the history an admin
    reads stays a month, and the tables do not grow for ever."""
    cutoff = now - timedelta(days=days)
    with db.begin() as session:
        waiting = select(WebhookDelivery.event_id).where(WebhookDelivery.status == "pending")
        old = select(WebhookEvent.id).where(
            WebhookEvent.occurred_at < cutoff, WebhookEvent.id.not_in(waiting)
        )
        ids = list(session.scalars(old))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            session.execute(
                WebhookDelivery.__table__.delete().where(WebhookDelivery.event_id.in_(chunk))
            )
            session.execute(WebhookEvent.__table__.delete().where(WebhookEvent.id.in_(chunk)))
        return len(ids)


def attempt(
    db: Database,
    cipher: TokenCipher,
    delivery_id: int,
    send: Send,
    clock: Clock,
    now: datetime,
    last_chance: bool = False,
) -> Attempt:
    """Claim one delivery, send it, record the outcome. The claim is the only way to send:
    an UPDATE that succeeds only while the delivery is pending, due and unclaimed (or its
    lease expired), so of two senders exactly one gets rowcount 1."""
    claimed = clock()
    with db.begin() as session:
        taken = session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, _due(claimed))
            .values(attempts=WebhookDelivery.attempts + 1, claimed_at=claimed)
            .execution_options(synchronize_session=False)
        ).rowcount
    if taken != 1:
        return Attempt("busy")
    with db.begin() as session:
        delivery, event, hook = session.execute(
            select(WebhookDelivery, WebhookEvent, Webhook)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.id == delivery_id)
        ).one()
        attempt, url, kept, envelope = (
            delivery.attempts,
            hook.url,
            hook.secret_cipher,
            event.payload,
        )
    answer = _send(cipher, kept, url, envelope, send, clock())
    if answer.delivered:
        outcome = "delivered"
    elif last_chance or attempt >= MAX_ATTEMPTS or answer.status == GONE:
        outcome = "failed"
    else:
        outcome = "retrying"
    values: dict[str, Any] = {
        "status": "pending" if outcome == "retrying" else outcome,
        "last_status": answer.status,
        "last_error": answer.error[:ERROR_CHARS] if answer.error else None,
        "claimed_at": None,
    }
    if outcome == "delivered":
        values["delivered_at"] = clock()
    if outcome == "retrying":
        values["next_attempt_at"] = now + RETRY_AFTER[attempt - 1]
    with db.begin() as session:
        session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == "pending",  # not cancelled by a removal meanwhile
                WebhookDelivery.claimed_at == claimed,
                WebhookDelivery.attempts == attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    said = answer.status if answer.error is None else answer.error
    if outcome == "delivered":
        logger.info("webhook %s event %s delivered (%s)", hook.id, envelope["id"], said)
    else:
        logger.warning(
            "webhook %s event %s attempt %s %s: %s", hook.id, envelope["id"], attempt, outcome, said
        )
    return Attempt(outcome, envelope["id"], answer.status, values["last_error"])


def _send(
    cipher: TokenCipher, kept: str, url: str, envelope: dict[str, Any], send: Send, at: datetime
) -> Answer:
    try:
        secret = cipher.decrypt(kept)
    except ValueError:
        return Answer(None, sentence("webhook_secret_undecryptable"))
    body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    request = signed_request(
        url, secret, envelope["id"], envelope["type"], body, int(at.timestamp())
    )
    try:
        return send(request)
    except Exception as failure:  # a sender's bug is one failed attempt, not the whole run
        logger.exception("webhook send to %s raised", urlsplit(url).hostname)
        return Answer(None, type(failure).__name__)


def _due(at: datetime) -> Any:
    """Pending, due, and claimed by nobody alive."""
    return (
        (WebhookDelivery.status == "pending")
        & (WebhookDelivery.next_attempt_at <= at)
        & or_(WebhookDelivery.claimed_at.is_(None), WebhookDelivery.claimed_at < at - LEASE)
    )


def running_clock(now: datetime) -> Clock:
    """`now` moving on in real time, for claims and delivery times during a long run."""
    started = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - started)


def waiting(db: Database, workspace_id: int, now: datetime) -> int:
    """How many of the workspace's deliveries are due: what a run that cannot sign leaves."""
    with db.begin() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(WebhookDelivery)
                .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                .where(
                    _due(now), Webhook.disabled_at.is_(None), Webhook.workspace_id == workspace_id
                )
            )
            or 0
        )
