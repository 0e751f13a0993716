"""Outbound webhooks end to end: an admin adds an endpoint with the CLI (the secret printed
once), a manager approves a plan in Slack, the webhooks job posts the event to a real local
receiver, signed, once, whatever the job does twice; retries travel through time with the
injected now; one dead or slow endpoint holds up no other; workspaces and events stay apart;
the secret never reaches a log or a delivery's error."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.cli import main
from bot.config import Settings
from bot.delivery.webhooks import post, sign
from bot.ids import Actions
from bot.services import checkpoints, plans, webhooks
from bot.services.assessments import assessment_config, run_assessments
from bot.services.identity import viewer_for_person
from bot.services.webhook_sending import MAX_ATTEMPTS, RETRY_AFTER, forget_delivered
from bot.store.engine import Database
from bot.store.models import AssessmentSnapshot, Person, Webhook, WebhookDelivery, WebhookEvent
from bot.store.workspaces import workspace_id_for
from jobs import webhooks as webhooks_job
from jobs.context import JobContext
from jobs.registry import run_job
from tests.helpers import TEAM, draft_plan, person_id

KEY = Fernet.generate_key().decode()
START = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # the slack_app fixture's clock
DOCS = Path(__file__).resolve().parents[1] / "docs" / "webhooks.md"


# --- a receiver: a real HTTP endpoint on 127.0.0.1 -------------------------------------------


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next of `answers` (then 200), after `delay` seconds, and
    keeps every request whole."""

    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Any]:
    servers = []

    def start(answers: tuple[int, ...] = (), delay: float = 0.0) -> Receiver:
        state = Receiver(list(answers), delay)
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    state.requests.append(Received(dict(self.headers.items()), body))
                    status = state.answers.pop(0) if state.answers else 200
                time.sleep(state.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        state.url = f"http://127.0.0.1:{server.server_port}/hooks/coachbot"
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """A URL nothing listens on: connection refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone"


# --- the CLI, in this process ----------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path, capsys) -> Any:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("DATABASE_URL", database_url)

    def coachbot(*args: str, keys: str | None = KEY) -> tuple[int, str, str]:
        if keys:
            monkeypatch.setenv("COACHBOT_TOKEN_KEYS", keys)
        else:
            monkeypatch.delenv("COACHBOT_TOKEN_KEYS", raising=False)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return coachbot


def add(cli: Any, url: str, events: str = "*", team: str = TEAM) -> tuple[int, str]:
    """Add a webhook as an admin does: (its id, the secret printed on stdout)."""
    code, out, err = cli("webhook", "add", url, "--events", events, "--workspace", team)
    assert code == 0, err
    [secret] = out.splitlines()
    webhook_id = int(re.search(r"webhook (\d+)", err).group(1))
    return webhook_id, secret


@pytest.fixture
def keyed(settings: Settings) -> Settings:
    return replace(settings, token_keys=(KEY,))


def job(settings: Settings, db: Database, now: datetime) -> str:
    return webhooks_job.run(JobContext(settings, db, None, now))


def verify(secret: str, request: Received) -> bool:
    """The receiver's check, as docs/webhooks.md writes it (its snippet, run here)."""
    snippet = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S).group(1)
    scope: dict[str, Any] = {}
    exec(snippet, scope)
    now = float(request.headers["Coachbot-Timestamp"])
    return scope["verify"](secret, request.headers, request.body, now=now)


# --- plans, as Slack approves them -----------------------------------------------------------


def person(db: Database, email: str) -> int:
    return person_id(db, email)


def draft(db: Database, email: str = "ann@acme.example") -> int:
    return draft_plan(db, email, START, NOW)


def approve_in_slack(slack_app: Any, plan_id: int, clicks: int = 1) -> None:
    assert slack_app.click(Actions.APPROVE_PLAN, "U0MIA", value=str(plan_id)) == 200
    slack_app.dms_to("U0MIA", clicks)  # the listener has answered: its work is committed


