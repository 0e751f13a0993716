"""Pacing what jobs post: posts leave evenly spaced at the configured rate, a 429 holds every
sender until its Retry-After and slows the pace, which comes back while Slack accepts."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.delivery.pacing import MIN_RATE, SLOWDOWN, SendGate
from bot.slack.client import make_sending_client
from tests.slack.stub import SlackStub


class FakeTime:
    """A monotonic clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds


def test_posts_leave_one_interval_apart() -> None:
    time = FakeTime()
    gate = SendGate(4.0, clock=time.clock, sleep=time.sleep)
    for _ in range(5):
        gate.acquire()
    assert time.slept == pytest.approx([0.25, 0.25, 0.25, 0.25])


def test_a_refusal_holds_everyone_until_retry_after_and_slows_the_pace() -> None:
    time = FakeTime()
    gate = SendGate(10.0, clock=time.clock, sleep=time.sleep)
    gate.acquire()
    gate.refused(3.0)
    gate.refused(3.0)  # another sender refused in the same breath: one slowdown, not two
    assert gate.rate == pytest.approx(10.0 * SLOWDOWN)
    assert gate.refusals == 2
    gate.acquire()
    assert time.now == pytest.approx(103.0)  # nobody sends before Retry-After has passed
    gate.acquire()
    assert time.now == pytest.approx(103.0 + 1 / gate.rate, rel=0.05)


def test_the_pace_recovers_to_the_configured_rate_while_slack_accepts() -> None:
    time = FakeTime()
    gate = SendGate(10.0, clock=time.clock, sleep=time.sleep)
    gate.refused(1.0)
    slowed = gate.rate
    for _ in range(400):
        gate.acquire()
    assert slowed < gate.rate == pytest.approx(10.0)


def test_the_pace_never_drops_below_the_floor() -> None:
    time = FakeTime()
    gate = SendGate(1.0, clock=time.clock, sleep=time.sleep)
    for _ in range(30):
        gate.refused(1.0)
        time.sleep(1.5)
    assert gate.rate == MIN_RATE


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SendGate(0)


def test_the_jobs_client_waits_out_a_429_and_tells_the_gate() -> None:
    with SlackStub() as stub:
        settings = replace(Settings(), slack_api_url=stub.base_url, slack_post_rate=50.0)
        client = make_sending_client(settings, token="xoxb-test")
        stub.fail_next("chat.postMessage", status=429, retry_after=1)
        posted = client.chat_postMessage(channel="U0ANN", text="hello")
        assert posted["ok"]
        assert [c.status for c in stub.calls_to("chat.postMessage")] == [429, 200]
        assert client.gate.refusals == 1 and client.gate.rate < 50.0
        # Methods Slack limits otherwise are not paced by the gate: their 429 leaves it alone.
        rate = client.gate.rate
        stub.fail_next("conversations.open", status=429, retry_after=1)
        assert client.conversations_open(users="U0ANN")["ok"]
        assert client.gate.refusals == 1 and client.gate.rate == rate
