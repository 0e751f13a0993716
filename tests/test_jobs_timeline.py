"""Scheduled jobs on an injected clock: a week of hourly ticks in milliseconds. Each message
goes out once, on time in the recipient's own timezone; a restart, a duplicate trigger, a
worker that was down at 09:00, and a rate limit change nothing about that."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.slack.client import retry_handlers
from bot.store.models import Delivery
from jobs import digests, nudges
from jobs.context import JobContext
from jobs.registry import run_job
from tests.helpers import ORG, run, write
from tests.slack.stub import SlackStub

PEOPLE = (
    "email,name,role,manager_email,team,timezone,slack_user_id\n"
    "mia@acme.example,Mia Manager,manager,,East,America/New_York,U0MIA\n"
    "ann@acme.example,Ann Archer,rep,mia@acme.example,East,America/New_York,U0ANN\n"
    "bob@acme.example,Bob Baker,rep,mia@acme.example,East,America/Los_Angeles,U0BOB\n"
    "lou@acme.example,Lou London,rep,mia@acme.example,East,Europe/London,U0LOU\n"
    "pat@acme.example,Pat Paused,rep,mia@acme.example,East,America/New_York,U0PAT\n"
)
SUNDAY = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


@pytest.fixture
def world(db, settings, clock, tmp_path):
    files = dict(ORG, **{"people.csv": PEOPLE})
    files["deals.csv"] = (
        ORG["deals.csv"]
        .replace("bob@acme.example", "ann@acme.example")
        .replace("Bob Baker", "Ann Archer")
    )
    files["activities.csv"] = (
        ORG["activities.csv"]
        .replace("Bob Baker", "Ann Archer")
        .replace("bob@acme.example", "ann@acme.example")
    )
    files["feedback.csv"] = ORG["feedback.csv"].replace("bob@acme.example", "ann@acme.example")
    run(db, settings, clock, *(write(tmp_path, name, text) for name, text in files.items()))
    from bot.store.models import Person

    with db.begin() as session:
        session.scalar(
            select(Person).where(Person.email == "pat@acme.example")
        ).nudges_paused = True
    with SlackStub() as stub:
        client = WebClient(
            token="xoxb-test", base_url=stub.base_url, retry_handlers=retry_handlers()
        )
        yield db, settings, stub, client


def _tick(world, job, moment: datetime) -> str:
    db, settings, _stub, client = world
    return job.run(JobContext(settings, db, client, moment))


def _sent_at(stub, user: str) -> list[str]:
    channel = stub.dm_channel(user)
    return [
        c.body.get("text", "") for c in stub.calls_to("chat.postMessage") if c.channel == channel
    ]


def test_a_week_of_hourly_ticks_sends_each_nudge_once_at_local_monday_nine(world) -> None:
    _db, _settings, stub, _client = world
    first_seen: dict[str, datetime] = {}
    moment = SUNDAY
    while moment < SUNDAY + timedelta(days=7):
        before = {u: len(_sent_at(stub, u)) for u in ("U0ANN", "U0BOB", "U0LOU")}
        _tick(world, nudges, moment)
        for user, count in before.items():
            if len(_sent_at(stub, user)) > count:
                first_seen.setdefault(user, moment)
        moment += timedelta(hours=1)
    # Monday 09:00 local: London is UTC+0 in November, New York UTC-5, Los Angeles UTC-8.
    assert first_seen == {
        "U0LOU": datetime(2026, 11, 23, 9, tzinfo=UTC),
        "U0ANN": datetime(2026, 11, 23, 14, tzinfo=UTC),
        "U0BOB": datetime(2026, 11, 23, 17, tzinfo=UTC),
    }
    assert [len(_sent_at(stub, u)) for u in ("U0ANN", "U0BOB", "U0LOU")] == [1, 1, 1]
    assert _sent_at(stub, "U0PAT") == []  # paused
    assert _sent_at(stub, "U0MIA") == []  # managers get digests, not nudges


def test_a_duplicate_trigger_or_restart_sends_nothing_twice(world) -> None:
    _db, _settings, stub, _client = world
    monday = datetime(2026, 11, 23, 18, tzinfo=UTC)
    assert _tick(world, nudges, monday) == "nudges: 3 sent, 0 already sent, 0 failed"
    assert _tick(world, nudges, monday) == "nudges: 0 sent, 3 already sent, 0 failed"
    assert (
        _tick(world, nudges, monday + timedelta(hours=1))
        == "nudges: 0 sent, 3 already sent, 0 failed"
    )
    assert len(stub.calls_to("chat.postMessage")) == 3


def test_a_worker_down_at_nine_and_back_at_ten_still_sends_once(world) -> None:
    _db, _settings, stub, _client = world
    # The 14:00 UTC tick (09:00 in New York) never ran; the 15:00 one does.
    _tick(world, nudges, datetime(2026, 11, 23, 15, tzinfo=UTC))
    _tick(world, nudges, datetime(2026, 11, 23, 16, tzinfo=UTC))
    assert len(_sent_at(stub, "U0ANN")) == 1


def test_a_rate_limit_is_waited_out_and_delivered_once(world) -> None:
    _db, _settings, stub, _client = world
    stub.fail_next("chat.postMessage", status=429, retry_after=1)
    summary = _tick(world, nudges, datetime(2026, 11, 23, 18, tzinfo=UTC))
    assert summary == "nudges: 3 sent, 0 already sent, 0 failed"
    assert len([c for c in stub.calls_to("chat.postMessage") if c.ok]) == 3


def test_a_recipient_that_keeps_failing_is_recorded_and_everyone_else_gets_theirs(world) -> None:
    db, _settings, stub, _client = world
    stub.fail_next("chat.postMessage", status=500, times=3, channel="U0BOB")
    summary = _tick(world, nudges, datetime(2026, 11, 23, 18, tzinfo=UTC))
    assert summary == "nudges: 2 sent, 0 already sent, 1 failed"
    with db.begin() as session:
        failed = session.scalars(select(Delivery).where(Delivery.status == "failed")).all()
        assert len(failed) == 1 and failed[0].last_error.startswith("500")
    # The next tick tries the failed one again; the others stay single.
    assert (
        _tick(world, nudges, datetime(2026, 11, 23, 19, tzinfo=UTC))
        == "nudges: 1 sent, 2 already sent, 0 failed"
    )


def test_a_manager_who_paused_the_digest_until_a_day_gets_none_before_it(world) -> None:
    from datetime import date

    from bot.store.models import Person

    db, _settings, _stub, _client = world
    with db.begin() as session:
        mia = session.scalar(select(Person).where(Person.email == "mia@acme.example"))
        mia.nudges_snoozed_until = date(2026, 12, 4)  # away until the next Friday
    friday = datetime(2026, 11, 27, 21, tzinfo=UTC)
    assert _tick(world, digests, friday).startswith("digests: 0 sent")
    assert _tick(world, digests, friday + timedelta(days=7)).startswith("digests: 1 sent")
    with db.begin() as session:
        session.scalar(
            select(Person).where(Person.email == "mia@acme.example")
        ).nudges_paused = True
    assert _tick(world, digests, friday + timedelta(days=14)).startswith("digests: 0 sent")


def test_the_manager_digest_goes_out_friday_afternoon_local_once(world) -> None:
    _db, _settings, stub, _client = world
    thursday = datetime(2026, 11, 26, 23, tzinfo=UTC)
    assert _tick(world, digests, thursday).startswith("digests: 0 sent")
    assert _tick(world, digests, datetime(2026, 11, 27, 19, tzinfo=UTC)).startswith(
        "digests: 0 sent"
    )  # 14:00 NY
    assert _tick(world, digests, datetime(2026, 11, 27, 20, tzinfo=UTC)).startswith(
        "digests: 1 sent"
    )  # 15:00 NY
    assert _tick(world, digests, datetime(2026, 11, 27, 21, tzinfo=UTC)).startswith(
        "digests: 0 sent, 1 already"
    )
    [digest] = _sent_at(stub, "U0MIA")
    assert digest.startswith("Your weekly coaching digest: ")


def test_a_snoozed_rep_skips_one_monday(world) -> None:
    db, _settings, stub, _client = world
    from datetime import date

    from bot.store.models import Person

    with db.begin() as session:
        session.scalar(
            select(Person).where(Person.email == "ann@acme.example")
        ).nudges_snoozed_until = date(2026, 11, 27)
    _tick(world, nudges, datetime(2026, 11, 23, 18, tzinfo=UTC))
    assert _sent_at(stub, "U0ANN") == []
    _tick(world, nudges, datetime(2026, 11, 30, 18, tzinfo=UTC))
    assert len(_sent_at(stub, "U0ANN")) == 1


def test_a_hundred_days_of_jobs_send_exactly_what_is_due(world) -> None:
    """Nudges every Monday from 09:00 local, the digest every Friday from 15:00 local, and a
    plan's reviews on days 30, 60 and 90: counted, timed and addressed, over 100 days."""
    from bot.coaching.plans import BASE_CADENCE, Objective, PlanDraft
    from bot.config import Settings
    from bot.services import plans
    from bot.services.identity import viewer_for_person
    from bot.store.models import Person
    from jobs import reviews
    from tests.helpers import TEAM

    db, _settings, stub, _client = world
    start = SUNDAY
    with db.begin() as session:
        ann = session.scalar(select(Person.id).where(Person.email == "ann@acme.example"))
        mia = session.scalar(select(Person.id).where(Person.email == "mia@acme.example"))
    objective = Objective(
        "discovery",
        "conversion:discovery>qualification",
        "discovery → qualification conversion",
        "pct",
        True,
        0.3,
        20,
        0.6,
        0.45,
        start.date() + timedelta(days=90),
        ("practice",),
        "discovery meetings held per new deal",
    )
    draft = PlanDraft(ann, start.date(), (objective,), BASE_CADENCE, (), "test plan")
    plan_id = plans.create_plan(db, TEAM, draft, start)
    plans.approve(db, viewer_for_person(db, Settings(), TEAM, mia), plan_id, start.date(), start)

    sent: list[tuple[str, str, datetime]] = []  # (kind, channel, when)
    seen = 0
    moment = start
    while moment < start + timedelta(days=100):
        for job in (nudges, digests, reviews):
            _tick(world, job, moment)
        calls = stub.calls_to("chat.postMessage")
        for call in calls[seen:]:
            text = str(call.body.get("text", ""))
            kind = (
                "review" if "coaching review" in text else "digest" if "digest" in text else "nudge"
            )
            sent.append((kind, call.channel, moment))
        seen = len(calls)
        moment += timedelta(hours=1)

    def times(kind: str, user: str) -> list[datetime]:
        return [when for k, channel, when in sent if k == kind and channel == stub.dm_channel(user)]

    mondays = [start + timedelta(days=1 + 7 * week) for week in range(15)]  # Nov 23 ... Feb 22
    # Eastern time: UTC-5 all winter; London UTC+0; Los Angeles UTC-8.
    assert times("nudge", "U0ANN") == [m + timedelta(hours=14) for m in mondays]
    assert times("nudge", "U0LOU") == [m + timedelta(hours=9) for m in mondays]
    assert times("nudge", "U0BOB") == [m + timedelta(hours=17) for m in mondays]
    fridays = [start + timedelta(days=5 + 7 * week) for week in range(14)]  # Nov 27 ... Feb 26
    assert times("digest", "U0MIA") == [f + timedelta(hours=20) for f in fridays]
    due = [start + timedelta(days=d) for d in (30, 60, 90)]  # reviewed the first tick of the day
    assert times("review", "U0ANN") == due and times("review", "U0MIA") == due
    assert times("nudge", "U0PAT") == [] and len(sent) == 15 * 3 + 14 + 6


