"""Outbound webhooks: an admin registers an endpoint for some of a workspace's events;
coachbot posts each event to it, signed, once, retrying with back-off (docs/webhooks.md).

`emit` writes the event and one pending delivery per subscribed endpoint in the caller's
transaction, beside the change itself: a rolled-back change emits nothing, a committed one
is never lost. `deliver_due` (the webhooks job, every minute) sends what is due. Each
delivery is claimed with a compare-and-set UPDATE before it is sent, so two workers never
send one delivery twice; the claim is a lease, taken over only when its sender died.

The signing secret is shown once, when the webhook is added, and kept encrypted with
COACHBOT_TOKEN_KEYS; it never reaches a log or a delivery's last_error.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.delivery.webhooks import Send, post
from bot.render.sentences import sentence
from bot.services.webhook_sending import Attempt, attempt, running_clock
from bot.services.webhook_sending import deliver_due as deliver_due  # the job calls it here
from bot.store.cipher import TokenCipher
from bot.store.engine import Database
from bot.store.models import Webhook, WebhookDelivery, WebhookEvent, Workspace
from bot.store.workspaces import find_workspace_id
from bot.vocabulary import WEBHOOK_EVENTS

logger = logging.getLogger("coachbot.webhooks")

ALL_EVENTS = "*"  # subscribes to every event, those added later too
TEST_EVENT = "webhook.test"  # sent by `coachbot webhook test` to one webhook only
SECRET_LABEL = "whsec"
SECRET_BYTES = 32
EVENT_ID_BYTES = 12
URL_CHARS = 2000


class WebhookError(ValueError):
    """A webhook command cannot do what was asked; the message says why."""


@dataclass(frozen=True)
class Registered:
    id: int
    url: str
    events: list[str]
    secret: str  # the only copy there will be


@dataclass(frozen=True)
class WebhookListing:
    id: int
    url: str
    events: list[str]
    created_at: datetime
    disabled_at: datetime | None
    pending: int
    failed: int


def webhook_cipher(token_keys: tuple[str, ...]) -> TokenCipher:
    """The cipher the signing secrets are kept with; refused, saying what to do, without keys."""
    if not token_keys:
        raise WebhookError(sentence("webhook_needs_token_key"))
    return TokenCipher(token_keys)


def checked_url(url: str) -> str:
    """The URL, if coachbot can post to it: http or https, a host, a valid port, and no
    user name or password (urllib would not send them; the signature authenticates)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number in range)
    except ValueError:
        raise WebhookError(sentence("webhook_bad_url", url=url)) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > URL_CHARS:
        raise WebhookError(sentence("webhook_bad_url", url=url))
    if parts.username is not None or parts.password is not None:
        raise WebhookError(sentence("webhook_url_with_credentials"))
    return url


def checked_events(names: Iterable[str]) -> list[str]:
    """The event names, each once, in the order given; `*` alone stands for all."""
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not wanted:
        raise WebhookError(sentence("webhook_no_events", events=WEBHOOK_EVENTS))
    if ALL_EVENTS in wanted:
        return [ALL_EVENTS]
    unknown = [n for n in wanted if n not in WEBHOOK_EVENTS]
    if unknown:
        raise WebhookError(sentence("webhook_bad_events", unknown=unknown, events=WEBHOOK_EVENTS))
    return wanted


def register(
    db: Database,
    cipher: TokenCipher,
    team_id: str,
    url: str,
    events: Iterable[str],
    now: datetime,
) -> Registered:
    url, wanted = checked_url(url), checked_events(events)
    secret = f"{SECRET_LABEL}_{secrets.token_urlsafe(SECRET_BYTES)}"
    with db.begin() as session:
        hook = Webhook(
            workspace_id=_workspace(session, team_id),
            url=url,
            events=wanted,
            secret_cipher=cipher.encrypt(secret),
            created_at=now,
        )
        session.add(hook)
        session.flush()
        logger.info("webhook %s added for %s: %s", hook.id, team_id, ",".join(wanted))
        return Registered(hook.id, url, wanted, secret)


def list_webhooks(db: Database, team_id: str) -> list[WebhookListing]:
    """The workspace's webhooks, removed ones too, with their deliveries waiting and failed."""
    with db.begin() as session:
        workspace_id = _workspace(session, team_id)
        hooks = session.scalars(
            select(Webhook).where(Webhook.workspace_id == workspace_id).order_by(Webhook.id)
        ).all()
        counts = Counter(
            {
                (row.webhook_id, row.status): row.n
                for row in session.execute(
                    select(
                        WebhookDelivery.webhook_id, WebhookDelivery.status, func.count().label("n")
                    )
                    .where(WebhookDelivery.webhook_id.in_([h.id for h in hooks]))
                    .group_by(WebhookDelivery.webhook_id, WebhookDelivery.status)
                )
            }
        )
        return [
            WebhookListing(
                h.id,
                h.url,
                list(h.events),
                h.created_at,
                h.disabled_at,
                counts[(h.id, "pending")],
                counts[(h.id, "failed")],
            )
            for h in hooks
        ]