def deliveries(db: Database) -> list[WebhookDelivery]:
    with db.begin() as session:
        rows = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        session.expunge_all()
        return list(rows)


def emit(db: Database, event: str, data: dict[str, Any], now: datetime = NOW) -> str | None:
    """An event as a service emits it, in its own transaction."""
    with db.begin() as session:
        workspace_id = workspace_id_for(session, TEAM, now)
        return webhooks.emit(session, workspace_id, event, data, now)


# --- the tests -------------------------------------------------------------------------------


def test_add_prints_the_secret_once_and_keeps_it_encrypted(slack_app, db, cli, receiver) -> None:
    endpoint = receiver()
    webhook_id, secret = add(cli, endpoint.url, "plan.approved,checkpoint.decided")
    assert secret.startswith("whsec_") and len(secret) > 40
    with db.begin() as session:
        hook = session.get(Webhook, webhook_id)
        assert hook.events == ["plan.approved", "checkpoint.decided"]
        assert secret not in hook.secret_cipher
        assert Fernet(KEY.encode()).decrypt(hook.secret_cipher.encode()).decode() == secret

    code, out, _err = cli("webhook", "list", "--workspace", TEAM)
    assert code == 0 and secret not in out
    assert f"plan.approved,checkpoint.decided {endpoint.url}" in out
    assert "active" in out


def test_add_without_token_keys_says_to_run_keygen(slack_app, db, cli) -> None:
    code, out, err = cli(
        "webhook", "add", "https://crm.example.com/h", "--events", "*", "--workspace", TEAM, keys=""
    )
    assert (code, out) == (1, "")
    assert "COACHBOT_TOKEN_KEYS" in err and "`coachbot keygen`" in err
    with db.begin() as session:
        assert session.scalars(select(Webhook)).all() == []


@pytest.mark.parametrize(
    ("url", "events", "said"),
    [
        ("ftp://crm.example.com/h", "*", "is not a URL coachbot can post to"),
        ("https://", "*", "is not a URL coachbot can post to"),
        ("crm.example.com/hooks", "*", "is not a URL coachbot can post to"),
        ("https://crm.example.com:99999/h", "*", "is not a URL coachbot can post to"),
        ("https://me:pw@crm.example.com/h", "*", "no user name or password"),
        ("https://crm.example.com/h", "plan.aproved", "no such event plan.aproved"),
        ("https://crm.example.com/h", " , ", "name the events to send"),
    ],
)
def test_add_refuses_what_cannot_be_sent(slack_app, db, cli, url, events, said) -> None:
    code, out, err = cli("webhook", "add", url, "--events", events, "--workspace", TEAM)
    assert (code, out) == (1, "")
    assert said in err
    with db.begin() as session:
        assert session.scalars(select(Webhook)).all() == []


def test_a_plan_approved_in_slack_arrives_signed_and_once(
    slack_app, db, keyed, cli, receiver
) -> None:
    endpoint = receiver()
    _, secret = add(cli, endpoint.url, "plan.approved")
    plan_id = draft(db)
    approve_in_slack(slack_app, plan_id)
    approve_in_slack(slack_app, plan_id, clicks=2)  # "Already done": no second event

    assert run_job("webhooks", keyed, NOW) == "webhooks: 1 delivered; 0 retrying; 0 failed"
    assert job(keyed, db, NOW + timedelta(minutes=1)).startswith("webhooks: 0 delivered")

    [request] = endpoint.requests
    assert verify(secret, request)
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "coachbot-webhooks/1"
    assert headers["Coachbot-Event-Type"] == "plan.approved"
    timestamp = headers["Coachbot-Timestamp"]
    expected = hmac.new(
        secret.encode(), f"v1:{timestamp}:".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert headers["Coachbot-Signature"] == f"v1={expected}"
    event = request.event
    assert headers["Coachbot-Event-Id"] == event["id"] and event["id"].startswith("evt_")
    assert (event["type"], event["workspace"]) == ("plan.approved", TEAM)
    assert event["created_at"] == "2026-11-20T09:00:00Z"
    plan = event["data"]["plan"]
    assert (plan["id"], plan["status"], plan["started_on"]) == (plan_id, "active", "2026-11-20")
    assert plan["rep"] == {"email": "ann@acme.example", "name": "Ann Archer"}
    assert plan["approved_by"] == {"email": "mia@acme.example", "name": "Mia Manager"}
    assert [o["target"] for o in plan["objectives"]] == [0.52]
    assert [c["due_on"] for c in plan["checkpoints"]] == ["2026-12-20", "2027-01-19", "2027-02-18"]
    [delivery] = deliveries(db)
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)


