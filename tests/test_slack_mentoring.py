"""Mentor invitations through signed Slack actions: accept opens a group DM with an agenda and
a schedule; decline and expiry pass the mentee to the next best mentor; only the invited
mentor may answer. On the demo org, where strengths and gaps are real."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.coaching.assessment import AssessmentConfig
from bot.demo.generate import DEMO_AS_OF
from bot.demo.run import DEMO_FILES
from bot.ids import Actions
from bot.services import pairing, pairing_messages
from bot.store.models import Delivery, Pairing
from tests.helpers import TEAM, run
from tests.slackapp import at_once, running_app, text_of

EXAMPLES = Path(__file__).parents[1] / "examples"
NOW = datetime.combine(DEMO_AS_OF, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)


def _users() -> dict[str, dict]:
    with (EXAMPLES / "people.csv").open(encoding="utf-8") as handle:
        return {
            row["slack_user_id"]: {"email": row["email"], "name": row["name"]}
            for row in csv.DictReader(handle)
        }


# The demo has one credible mentor per weak skill (Diego Alvarez for Marcus Greene's
# stakeholder engagement). A second candidate, for "the next best mentor": Andre Thompson's
# last quarter of won deals, each with six contacts engaged.
SECOND_MENTOR = "andre.thompson@northwind.example"


def _second_mentor_deals(folder: Path) -> Path:
    header = (
        "external_id,owner,account,industry,segment,product,amount,currency,created_on,"
        "closed_on,furthest_stage,outcome,loss_reason,competitor,contacts_engaged,discount_pct,"
        "recording_url"
    )
    rows = [
        f"X-{n:03d},{SECOND_MENTOR},Account {n},retail,mid_market,Revenue Insights,60000,USD,"
        f"{DEMO_AS_OF - timedelta(days=40 + n)},{DEMO_AS_OF - timedelta(days=1 + n)},"
        "negotiation,won,,,6,5,"
        for n in range(40)
    ]
    path = folder / "second_mentor_deals.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def demo_app(db, settings, clock, tmp_path):
    clock.set(NOW)
    run(db, settings, clock, *(EXAMPLES / f for f in DEMO_FILES))
    run(db, settings, clock, _second_mentor_deals(tmp_path))
    with running_app(settings, db, clock, _users()) as app:
        yield app


def _invite_all(app, db) -> list[dict]:
    result = pairing.run_round(db, TEAM, DEMO_AS_OF, NOW, AssessmentConfig())
    client = WebClient(token="xoxb-test-token", base_url=app.stub.base_url)
    for pairing_id in result.invited:
        assert pairing_messages.invite(client, db, pairing_id)
    return [pairing.pairing_details(db, p) for p in result.invited]


def _slack_id(db, person_id: int) -> str:
    from bot.store.models import Person

    with db.begin() as session:
        return session.get(Person, person_id).slack_user_id


def test_the_invitation_says_why_them_and_nothing_of_the_mentees_numbers(demo_app, db) -> None:
    invited = _invite_all(demo_app, db)
    first = invited[0]
    mentor = _slack_id(db, first["mentor_id"])
    dm = next(c for c in demo_app.dms_to(mentor) if first["mentee_name"] in text_of(c))
    text = text_of(dm)
    assert f"{first['mentee_name']}* wants to get better at" in text
    assert "Why you:" in text and "for your peers" in text
    buttons = [
        e["action_id"]
        for b in dm.json_field("blocks")
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == [Actions.ACCEPT_MENTORING, Actions.DECLINE_MENTORING]
    assert "win rate" not in text.lower()  # the mentee's own performance is not disclosed


def test_accept_opens_a_group_dm_with_agenda_and_schedule(demo_app, db) -> None:
    first = _invite_all(demo_app, db)[0]
    mentor = _slack_id(db, first["mentor_id"])
    mentee = _slack_id(db, first["mentee_id"])
    assert demo_app.click(Actions.ACCEPT_MENTORING, mentor, value=str(first["id"])) == 200
    group = demo_app.stub.dm_channel(mentor, mentee)
    [intro] = demo_app.stub.wait_for("chat.postMessage", where=lambda c: c.channel == group)
    text = text_of(intro)
    assert "Agenda for the first session" in text and "Schedule:" in text
    assert "every other week" in text
    assert f"<@{mentor}> has agreed to mentor <@{mentee}>" in text  # both are notified
    with db.begin() as session:
        row = session.get(Pairing, first["id"])
        assert (row.status, row.channel) == ("accepted", group)

    # The playbook is shown in Slack, from the intro's button, in the clicker's own DM.
    [button] = [
        e
        for b in intro.json_field("blocks")
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == Actions.SHOW_PLAYBOOK
    ]
    assert demo_app.click(Actions.SHOW_PLAYBOOK, mentee, value=button["value"]) == 200
    shown = next(c for c in demo_app.dms_to(mentee) if "Playbook:" in text_of(c))
    assert "*Exercise:*" in text_of(shown) and "`coachbot" not in text_of(shown)


def test_decline_invites_the_next_best_mentor(demo_app, db) -> None:
    invited = _invite_all(demo_app, db)
    first = invited[0]
    mentor = _slack_id(db, first["mentor_id"])
    before = len(demo_app.stub.calls_to("chat.postMessage"))
    demo_app.click(Actions.DECLINE_MENTORING, mentor, value=str(first["id"]))
    demo_app.stub.wait_for("chat.postMessage", before + 2)
    with db.begin() as session:
        rows = session.scalars(
            select(Pairing).where(Pairing.mentee_id == first["mentee_id"]).order_by(Pairing.id)
        ).all()
    assert rows[0].status == "declined"
    assert (
        len(rows) == 2 and rows[1].status == "invited" and rows[1].mentor_id != first["mentor_id"]
    )


def test_only_the_invited_mentor_can_answer(demo_app, db) -> None:
    first = _invite_all(demo_app, db)[0]
    mentee = _slack_id(db, first["mentee_id"])
    demo_app.click(Actions.ACCEPT_MENTORING, mentee, value=str(first["id"]))
    replies = demo_app.stub.wait_for(
        "chat.postMessage", where=lambda c: "Only the invited mentor can answer" in text_of(c)
    )
    assert replies[0].channel == demo_app.stub.dm_channel(mentee)
    with db.begin() as session:
        assert session.get(Pairing, first["id"]).status == "invited"


def test_an_unanswered_invitation_expires_and_the_next_best_is_asked(demo_app, db) -> None:
    first = _invite_all(demo_app, db)[0]
    later = DEMO_AS_OF + timedelta(days=pairing.EXPIRY_DAYS + 1)
    expired = pairing.expire(db, TEAM, later, NOW + timedelta(days=6))
    assert first["mentee_id"] in expired
    again = pairing.run_round(
        db, TEAM, later, NOW + timedelta(days=6), AssessmentConfig(), only_mentees=set(expired)
    )
    details = [pairing.pairing_details(db, p) for p in again.invited]
    retry = next(d for d in details if d["mentee_id"] == first["mentee_id"])
    assert retry["mentor_id"] != first["mentor_id"]


def test_reminders_go_to_the_group_dm_the_day_before_each_session_once(demo_app, db) -> None:
    from bot.config import Settings
    from jobs import mentoring_reminders
    from jobs.context import JobContext

    first = _invite_all(demo_app, db)[0]
    demo_app.click(
        Actions.ACCEPT_MENTORING, _slack_id(db, first["mentor_id"]), value=str(first["id"])
    )
    group = demo_app.stub.dm_channel(
        _slack_id(db, first["mentor_id"]), _slack_id(db, first["mentee_id"])
    )
    demo_app.stub.wait_for("chat.postMessage", where=lambda c: c.channel == group)
    client = WebClient(token="xoxb-test-token", base_url=demo_app.stub.base_url)
    sessions = pairing.schedule(NOW.date())
    seen = []
    for day in range(45):
        moment = NOW + timedelta(days=day)
        summary = mentoring_reminders.run(JobContext(Settings(), db, client, moment))
        summary_again = mentoring_reminders.run(JobContext(Settings(), db, client, moment))
        assert "1 sent" not in summary_again
        if "1 sent" in summary:
            seen.append((moment + timedelta(days=1)).date())
    assert seen == sessions
    reminders = [
        c
        for c in demo_app.stub.calls_to("chat.postMessage")
        if "Reminder: mentoring session" in str(c.body.get("text"))
    ]
    assert len(reminders) == 3 and all(c.channel == group for c in reminders)


def test_three_accepts_at_once_introduce_once(demo_app, db) -> None:
    first = _invite_all(demo_app, db)[0]
    mentor = _slack_id(db, first["mentor_id"])
    mentee = _slack_id(db, first["mentee_id"])
    click = lambda: demo_app.click(Actions.ACCEPT_MENTORING, mentor, value=str(first["id"]))  # noqa: E731
    assert at_once(click, click, click) == [200, 200, 200]
    group = demo_app.stub.dm_channel(mentor, mentee)
    demo_app.stub.wait_for("chat.postMessage", where=lambda c: c.channel == group)
    mentor_dm = demo_app.stub.dm_channel(mentor)
    invitations = len(_invite_dms(demo_app, mentor))
    answers = demo_app.stub.wait_for(
        "chat.postMessage", invitations + 3, where=lambda c: c.channel == mentor_dm
    )[invitations:]
    demo_app.stub.none_within(
        "chat.postMessage", 0.5, where=lambda c: c.channel == group, already=1
    )
    texts = [text_of(c) for c in answers]
    assert sum("Thank you! I've introduced you" in t for t in texts) == 1
    assert sum("Already done: this invitation was accepted on" in t for t in texts) == 2
    assert _delivered(db, "mentor-intro") == [(str(first["id"]), "sent")]


def test_accept_and_decline_at_once_leave_one_answer(demo_app, db) -> None:
    first = _invite_all(demo_app, db)[0]
    mentor = _slack_id(db, first["mentor_id"])
    mentee = _slack_id(db, first["mentee_id"])
    value = str(first["id"])
    at_once(
        lambda: demo_app.click(Actions.ACCEPT_MENTORING, mentor, value=value),
        lambda: demo_app.click(Actions.DECLINE_MENTORING, mentor, value=value),
    )
    mentor_dm = demo_app.stub.dm_channel(mentor)
    invitations = len(_invite_dms(demo_app, mentor))
    answers = demo_app.stub.wait_for(
        "chat.postMessage", invitations + 2, where=lambda c: c.channel == mentor_dm
    )[invitations:]
    with db.begin() as session:
        status = session.get(Pairing, first["id"]).status
        later = session.scalars(
            select(Pairing).where(
                Pairing.mentee_id == first["mentee_id"], Pairing.id != first["id"]
            )
        ).all()
    group = demo_app.stub.dm_channel(mentor, mentee)
    introduced = [c for c in demo_app.stub.calls_to("chat.postMessage") if c.channel == group]
    if status == "accepted":  # the introduction and no next mentor
        assert len(introduced) == 1 and later == []
    else:  # declined: no introduction; the next mentor may be asked
        assert status == "declined" and introduced == []
    assert sum(f"Already done: this invitation was {status}" in text_of(c) for c in answers) == 1


def _invite_dms(app, mentor: str) -> list:
    channel = app.stub.dm_channel(mentor)
    return [
        c
        for c in app.stub.calls_to("chat.postMessage")
        if c.channel == channel and "wants to get better at" in text_of(c)
    ]


def _delivered(db, kind: str) -> list[tuple[str, str]]:
    with db.begin() as session:
        rows = session.scalars(select(Delivery).where(Delivery.kind == kind)).all()
        return [(row.recipient, row.status) for row in rows]
