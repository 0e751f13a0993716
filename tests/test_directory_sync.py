"""People matched to Slack up front: by email, from a roster without Slack ids, paced and
resumable; each rep and manager welcomed once; admins told who was not found."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.delivery.pacing import SendGate
from bot.services import directory
from bot.services.directory import DirectoryError
from bot.slack.client import retry_handlers
from bot.store.models import Person
from jobs import directory_sync, nudges
from jobs.context import JobContext
from tests.helpers import run, write
from tests.slack.stub import SlackStub
from tests.slackapp import text_of

# What a CRM roster export holds: no Slack ids, no timezones.
ROSTER = (
    "email,name,role,manager_email\n"
    "mia@acme.example,Mia Manager,manager,\n"
    "ann@acme.example,Ann Archer,rep,mia@acme.example\n"
    "bob@acme.example,Bob Baker,rep,mia@acme.example\n"
    "gone@acme.example,Gus Gone,rep,mia@acme.example\n"
    "typo@acme.exmaple,Tia Typo,rep,mia@acme.example\n"
    "ops@acme.example,Olu Ops,admin,\n"
)
SLACK_USERS = {
    "U0MIA": {"email": "mia@acme.example", "name": "Mia", "tz": "America/New_York"},
    "U0ANN": {"email": "Ann@Acme.example", "name": "Ann", "tz": "America/Chicago"},
    "U0BOB": {"email": "bob@acme.example", "name": "Bob", "tz": "Europe/Berlin"},
    "U0GUS": {"email": "gone@acme.example", "name": "Gus", "deleted": True},
    "U0OPS": {"email": "ops@acme.example", "name": "Olu"},
}
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # Sunday night: the daily job's hour


@pytest.fixture
def world(db, settings, clock, tmp_path):
    run(db, settings, clock, write(tmp_path, "people.csv", ROSTER))
    fast = replace(settings, slack_lookup_rate=1000)  # pacing itself is tested with a clock
    with SlackStub(users=SLACK_USERS) as stub:
        client = WebClient(token="xoxb-t", base_url=stub.base_url, retry_handlers=retry_handlers())
        yield db, fast, stub, client


def _sync(world, now: datetime = NOW) -> str:
    db, settings, _stub, client = world
    return directory_sync.run(JobContext(settings, db, client, now))


def _people(db) -> dict[str, Person]:
    with db.begin() as session:
        return {p.email: p for p in session.scalars(select(Person))}


def _dms(stub: SlackStub, user: str) -> list[str]:
    channel = stub.dm_channel(user)
    return [text_of(c) for c in stub.calls_to("chat.postMessage") if c.channel == channel and c.ok]


def test_a_roster_without_slack_ids_is_matched_welcomed_and_reported(world) -> None:
    db, _settings, stub, _client = world
    summary = _sync(world)

    people = _people(db)
    assert people["ann@acme.example"].slack_user_id == "U0ANN"  # Slack's email case ignored
    assert people["ann@acme.example"].timezone == "America/Chicago"  # the CRM gave none
    assert people["bob@acme.example"].timezone == "Europe/Berlin"
    assert people["gone@acme.example"].slack_deactivated is True
    assert people["typo@acme.exmaple"].slack_user_id is None
    assert "T0TEST: 6 looked up (lookup), 4 newly matched, 1 not found in Slack, 1 deactivated" in (
        summary
    )

    # One welcome each for the reps and the manager found; none for the deactivated one.
    for user in ("U0ANN", "U0BOB"):
        [welcome] = _dms(stub, user)
        assert "Welcome to coachbot" in welcome and "Mondays from 09:00" in welcome
        assert "never in a channel" in welcome and "/coach pause" in welcome
    [manager] = _dms(stub, "U0MIA")
    assert "Fridays from 15:00" in manager and "/coach team" in manager
    assert _dms(stub, "U0GUS") == []

    # The admin learns who is on Slack, who was not found (with the email), who is gone.
    [report] = _dms(stub, "U0OPS")
    assert "*4* of 6 people from the CRM are on Slack" in report
    assert "Tia Typo (typo@acme.exmaple)" in report
    assert "Deactivated in Slack (1)" in report and "Gus Gone" in report
    assert "coachbot people" not in report  # no CLI commands inside Slack


def test_a_second_run_sends_nothing_new_and_a_fixed_email_is_matched_then(world) -> None:
    db, _settings, stub, _client = world
    _sync(world)
    sent = len(stub.calls_to("chat.postMessage"))
    _sync(world, NOW + timedelta(days=1))
    assert len(stub.calls_to("chat.postMessage")) == sent  # no welcome twice, nothing changed

    stub.add_user("U0TIA", email="typo@acme.exmaple", name="Tia")  # fixed in Slack meanwhile
    _sync(world, NOW + timedelta(days=2))
    assert _people(db)["typo@acme.exmaple"].slack_user_id == "U0TIA"
    [welcome] = _dms(stub, "U0TIA")
    assert "Welcome to coachbot" in welcome
    assert "1* newly matched" in _dms(stub, "U0OPS")[-1]


def test_matched_people_reach_the_monday_nudge_without_typing_anything(world) -> None:
    db, settings, stub, client = world
    _sync(world)
    monday_ann = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 09:00 in Chicago
    nudges.run(JobContext(settings, db, client, monday_ann))
    assert any("Welcome to coachbot" in t for t in _dms(stub, "U0ANN"))
    assert len(_dms(stub, "U0ANN")) == 2  # the welcome, then the nudge
    assert _dms(stub, "U0GUS") == []  # deactivated in Slack: nothing


def test_lookups_are_paced_and_a_stopped_sync_resumes_where_it_left_off(world) -> None:
    db, _settings, stub, client = world
    waits: list[float] = []
    elapsed = [0.0]

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        elapsed[0] += seconds

    gate = SendGate(0.8, clock=lambda: elapsed[0], sleep=sleep)
    workspace_id = _people(db)["ann@acme.example"].workspace_id
    first = directory.sync(db, client, workspace_id, NOW, 0.8, max_calls=2, gate=gate)
    assert (first.checked, first.left) == (2, 4)
    second = directory.sync(db, client, workspace_id, NOW, 0.8, gate=gate)
    assert (second.checked, second.left) == (4, 0)
    looked_up = [c.body["email"] for c in stub.calls_to("users.lookupByEmail")]
    assert len(looked_up) == len(set(looked_up)) == 6  # nobody looked up twice
    assert waits == pytest.approx([1 / 0.8] * 5)  # 6 lookups, 1.25 s apart: 48 a minute
    # Matched people are checked again a week later (deactivations), the unmatched daily.
    later = directory.sync(db, client, workspace_id, NOW + timedelta(days=1), 1000)
    assert later.checked == 1  # only Tia, still missing
    week = directory.sync(db, client, workspace_id, NOW + timedelta(days=7), 1000)
    assert week.checked == 6


def test_a_large_roster_reads_the_member_list_in_pages_instead(db, settings, clock, tmp_path):
    rows = "".join(f"rep{i}@acme.example,Rep {i},rep,\n" for i in range(450))
    run(
        db, settings, clock, write(tmp_path, "people.csv", "email,name,role,manager_email\n" + rows)
    )
    users = {f"U{i:05d}": {"email": f"rep{i}@acme.example"} for i in range(440)}
    with SlackStub(users=users) as stub:
        client = WebClient(token="xoxb-t", base_url=stub.base_url)
        with db.begin() as session:
            workspace_id = session.scalar(select(Person.workspace_id))
        report = directory.sync(db, client, workspace_id, NOW, 0.8)
        assert report.method == "list"
        assert stub.calls_to("users.lookupByEmail") == []
        assert len(stub.calls_to("users.list")) == 3  # 441 members, 200 a page
        assert (len(report.matched), len(report.unmatched)) == (440, 10)


def test_a_missing_scope_stops_the_sync_with_the_fix(world) -> None:
    db, _settings, stub, client = world
    stub.fail_next(
        "users.lookupByEmail", status=200, times=2, body={"ok": False, "error": "missing_scope"}
    )
    workspace_id = _people(db)["ann@acme.example"].workspace_id
    with pytest.raises(DirectoryError, match=r"users:read\.email scope"):
        directory.sync(db, client, workspace_id, NOW, 1000)
    assert "users:read.email scope" in _sync(world)  # the job says so in its summary line


def test_without_slack_the_job_says_there_is_nobody_to_match(db, settings, tmp_path) -> None:
    from bot.delivery.preview import PreviewClient

    ctx = JobContext(settings, db, PreviewClient(tmp_path), NOW)
    assert directory_sync.run(ctx) == "directory: no Slack workspace configured, nobody to match"


def test_importing_with_a_bot_token_lands_in_its_workspace_and_matches_people(
    database_url, tmp_path
) -> None:
    """As an admin does it: a roster export, `coachbot import` with SLACK_BOT_TOKEN set and
    COACHBOT_WORKSPACE not, then `coachbot people unmatched`."""
    from tests.test_cli import coachbot

    roster = write(tmp_path, "people.csv", ROSTER)
    with SlackStub(users=SLACK_USERS, team_id="T0ACME") as stub:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-acme",
            "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99aa00ff85a5",
            "SLACK_API_URL": stub.base_url,
            "COACHBOT_SLACK_LOOKUP_RATE": "1000",
        }
        imported = coachbot("import", str(roster), database_url=database_url, cwd=tmp_path, **env)
        assert imported.returncode == 0, imported.stderr
        assert "workspace T0ACME (Coachbot Test), from the bot token" in imported.stderr
        assert "T0ACME: 6 looked up (lookup), 4 newly matched, 1 not found in Slack" in (
            imported.stdout
        )
        assert any("Welcome to coachbot" in t for t in _dms(stub, "U0ANN"))
        listed = coachbot(
            "people",
            "unmatched",
            database_url=database_url,
            cwd=tmp_path,
            **env,
            COACHBOT_WORKSPACE="T0ACME",
        )
        assert listed.returncode == 0, listed.stderr
        assert "Tia Typo <typo@acme.exmaple> (rep)" in listed.stdout
        unknown = coachbot("people", "unmatched", database_url=database_url, cwd=tmp_path)
        assert unknown.returncode == 1
        assert "no data for workspace 'local'" in unknown.stderr


def test_on_first_start_the_admins_get_the_setup_dm_once(db, settings) -> None:
    from bot.serve import greet_on_first_start

    with SlackStub(users=SLACK_USERS, team_id="T0ACME") as stub:
        configured = replace(
            settings,
            slack_bot_token="xoxb-acme",
            slack_api_url=stub.base_url,
            admins=frozenset({"U0OPS"}),
        )
        greet_on_first_start(configured, db)
        [setup] = _dms(stub, "U0OPS")
        assert "coachbot is installed" in setup and "no CRM data yet" in setup
        assert "drop the CSV exports into this DM" in setup
        greet_on_first_start(configured, db)  # a restart
        assert len(_dms(stub, "U0OPS")) == 1