def test_two_job_runs_racing_send_each_delivery_once(db, keyed, cli, receiver) -> None:
    slow = receiver(delay=0.05)  # both runs are still at work while the other claims
    other = receiver()
    workspace_with_webhooks(db)
    add(cli, slow.url)
    add(cli, other.url)
    ids = {emit(db, "plan.approved", {"n": n}) for n in range(6)}

    with ThreadPoolExecutor(4) as pool:
        summaries = list(pool.map(lambda _: job(keyed, db, NOW), range(4)))

    for endpoint in (slow, other):
        assert sorted(r.event["id"] for r in endpoint.requests) == sorted(ids)
    assert all(d.status == "delivered" and d.attempts == 1 for d in deliveries(db))
    delivered = sum(int(re.search(r"(\d+) delivered", s).group(1)) for s in summaries)
    assert delivered == 12


def test_a_failing_endpoint_gets_the_event_on_the_third_attempt_after_back_off(
    db, keyed, cli, receiver
) -> None:
    endpoint = receiver(answers=(500, 500))
    workspace_with_webhooks(db)
    _, secret = add(cli, endpoint.url, "checkpoint.decided")
    emit(db, "checkpoint.decided", {"checkpoint": {"id": 1}})

    assert job(keyed, db, NOW) == "webhooks: 0 delivered; 1 retrying; 0 failed"
    [delivery] = deliveries(db)
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500 Internal Server Error"
    assert delivery.next_attempt_at == NOW + RETRY_AFTER[0]

    job(keyed, db, NOW + timedelta(seconds=59))  # not yet due
    assert len(endpoint.requests) == 1
    job(keyed, db, NOW + timedelta(minutes=1))
    assert len(endpoint.requests) == 2
    job(keyed, db, NOW + timedelta(minutes=5))  # the second wait is 5 minutes from the retry
    assert len(endpoint.requests) == 2
    later = NOW + timedelta(minutes=6)
    assert job(keyed, db, later) == "webhooks: 1 delivered; 0 retrying; 0 failed"

    assert len({r.event["id"] for r in endpoint.requests}) == 1  # the same event each time
    assert len({r.headers["Coachbot-Timestamp"] for r in endpoint.requests}) >= 2  # signed anew
    assert all(verify(secret, r) for r in endpoint.requests)
    [delivery] = deliveries(db)
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)
    assert delivery.last_error is None and delivery.delivered_at >= later


def test_a_delivery_fails_after_the_last_attempt_and_at_once_on_410(
    db, keyed, cli, receiver
) -> None:
    broken = receiver(answers=(503,) * MAX_ATTEMPTS)
    gone = receiver(answers=(410,))
    workspace_with_webhooks(db)
    add(cli, broken.url)
    add(cli, gone.url)
    emit(db, "plan.approved", {})

    moment = NOW
    job(keyed, db, moment)
    for wait in RETRY_AFTER:
        moment += wait
        job(keyed, db, moment)
    job(keyed, db, moment + timedelta(days=7))

    assert len(broken.requests) == MAX_ATTEMPTS == 8
    assert len(gone.requests) == 1
    to_broken, to_gone = deliveries(db)
    assert (to_broken.status, to_broken.attempts, to_broken.last_status) == ("failed", 8, 503)
    assert (to_gone.status, to_gone.attempts, to_gone.last_status) == ("failed", 1, 410)
    code, out, _ = cli("webhook", "list", "--workspace", TEAM)
    assert code == 0 and re.search(r"active .* 0 +1 ", out)


