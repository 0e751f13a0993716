"""A gated listener acknowledges before it waits for a work slot, and no more listeners work
at once than there are slots."""

from __future__ import annotations

import threading

from bot.slack.slots import WorkSlots


def test_the_ack_goes_out_while_the_work_waits_for_a_slot() -> None:
    slots = WorkSlots(1)
    release = threading.Event()
    started = threading.Event()
    acked: list[str] = []
    worked: list[str] = []

    def listener(ack: object, name: str) -> None:
        ack()  # the listener's own ack: already done by the gate, harmless
        worked.append(name)
        if name == "first":
            started.set()
            release.wait(30)

    gated = slots.gate(listener)
    first = threading.Thread(
        target=gated, kwargs={"ack": lambda: acked.append("first"), "name": "first"}
    )
    first.start()
    assert started.wait(30)
    second = threading.Thread(
        target=gated, kwargs={"ack": lambda: acked.append("second"), "name": "second"}
    )
    second.start()
    for _ in range(200):  # the second is acknowledged although the only slot is taken
        if "second" in acked:
            break
        threading.Event().wait(0.01)
    assert acked == ["first", "second"] and worked == ["first"]
    release.set()
    first.join(30)
    second.join(30)
    assert worked == ["first", "second"]


def test_bolt_still_sees_the_listeners_own_parameters() -> None:
    from slack_bolt.util.utils import get_arg_names_of_callable

    def listener(ack: object, body: dict, client: object, context: object) -> None: ...

    assert get_arg_names_of_callable(WorkSlots().gate(listener)) == [
        "ack",
        "body",
        "client",
        "context",
    ]
