"""One webhook request: its signature and the HTTP POST (urllib: no dependency for one POST).

The signature is HMAC-SHA256, keyed with the webhook's secret, over `v1:{timestamp}:{body}`,
sent as `Coachbot-Signature: v1=<hex>` beside `Coachbot-Timestamp: <unix seconds>`. Signing
the timestamp with the body lets a receiver refuse a replayed request (docs/webhooks.md).

`post` never raises for what the endpoint does: it answers with the HTTP status (or None
when no answer came) and why the request is not a delivery, so one failing endpoint is one
outcome, never an exception that stops the others' deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SIGNATURE_VERSION = "v1"
USER_AGENT = "coachbot-webhooks/1"
# Per socket operation (connect, each read): an endpoint that does not answer within it is
# a failed attempt, retried later, and never holds up the other endpoints for long.
TIMEOUT_SECONDS = 10.0
REASON_CHARS = 100  # of the endpoint's own status line: its words, not ours


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    status: int | None  # the HTTP status; None when the endpoint gave none
    error: str | None  # why this is not a delivery; None when it is one (2xx)

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


Send = Callable[[Request], Answer]


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `v1:{timestamp}:{body}` keyed with the secret."""
    message = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_request(
    url: str, secret: str, event_id: str, event_type: str, body: bytes, timestamp: int
) -> Request:
    """The request for one attempt; each attempt is signed with its own timestamp, so a
    retry hours later still falls inside the receiver's tolerance."""
    return Request(
        url,
        body,
        {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Coachbot-Event-Id": event_id,
            "Coachbot-Event-Type": event_type,
            "Coachbot-Timestamp": str(timestamp),
            "Coachbot-Signature": f"{SIGNATURE_VERSION}={sign(secret, timestamp, body)}",
        },
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not a delivery: urllib would follow a 302 with a GET and no body. The
    3xx comes back as the answer, and the admin fixes the URL."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post(request: Request, timeout: float = TIMEOUT_SECONDS) -> Answer:
    """POST the request; the endpoint's answer, or why there was none."""
    opener = urllib.request.build_opener(_NoRedirects)
    http_request = urllib.request.Request(
        request.url, data=request.body, headers=request.headers, method="POST"
    )
    try:
        with opener.open(http_request, timeout=timeout) as response:
            return Answer(response.status, None)
    except urllib.error.HTTPError as answer:  # any status but 2xx
        answer.close()
        reason = str(answer.reason or "")[:REASON_CHARS]
        return Answer(answer.code, f"HTTP {answer.code} {reason}".strip())
    except urllib.error.URLError as failure:
        if isinstance(failure.reason, TimeoutError):
            return Answer(None, _timed_out(timeout))
        return Answer(None, f"could not connect: {failure.reason}")
    except TimeoutError:
        return Answer(None, _timed_out(timeout))
    except (OSError, http.client.HTTPException) as failure:  # reset, bad status line, ...
        return Answer(None, f"{type(failure).__name__}: {failure}")


def _timed_out(timeout: float) -> str:
    return f"no answer within {timeout:g} s"