def test_a_dead_endpoint_does_not_stop_a_healthy_one(db, keyed, cli, receiver) -> None:
    healthy = receiver()
    workspace_with_webhooks(db)
    add(cli, closed_port_url())
    add(cli, healthy.url)
    emit(db, "plan.approved", {"first": True})
    emit(db, "plan.approved", {"second": True})

    assert job(keyed, db, NOW) == "webhooks: 2 delivered; 1 retrying; 0 failed"
    assert [r.event["data"] for r in healthy.requests] == [{"first": True}, {"second": True}]
    dead = [d for d in deliveries(db) if d.status == "pending"]
    # One failing request per run to a dead endpoint: the second event waits, unattempted.
    assert [(d.attempts, d.last_status) for d in dead] == [(1, None), (0, None)]
    assert dead[0].last_error.startswith("could not connect")


def test_a_slow_endpoint_times_out_without_holding_up_the_others(db, keyed, cli, receiver) -> None:
    slow = receiver(delay=3.0)
    healthy = receiver()
    workspace_with_webhooks(db)
    add(cli, slow.url)
    add(cli, healthy.url)
    emit(db, "plan.approved", {})

    started = time.monotonic()
    send = partial(post, timeout=0.5)
    outcomes = webhooks.deliver_due(db, webhooks.webhook_cipher((KEY,)), NOW, send)
    assert time.monotonic() - started < 2.5
    assert (outcomes["delivered"], outcomes["retrying"]) == (1, 1)
    assert len(healthy.requests) == 1
    to_slow = next(d for d in deliveries(db) if d.status == "pending")
    assert to_slow.last_error == "no answer within 0.5 s"


def test_events_go_only_to_their_subscribers_of_their_workspace(
    slack_app, db, keyed, cli, receiver
) -> None:
    reviews_only = receiver()
    elsewhere = receiver()
    with db.begin() as session:
        workspace_id_for(session, "T0OTHER", NOW)
    add(cli, reviews_only.url, "checkpoint.decided")
    add(cli, elsewhere.url, "*", team="T0OTHER")

    approve_in_slack(slack_app, draft(db))
    job(keyed, db, NOW)
    assert reviews_only.requests == [] and elsewhere.requests == []
    with db.begin() as session:
        assert session.scalars(select(WebhookEvent)).all() == []  # nobody wanted it: not kept

    code, _out, err = cli("webhook", "remove", "1", "--workspace", "T0OTHER")
    assert code == 1 and "no webhook 1 in workspace 'T0OTHER'" in err  # not another's


def test_a_checkpoint_decision_is_sent_with_the_managers_choice(
    slack_app, db, keyed, cli, receiver
) -> None:
    endpoint = receiver()
    add(cli, endpoint.url, "checkpoint.decided")
    mia = viewer_for_person(db, Settings(), TEAM, person(db, "mia@acme.example"))
    plan_id = draft(db)
    plans.approve(db, mia, plan_id, START, NOW)
    [checkpoint_id] = checkpoints.due_checkpoints(db, TEAM, START + timedelta(days=30))
    review = checkpoints.run_checkpoint(db, TEAM, checkpoint_id, NOW, keyed.stages)
    job(keyed, db, NOW)
    assert endpoint.requests == []  # coachbot's proposal is not a decision

    checkpoints.confirm(db, mia, checkpoint_id, "graduate", NOW)
    job(keyed, db, NOW)
    [request] = endpoint.requests
    data = request.event["data"]
    assert data["checkpoint"]["decision"] == "graduate"
    assert data["checkpoint"]["proposed"] == str(review.decision)
    assert data["checkpoint"]["day"] == 30
    assert data["checkpoint"]["decided_by"]["email"] == "mia@acme.example"
    assert data["plan"] == {
        "id": plan_id,
        "status": "graduated",
        "rep": {"email": "ann@acme.example", "name": "Ann Archer"},
    }