def remove(db: Database, team_id: str, webhook_id: int, now: datetime) -> tuple[str, int]:
    """Stop sending to the webhook: its url and how many waiting deliveries were cancelled
    (failed, saying why). Its history stays; removing twice is not an error."""
    with db.begin() as session:
        hook = _webhook(session, team_id, webhook_id)
        if hook.disabled_at is None:
            hook.disabled_at = now
        cancelled = session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == hook.id, WebhookDelivery.status == "pending")
            .values(status="failed", last_error=sentence("webhook_removed_error"), claimed_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        logger.info("webhook %s removed; %s waiting deliveries cancelled", hook.id, cancelled)
        return hook.url, cancelled


def send_test(
    db: Database,
    cipher: TokenCipher,
    team_id: str,
    webhook_id: int,
    now: datetime,
    send: Send = post,
) -> Attempt:
    """A `webhook.test` event to this webhook alone, sent now and not retried: the admin
    reads at once whether the endpoint takes it."""
    with db.begin() as session:
        hook = _webhook(session, team_id, webhook_id)
        if hook.disabled_at is not None:
            raise WebhookError(sentence("webhook_was_removed", id=hook.id))
        data = {"webhook_id": hook.id}
        _, [delivery] = _record_event(session, hook.workspace_id, TEST_EVENT, data, now, [hook])
    return attempt(db, cipher, delivery.id, send, running_clock(now), now, last_chance=True)


def listening(session: Session, workspace_id: int, event: str) -> bool:
    """Whether any webhook of the workspace wants the event: spares building its data."""
    return bool(_subscribed(session, workspace_id, event))


def emit(
    session: Session, workspace_id: int, event: str, data: dict[str, Any], now: datetime
) -> str | None:
    """Record the event and a pending delivery to each active webhook subscribed to it, in
    the caller's transaction; its public id, or None when no webhook wants it (nothing is
    kept then: an endpoint added later receives what happens from then on)."""
    if event not in WEBHOOK_EVENTS:
        raise ValueError("not in WEBHOOK_EVENTS: " + event)
    hooks = _subscribed(session, workspace_id, event)
    if not hooks:
        return None
    public_id, _ = _record_event(session, workspace_id, event, data, now, hooks)
    return public_id


def _record_event(
    session: Session,
    workspace_id: int,
    event: str,
    data: dict[str, Any],
    now: datetime,
    hooks: list[Webhook],
) -> tuple[str, list[WebhookDelivery]]:
    """The event, kept whole as it is sent, and a pending delivery to each of `hooks`."""
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None
    public_id = f"evt_{secrets.token_hex(EVENT_ID_BYTES)}"
    # The envelope is kept whole: every attempt sends the same id, type, time and data.
    envelope = {
        "id": public_id,
        "type": event,
        "created_at": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "workspace": workspace.team_id,
        "data": data,
    }
    row = WebhookEvent(workspace_id=workspace_id, event=event, payload=envelope, occurred_at=now)
    session.add(row)
    session.flush()
    deliveries = [
        WebhookDelivery(
            webhook_id=hook.id, event_id=row.id, status="pending", attempts=0, next_attempt_at=now
        )
        for hook in hooks
    ]
    session.add_all(deliveries)
    session.flush()
    return public_id, deliveries


def _subscribed(session: Session, workspace_id: int, event: str) -> list[Webhook]:
    hooks = session.scalars(
        select(Webhook).where(Webhook.workspace_id == workspace_id, Webhook.disabled_at.is_(None))
    )
    return [h for h in hooks if ALL_EVENTS in h.events or event in h.events]


def _workspace(session: Session, team_id: str) -> int:
    workspace_id = find_workspace_id(session, team_id)
    if workspace_id is None:
        raise WebhookError(sentence("no_workspace_data_cli", team_id=team_id))
    return workspace_id


def _webhook(session: Session, team_id: str, webhook_id: int) -> Webhook:
    """The webhook, if it belongs to the workspace: another workspace's is not found."""
    hook = session.get(Webhook, webhook_id)
    if hook is None or hook.workspace_id != _workspace(session, team_id):
        raise WebhookError(sentence("webhook_not_found", id=webhook_id, team_id=team_id))
    return hook