ROOT = Path(__file__).resolve().parents[1]
KILLED_AT = datetime(2026, 11, 23, 18, tzinfo=UTC)  # Monday: every rep's nudge is due


def test_a_worker_killed_mid_fan_out_resumes_without_a_duplicate_or_a_gap(world) -> None:
    """SIGKILL lands while Slack holds the first nudge without having answered (the crash
    window); the restarted job sends the rest, and the hour after finds the first one in
    the DM by its metadata instead of sending it again."""
    db, settings, _stub, _client = world
    slack_now = {"now": KILLED_AT}
    with SlackStub(clock=lambda: slack_now["now"]) as stub:
        stub.delay_next("chat.postMessage", 120)  # taken, then no answer before the kill
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_"))},
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": settings.database_url,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef",
            "SLACK_API_URL": stub.base_url,
            "COACHBOT_SEND_THREADS": "1",
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run-job", "nudges", "--as-of", "2026-11-23T18:00Z"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            stub.wait_for("chat.postMessage", timeout=60)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.communicate(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        first = stub.calls_to("chat.postMessage")[0].channel
        with db.begin() as session:
            [claimed] = session.scalars(select(Delivery)).all()
            assert claimed.status == "sending" and claimed.message_ts is None

        restarted = replace(
            settings,
            slack_bot_token="xoxb-test",
            slack_api_url=stub.base_url,
            send_threads=1,
        )
        # Restarted at once: the others go out; the claimed one is still within its lease.
        assert run_job("nudges", restarted, KILLED_AT + timedelta(minutes=1)).startswith(
            "nudges: 2 sent, 0 already sent, 0 failed, 1 being sent by another run"
        )
        # The next hourly run takes the dead claim over and finds the message in the DM.
        slack_now["now"] = KILLED_AT + timedelta(hours=1)
        assert (
            run_job("nudges", restarted, KILLED_AT + timedelta(hours=1))
            == "nudges: 0 sent, 3 already sent, 0 failed"
        )
        per_dm = {u: len(stub.messages(stub.dm_channel(u))) for u in ("U0ANN", "U0BOB", "U0LOU")}
        assert per_dm == {"U0ANN": 1, "U0BOB": 1, "U0LOU": 1}
        with db.begin() as session:
            rows = session.scalars(select(Delivery)).all()
            assert {r.status for r in rows} == {"sent"}
            recovered = next(r for r in rows if stub.dm_channel(r.recipient) == first)
            assert recovered.message_ts == stub.messages(first)[0]["ts"]


