"""The benchmarks' views of the Slack Web API stub (tests/slack/stub.py): when each call
arrived, and a stub that enforces rate limits the way Slack does."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import _harness  # noqa: F401  (puts the repository root on sys.path)

from tests.slack.stub import SlackStub, _Answer

POLL = 0.002  # how often the stub's calls are read
LIMITED = ("chat.postMessage", "conversations.open")
PER_CHANNEL_SECONDS = 1.0


class Arrivals:
    """Polls the stub's recorded calls and notes when each (method, channel) was first seen:
    the stub keeps no arrival times, so this is within POLL of the arrival."""

    def __init__(self, stub: SlackStub) -> None:
        self.stub = stub
        self.first: dict[tuple[str, str], float] = {}
        self.methods: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.last = time.perf_counter()
        self._seen = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="arrivals", daemon=True)

    def start(self) -> Arrivals:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(POLL)

    def poll(self) -> None:
        calls = self.stub.calls
        if len(calls) == self._seen:
            return
        now = time.perf_counter()
        for call in calls[self._seen :]:
            self.methods[call.method] += 1
            if not call.ok:
                self.failed[f"{call.method} {call.response.get('error', call.status)}"] += 1
            # The stub resolves a user id to that user's DM, as Slack does for chat.postMessage.
            channel = call.channel or str(call.body.get("channel_id") or "")
            self.first.setdefault((call.method, channel), now)
        self._seen = len(calls)
        self.last = now

    def wait_until(self, done: Callable[[], bool], deadline: float, step: float) -> None:
        """Until `done()` or the perf_counter `deadline`, looking every `step` seconds."""
        while time.perf_counter() < deadline:
            if done():
                break
            time.sleep(step)

    def wait_quiet(self, quiet: float, limit: float) -> None:
        """Until no call came for `quiet` seconds (bounded by `limit`)."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline and time.perf_counter() - self.last < quiet:
            time.sleep(0.05)


class TokenBucket:
    """`rate` tokens a second, at most `burst` banked. Not thread-safe: callers lock."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.last = burst, clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now

    def take(self) -> float:
        """0.0 when a token was taken, else the seconds until one is due."""
        self._refill()
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class RateLimitedStub(SlackStub):
    """SlackStub answering 429 + Retry-After when a limited method is over its rate."""

    def __init__(self, rate: float, burst: float, open_rate: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        clock = time.monotonic
        self.buckets = {
            "chat.postMessage": TokenBucket(rate, burst, clock),
            "conversations.open": TokenBucket(open_rate, max(1.0, open_rate), clock),
        }
        self.last_post: dict[str, float] = {}
        self.refused: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()

    def _answer(self, method: str, headers: dict[str, str], body: dict, raw: bytes) -> _Answer:
        # Runs under the stub's lock: the buckets and counters need no lock of their own.
        if method in LIMITED:
            wait = self.buckets[method].take()
            channel = str(body.get("channel", ""))
            if not wait and method == "chat.postMessage" and channel:
                since = time.monotonic() - self.last_post.get(channel, -math.inf)
                if since < PER_CHANNEL_SECONDS:
                    wait = PER_CHANNEL_SECONDS - since
                    self.buckets[method].tokens += 1.0  # the token was not spent
            if wait:
                self.refused[method] += 1
                return _Answer(
                    429,
                    {"ok": False, "error": "ratelimited"},
                    headers={"Retry-After": str(max(1, math.ceil(wait)))},
                )
        answer = super()._answer(method, headers, body, raw)
        payload = answer.payload or {}
        if method == "chat.postMessage" and answer.status == 200 and payload.get("ok"):
            self.last_post[str(payload.get("channel"))] = time.monotonic()
            self.accepted[method] += 1
        return answer

    def posts_per_user(self, users: list[str]) -> dict[str, int]:
        with self._lock:
            return {u: len(self._messages.get(self.dm_channel(u), [])) for u in users}
