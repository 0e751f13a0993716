"""Pacing what a job posts to Slack. Slack limits chat.postMessage per workspace; a fan-out
that fires as fast as it can runs into 429s, and every sender then waits out its own
Retry-After (plus jitter) while the allowance for those seconds goes unused. Here every
sending thread passes one gate per workspace token: posts leave evenly spaced at the
configured rate, and a 429 holds all senders until its Retry-After and slows the pace a
little, which recovers while Slack accepts what it is sent."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

PACED_METHODS = frozenset({"chat.postMessage"})
SLOWDOWN = 0.8  # after a 429 the pace drops to this share of what it was
RECOVERY_PER_SECOND = 0.05  # share of the configured rate regained per second without a 429
MIN_RATE = 0.5  # posts per second: never slower than this, however often Slack refuses


class SendGate:
    """Spaces posts 1/rate apart across threads and holds them all after a 429."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("a send rate must be positive")
        self.ceiling = rate
        self.rate = rate
        self.refusals = 0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = clock()
        self._held_until = 0.0
        self._last_change = clock()

    def acquire(self) -> None:
        """Wait for this sender's turn."""
        with self._lock:
            now = self._clock()
            self._recover(now)
            slot = max(now, self._next_slot, self._held_until)
            self._next_slot = slot + 1.0 / self.rate
        if slot > now:
            self._sleep(slot - now)

    def refused(self, retry_after: float) -> None:
        """Slack answered 429: nobody sends before Retry-After has passed, and the pace
        slows once for each hold (several threads refused together count once)."""
        with self._lock:
            now = self._clock()
            self.refusals += 1
            if now >= self._held_until:
                self.rate = max(MIN_RATE, self.rate * SLOWDOWN)
                self._last_change = now
            self._held_until = max(self._held_until, now + retry_after)
            self._next_slot = max(self._next_slot, self._held_until)

    def _recover(self, now: float) -> None:
        if now < self._held_until:
            return
        if self.rate < self.ceiling:
            since = now - max(self._last_change, self._held_until)
            self.rate = min(self.ceiling, self.rate + since * RECOVERY_PER_SECOND * self.ceiling)
        self._last_change = now


class PacedRateLimitRetryHandler(RetryHandler):
    """On a 429: a paced method tells the gate (which holds every sender) and takes its turn
    again; any other method waits its Retry-After with jitter, as slack_sdk's handler does."""

    def __init__(self, gate: SendGate, max_retry_count: int = 3) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.gate = gate

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        retry_after = _retry_after(response)
        state.next_attempt_requested = True
        if _method_of(request.url) in PACED_METHODS:
            self.gate.refused(retry_after)
            self.gate.acquire()
        else:
            time.sleep(retry_after + random.random())
        state.increment_current_attempt()


class PacedWebClient(WebClient):
    """A WebClient whose paced methods wait for the gate before each call."""

    def __init__(self, *args: Any, gate: SendGate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = gate

    def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        if api_method in PACED_METHODS:
            self.gate.acquire()
        return super().api_call(api_method, **kwargs)


def _retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return 1.0


def _method_of(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
