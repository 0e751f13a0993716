"""A process coach's coaching request over the API reaches the rep's manager in Slack, once;
waits when the manager is not matched to Slack yet; is honest when there is no manager."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.clock import FixedClock
from bot.config import Settings
from bot.slack.client import retry_handlers
from bot.store.engine import Database
from jobs import coaching_requests, directory_sync
from jobs.context import JobContext
from tests.api import call, new_key
from tests.helpers import ACME, TEAM, run, write
from tests.slackapp import SlackApp, acme_app, text_of

# Bob manages Ray, and has no Slack id in the CRM (the stub knows him by email); Una has no
# manager at all.
PEOPLE = (
    ACME["people.csv"].replace(
        "bob@acme.example,Bob Baker,rep,", "bob@acme.example,Bob Baker,manager,"
    )
    + "ray@acme.example,Ray Reed,rep,bob@acme.example,East,NA,mid_market,,,2024-02-01,true\n"
    + "una@acme.example,Una Alone,rep,,East,NA,mid_market,,,2024-02-01,true\n"
)


@pytest.fixture
def app(db: Database, settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[SlackApp]:
    with acme_app(db, settings, clock, tmp_path, **{"people.csv": PEOPLE}) as running:
        yield running


def _ask(app: SlackApp, key: str, headers: dict[str, str] | None = None, **fields):
    body = {"rep": "ann@acme.example", "skill": "negotiation", "context": "Gave 20% off early."}
    body.update(fields)
    return call(f"{app.api_url}/coaching-requests", "POST", key, body, headers)


def _dms(app: SlackApp, user: str) -> list:
    channel = app.stub.dm_channel(user)
    return [c for c in app.stub.calls_to("chat.postMessage") if c.channel == channel]


def test_a_request_reaches_the_managers_dm_at_once(app: SlackApp, db: Database, clock) -> None:
    key = new_key(db, TEAM, clock.now(), name="Process coach")
    answer = _ask(
        app, key, context="Conceded on price in call 2.\n<!channel> should hear this", deal_id="D-1"
    )
    assert answer.status == 201, answer.body
    assert answer.body["status"] == "delivered"
    assert answer.body["manager"] == "mia@acme.example"
    (dm,) = _dms(app, "U0MIA")
    shown = text_of(dm)
    assert "Process coach" in shown and "negotiation" in shown.lower()
    assert "Conceded on price in call 2." in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown  # CRM text pings nobody
    assert "Globex" in shown  # the deal it is about
    assert _dms(app, "U0ANN") == []  # the rep is not told; it is the manager's call
    again = call(f"{app.api_url}/coaching-requests/{answer.body['id']}", key=key)
    assert again.status == 200 and again.body["status"] == "delivered"


def test_a_retried_request_is_filed_and_sent_once(app: SlackApp, db: Database, clock) -> None:
    key = new_key(db, TEAM, clock.now())
    first = _ask(app, key, headers={"Idempotency-Key": "req-1"})
    retry = _ask(app, key, headers={"Idempotency-Key": "req-1"})
    assert retry.status == 201 and retry.body == first.body
    assert retry.headers.get("idempotent-replayed") == "true"
    assert len(_dms(app, "U0MIA")) == 1


def test_it_waits_for_a_manager_not_on_slack_and_the_job_delivers_it(
    app: SlackApp, db: Database, clock
) -> None:
    key = new_key(db, TEAM, clock.now())
    answer = _ask(app, key, rep="ray@acme.example", skill="discovery")
    assert answer.status == 201
    assert (answer.body["status"], answer.body["reason"]) == ("pending", "manager_not_on_slack")
    client = WebClient(token="xoxb-t", base_url=app.stub.base_url, retry_handlers=retry_handlers())
    context = JobContext(app.settings, db, client, clock.now())
    assert "0 sent" in coaching_requests.run(context)  # still nobody to send to
    directory_sync.run(context)  # the nightly sync matches Bob by email
    assert "1 sent" in coaching_requests.run(context)
    assert "0 sent" in coaching_requests.run(context)  # and never twice
    suggestions = [dm for dm in _dms(app, "U0BOB") if "Coaching suggestion" in text_of(dm)]
    assert len(suggestions) == 1  # besides the directory's welcome
    assert "Ray Reed" in text_of(suggestions[0])
    state = call(f"{app.api_url}/coaching-requests/{answer.body['id']}", key=key).body
    assert (state["status"], state["reason"]) == ("delivered", None)


def test_a_rep_without_a_manager_is_undeliverable(app: SlackApp, db: Database, clock) -> None:
    answer = _ask(app, new_key(db, TEAM, clock.now()), rep="una@acme.example")
    assert (answer.body["status"], answer.body["reason"]) == ("undeliverable", "no_manager")


def test_bad_requests_are_refused_with_the_field(app: SlackApp, db: Database, clock) -> None:
    key = new_key(db, TEAM, clock.now())
    cases = [
        ({"rep": "nobody@acme.example"}, "rep"),
        ({"rep": "mia@acme.example"}, "rep"),  # a manager is not a rep
        ({"skill": "juggling"}, "skill"),
        ({"context": ""}, "context"),
        ({"deal_id": "D-3"}, "deal_id"),  # Bob's deal, not Ann's
        ({"colour": "blue"}, "colour"),
    ]
    for fields, field in cases:
        answer = _ask(app, key, **fields)
        assert answer.status == 422, fields
        assert [p["field"] for p in answer.body["error"]["problems"]] == [field], fields
    assert _dms(app, "U0MIA") == []


def test_a_read_key_cannot_file_and_another_workspace_cannot_look(
    app: SlackApp, db: Database, clock, tmp_path: Path
) -> None:
    reader = new_key(db, TEAM, clock.now(), scope="read")
    assert _ask(app, reader).status == 403
    filed = _ask(app, new_key(db, TEAM, clock.now())).body["id"]
    other = tmp_path / "other"
    other.mkdir()
    run(db, app.settings, clock, write(other, "people.csv", PEOPLE), team_id="T0OTHER")
    stranger = new_key(db, "T0OTHER", clock.now())
    assert call(f"{app.api_url}/coaching-requests/{filed}", key=stranger).status == 404


def test_a_workspace_this_process_cannot_reach_queues_it_for_the_job(
    app: SlackApp, db: Database, clock, tmp_path: Path
) -> None:
    """The bot token is another workspace's: the manager is on Slack, but the request waits
    for a worker that can send there, and says so."""
    other = tmp_path / "other"
    other.mkdir()
    run(db, app.settings, clock, write(other, "people.csv", PEOPLE), team_id="T0OTHER")
    answer = _ask(app, new_key(db, "T0OTHER", clock.now()))
    assert (answer.body["status"], answer.body["reason"]) == ("pending", "queued")
    assert _dms(app, "U0MIA") == []