def test_an_assessment_run_sends_only_the_reps_that_changed(
    slack_app, db, keyed, cli, receiver
) -> None:
    endpoint = receiver()
    add(cli, endpoint.url, "assessment.updated")
    config = assessment_config(keyed)
    as_of = date(2026, 4, 30)

    run_assessments(db, TEAM, as_of, NOW, config)
    run_assessments(db, TEAM, as_of, NOW, config)  # the same data again: nothing changed
    with db.begin() as session:
        snapshot = session.scalar(
            select(AssessmentSnapshot)
            .join(Person, Person.id == AssessmentSnapshot.person_id)
            .where(Person.email == "bob@acme.example")
        )
        snapshot.top_gap = "prospecting"  # as if Bob's top gap had been another yesterday
        snapshot.as_of = as_of - timedelta(days=1)
    run_assessments(db, TEAM, as_of, NOW, config)
    job(keyed, db, NOW)

    first, second = (r.event["data"] for r in endpoint.requests)
    assert first["as_of"] == "2026-04-30"
    assert {r["email"] for r in first["reps"]} >= {"ann@acme.example", "bob@acme.example"}
    assert all(r["changed"] == ["status", "top_gap", "win_rate"] for r in first["reps"])
    [bob] = second["reps"]
    assert bob["email"] == "bob@acme.example" and bob["changed"] == ["top_gap"]
    assert set(bob) == {
        "email",
        "name",
        "status",
        "top_gap",
        "win_rate",
        "revenue_at_stake",
        "changed",
    }


