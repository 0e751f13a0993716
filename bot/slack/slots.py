"""Acknowledge first, then wait for a slot to work in.

Bolt runs each listener, ack included, on its listener pool. If slow answers held every
thread of that pool, a new slash command could not even be acknowledged and Slack would give
up on it after 3 seconds. So the pool is large (waiting threads are cheap), a gated listener
acknowledges the moment it starts, and only then waits for one of a few work slots: a burst
queues its answers, never its acknowledgements.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

# Answers worked on at once per process. They are CPU-bound Python: more threads only take
# the interpreter lock from the threads that acknowledge. bench/load.py (200 concurrent
# commands, 5,000 reps): 8 slots let acks reach 3.9 s; 4 slots 2.9 s; 2 slots 2.3 s, with
# answers no slower.
WORK_SLOTS = 2


def _acknowledged(*_args: Any, **_kwargs: Any) -> None:
    """The listener's own ack() once the gate has acknowledged for it."""


class WorkSlots:
    def __init__(self, slots: int = WORK_SLOTS) -> None:
        self._slots = threading.BoundedSemaphore(slots)

    def gate(self, listener: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a listener that acknowledges with nothing to say (a command, a button, an
        event). Bolt passes arguments by the listener's own parameter names, which it reads
        through the wrapper."""

        @functools.wraps(listener)
        def gated(**kwargs: Any) -> Any:
            if "ack" in kwargs:
                kwargs["ack"]()
                kwargs["ack"] = _acknowledged
            with self._slots:
                return listener(**kwargs)

        return gated
