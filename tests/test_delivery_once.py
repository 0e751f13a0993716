"""Exactly-once delivery (bot/delivery/once.py) against the Slack stub: a message Slack took
whose answer never came back is found again by its metadata, not posted twice; a claim still
being worked on is left alone; a dead sender's claim is taken over by exactly one taker."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.delivery.once import LEASE, METADATA_EVENT, Outgoing, deliver, direct_message
from bot.store.engine import Database
from bot.store.models import Delivery, Workspace
from tests.slack.stub import SlackStub

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
USER = "U0ANN"
PAYLOAD = {"text": "Your focus this week: discovery", "blocks": []}


@pytest.fixture
def workspace_id(db: Database) -> int:
    with db.begin() as session:
        workspace = Workspace(team_id="T0TEST", name="Acme", created_at=NOW)
        session.add(workspace)
        session.flush()
        return workspace.id


@pytest.fixture
def slack_time() -> dict[str, datetime]:
    """Slack's clock (message ts follow it); a test moves it along with the job's."""
    return {"now": NOW}


@pytest.fixture
def stub(slack_time: dict[str, datetime]) -> Any:
    with SlackStub(clock=lambda: slack_time["now"]) as running:
        yield running


def client_for(stub: SlackStub, timeout: int = 15) -> WebClient:
    return WebClient(token="xoxb-test", base_url=stub.base_url, timeout=timeout)


def nudge(client: WebClient, period: str = "2026-W48") -> Outgoing:
    return direct_message(client, "nudge", USER, period, lambda: PAYLOAD)


def posts_in_dm(stub: SlackStub) -> list[dict[str, Any]]:
    return stub.messages(stub.dm_channel(USER))


def claimed_earlier(db: Database, workspace_id: int, when: datetime) -> None:
    """The key as a sender left it: claimed at `when`, not (yet) marked sent."""
    with db.begin() as session:
        session.add(
            Delivery(
                workspace_id=workspace_id,
                kind="nudge",
                recipient=USER,
                period="2026-W48",
                status="sending",
                attempts=0,
                claims=1,
                created_at=when,
                claimed_at=when,
            )
        )


def row(db: Database) -> Delivery:
    with db.begin() as session:
        found = session.scalars(select(Delivery)).all()
    assert len(found) == 1
    return found[0]


def test_each_message_carries_its_key_in_slack_metadata(db, workspace_id, stub) -> None:
    outcome = deliver(db, client_for(stub), workspace_id, nudge(client_for(stub)), NOW)
    assert outcome.status == "sent"
    [posted] = posts_in_dm(stub)
    assert posted["metadata"] == {
        "event_type": METADATA_EVENT,
        "event_payload": {"key": "nudge|U0ANN|2026-W48", "workspace": workspace_id},
    }
    assert row(db).message_ts == posted["ts"]


def test_a_post_slack_took_but_never_answered_is_not_sent_again(db, workspace_id, stub) -> None:
    # Slack stores the message, then the answer takes longer than the client waits.
    stub.delay_next("chat.postMessage", 3)
    client = client_for(stub, timeout=1)
    outcome = deliver(db, client, workspace_id, nudge(client), NOW, pause=lambda _s: None)
    assert len(posts_in_dm(stub)) == 1
    assert outcome.status == "sent"
    assert row(db).status == "sent" and row(db).message_ts == posts_in_dm(stub)[0]["ts"]


def test_a_claim_younger_than_the_lease_is_left_to_its_sender(
    db, workspace_id, stub, slack_time
) -> None:
    client = client_for(stub)
    claimed_earlier(db, workspace_id, NOW - timedelta(minutes=1))  # still at work
    assert deliver(db, client, workspace_id, nudge(client), NOW).status == "busy"
    assert posts_in_dm(stub) == []
    later = NOW + LEASE
    slack_time["now"] = later
    assert deliver(db, client, workspace_id, nudge(client), later).status == "sent"
    assert len(posts_in_dm(stub)) == 1


def test_a_dead_senders_message_that_landed_is_found_and_marked_sent(
    db, workspace_id, stub, slack_time
) -> None:
    client = client_for(stub)
    first = nudge(client)
    # A sender claims the key and Slack takes its post; the sender dies before recording it.
    claimed_earlier(db, workspace_id, NOW)
    first.send(first.metadata(workspace_id))
    later = NOW + timedelta(hours=1)
    slack_time["now"] = later
    assert deliver(db, client, workspace_id, nudge(client), later).status == "skipped"
    assert len(posts_in_dm(stub)) == 1
    assert row(db).status == "sent" and row(db).message_ts == posts_in_dm(stub)[0]["ts"]
    # Another week's nudge is another key: it is sent.
    other = nudge(client, "2026-W49")
    assert deliver(db, client, workspace_id, other, later).status == "sent"
    assert len(posts_in_dm(stub)) == 2


def test_when_slack_cannot_be_read_back_nothing_is_sent_and_the_key_stays_open(
    db, workspace_id, stub
) -> None:
    client = client_for(stub)
    claimed_earlier(db, workspace_id, NOW)
    stub.fail_next("conversations.history", status=200, body={"ok": False, "error": "fatal"})
    later = NOW + timedelta(hours=1)
    assert deliver(db, client, workspace_id, nudge(client), later).status == "failed"
    assert posts_in_dm(stub) == []
    assert "could not read the conversation back" in row(db).last_error
    assert deliver(db, client, workspace_id, nudge(client), later).status == "sent"
    assert len(posts_in_dm(stub)) == 1


def test_many_senders_racing_for_one_key_send_once(db, workspace_id, stub) -> None:
    client = client_for(stub)
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def race() -> None:
        start.wait()
        try:
            outcomes.append(deliver(db, client, workspace_id, nudge(client), NOW).status)
        except Exception as error:  # a crashed sender must fail the test, not vanish
            outcomes.append(f"raised {error!r}")

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads) and len(outcomes) == 8, outcomes
    assert sorted(outcomes).count("sent") == 1
    assert set(outcomes) <= {"sent", "busy", "skipped"}
    assert len(posts_in_dm(stub)) == 1


def test_a_message_that_cannot_be_built_fails_alone(db, workspace_id, stub) -> None:
    client = client_for(stub)

    def broken() -> dict[str, Any]:
        raise KeyError("win_rate")

    bad = direct_message(client, "nudge", "U0BOB", "2026-W48", broken)
    assert deliver(db, client, workspace_id, bad, NOW).status == "failed"
    assert deliver(db, client, workspace_id, nudge(client), NOW).status == "sent"
    with db.begin() as session:
        failed = session.scalar(select(Delivery).where(Delivery.recipient == "U0BOB"))
        assert failed.status == "failed" and "KeyError" in failed.last_error