def test_the_secret_never_reaches_a_log_or_an_error(db, keyed, cli, receiver, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    failing = receiver(answers=(500,))
    workspace_with_webhooks(db)
    _, secret_one = add(cli, failing.url)
    _, secret_two = add(cli, closed_port_url())
    emit(db, "plan.approved", {})
    job(keyed, db, NOW)
    job(keyed, db, NOW + timedelta(minutes=1))
    cli("webhook", "test", "2", "--workspace", TEAM)
    _code, listing, _err = cli("webhook", "list", "--workspace", TEAM)

    kept = " ".join(d.last_error or "" for d in deliveries(db))
    for secret in (secret_one, secret_two):
        assert secret not in caplog.text
        assert secret not in kept
        assert secret not in listing
        assert secret.encode() not in failing.requests[0].body
        assert all(secret not in value for value in failing.requests[0].headers.values())


def test_webhook_test_sends_one_signed_test_event_and_says_how_it_went(db, cli, receiver) -> None:
    endpoint = receiver(answers=(200, 400))
    workspace_with_webhooks(db)
    webhook_id, secret = add(cli, endpoint.url, "plan.approved")

    code, out, _ = cli("webhook", "test", str(webhook_id), "--workspace", TEAM)
    assert code == 0 and "delivered, the endpoint answered 200" in out
    [request] = endpoint.requests
    assert request.event["type"] == "webhook.test" and verify(secret, request)
    assert request.event["data"] == {"webhook_id": webhook_id}

    code, _, err = cli("webhook", "test", str(webhook_id), "--workspace", TEAM)
    assert code == 1 and "not delivered (HTTP 400 Bad Request); it is not retried" in err
    assert [d.status for d in deliveries(db)] == ["delivered", "failed"]


def test_removing_a_webhook_cancels_what_waits_and_sends_nothing_more(
    db, keyed, cli, receiver
) -> None:
    endpoint = receiver(answers=(500,))
    workspace_with_webhooks(db)
    webhook_id, _ = add(cli, endpoint.url)
    emit(db, "plan.approved", {})
    job(keyed, db, NOW)

    code, out, _ = cli("webhook", "remove", str(webhook_id), "--workspace", TEAM)
    assert code == 0 and "1 waiting delivery cancelled" in out
    assert emit(db, "plan.approved", {}) is None
    job(keyed, db, NOW + timedelta(hours=1))
    assert len(endpoint.requests) == 1
    [delivery] = deliveries(db)
    assert (delivery.status, delivery.last_error) == (
        "failed",
        "the webhook was removed before this was delivered",
    )
    code, _, err = cli("webhook", "test", str(webhook_id), "--workspace", TEAM)
    assert code == 1 and "was removed" in err


def test_without_token_keys_the_job_sends_nothing_and_says_so(db, settings, cli, receiver) -> None:
    endpoint = receiver()
    workspace_with_webhooks(db)
    add(cli, endpoint.url)
    emit(db, "plan.approved", {})
    summary = job(settings, db, NOW)
    assert "1 deliveries wait for COACHBOT_TOKEN_KEYS" in summary
    assert endpoint.requests == [] and deliveries(db)[0].attempts == 0


def test_old_finished_events_are_forgotten(db, keyed, cli, receiver) -> None:
    endpoint = receiver(answers=(500,))
    workspace_with_webhooks(db)
    add(cli, endpoint.url)
    emit(db, "plan.approved", {"old": 1})
    emit(db, "plan.approved", {"old": 2})
    job(keyed, db, NOW)  # the first is retrying, the second waits behind it
    job(keyed, db, NOW + timedelta(minutes=1))  # both delivered
    emit(db, "plan.approved", {"recent": 1}, NOW + timedelta(days=29))
    assert forget_delivered(db, NOW + timedelta(days=31)) == 2
    with db.begin() as session:
        assert [e.payload["data"] for e in session.scalars(select(WebhookEvent))] == [{"recent": 1}]


def test_sign_is_hmac_sha256_over_version_timestamp_and_body() -> None:
    assert sign("whsec_x", 1700000000, b'{"a":1}') == (
        hmac.new(b"whsec_x", b'v1:1700000000:{"a":1}', hashlib.sha256).hexdigest()
    )


def test_the_documented_check_refuses_replays_and_changes() -> None:
    body = b'{"id":"evt_1"}'
    headers = {"Coachbot-Timestamp": "1700000000", "Coachbot-Signature": ""}
    headers["Coachbot-Signature"] = "v1=" + sign("whsec_s", 1700000000, body)
    request = Received(headers, body)
    assert verify("whsec_s", request)
    snippet = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S).group(1)
    scope: dict[str, Any] = {}
    exec(snippet, scope)
    check = scope["verify"]
    assert check("whsec_s", headers, body, now=1700000000 + 299)
    assert not check("whsec_s", headers, body, now=1700000000 + 301)  # a replay
    assert not check("whsec_s", headers, body + b" ", now=1700000000)  # a changed body
    assert not check("whsec_other", headers, body, now=1700000000)  # another secret


def workspace_with_webhooks(db: Database) -> None:
    """The workspace the CLI adds webhooks to, for tests that need no CRM data."""
    with db.begin() as session:
        workspace_id_for(session, TEAM, NOW)


def test_a_coaching_request_filed_over_the_api_is_announced_signed(
    slack_app, db, keyed, cli, receiver
) -> None:
    """The whole loop a process coach sees: a request through the API, the manager's DM, and
    the signed event on the coach's own endpoint."""
    from tests.api import call, new_key

    endpoint = receiver()
    _, secret = add(cli, endpoint.url, "coaching_request.received")
    filed = call(
        f"{slack_app.api_url}/coaching-requests",
        "POST",
        new_key(db, TEAM, NOW, name="Process coach"),
        {"rep": "bob@acme.example", "skill": "discovery", "context": "No pain found."},
    )
    assert filed.status == 201 and filed.body["status"] == "delivered"
    assert job(keyed, db, NOW).startswith("webhooks: 1 delivered")
    [request] = endpoint.requests
    assert verify(secret, request)
    data = request.event["data"]
    assert (data["id"], data["skill"], data["source"]) == (
        filed.body["id"],
        "discovery",
        "Process coach",
    )
    assert data["rep"] == {"email": "bob@acme.example", "name": "Bob Baker"}