def test_one_bot_token_runs_jobs_for_its_own_workspace_only(world, tmp_path, clock, caplog) -> None:
    """Another workspace's data in the same database (imported there, or left from a trial)
    gets nothing from this token: its reps are not nudged, and nothing is marked sent."""
    db, settings, stub, _client = world
    folder = tmp_path / "beta"
    folder.mkdir()
    files = dict(ORG, **{"people.csv": PEOPLE.replace(",U0", ",U9")})  # the same org, elsewhere
    paths = [write(folder, name, text) for name, text in files.items()]
    run(db, settings, clock, *paths, team_id="T0BETA")
    token_mode = replace(
        settings, slack_bot_token="xoxb-test", slack_api_url=stub.base_url, send_threads=1
    )

    with caplog.at_level("WARNING", logger="coachbot.jobs"):
        summary = run_job("nudges", token_mode, KILLED_AT)

    assert summary.startswith("nudges: 3 sent, 0 already sent, 0 failed")
    nudged = {c.channel for c in stub.calls_to("chat.postMessage")}
    assert nudged == {stub.dm_channel(u) for u in ("U0ANN", "U0BOB", "U0LOU")}
    with db.begin() as session:
        from bot.store.models import Workspace

        beta = session.scalar(select(Workspace.id).where(Workspace.team_id == "T0BETA"))
        assert session.scalars(select(Delivery).where(Delivery.workspace_id == beta)).all() == []
    assert "jobs run for T0TEST only" in caplog.text and "people under T0BETA" in caplog.text
