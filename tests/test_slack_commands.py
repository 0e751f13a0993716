"""/coach over signed HTTP: every subcommand answered, performance only in DMs or ephemeral
messages, and the whole access-control matrix."""

from __future__ import annotations

import pytest

from tests.slack import requests as slack
from tests.slackapp import text_of


def test_unsigned_forged_and_stale_requests_get_401_and_nothing_happens(slack_app) -> None:
    request = slack.slash_command(
        "me", "U0ANN", response_url=f"{slack_app.stub.root_url}/response/x"
    )
    assert slack_app.send(slack.forged(request)) == 401
    assert slack_app.send(slack.stale(request)) == 401
    assert slack_app.stub.calls_to("chat.postMessage") == []
    assert slack_app.stub.calls_to("response_url") == []


def test_health_endpoint(slack_app) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{slack_app.root_url}/healthz") as response:  # loopback
        assert response.status == 200 and response.read() == b"ok\n"


def test_me_goes_to_the_reps_dm_and_a_channel_gets_only_an_ephemeral_pointer(slack_app) -> None:
    assert slack_app.command("me", "U0ANN", channel_id="C0SALES", channel_name="sales") == 200

    [dm] = slack_app.dms_to("U0ANN")
    assert "Your coaching snapshot" in text_of(dm)
    assert "Not enough data yet" in text_of(dm)  # two closed deals in the window
    [pointer] = slack_app.ephemeral()
    assert pointer.body["response_type"] == "ephemeral"
    assert "Sent to your DM" in text_of(pointer)
    posted_channels = {c.channel for c in slack_app.stub.calls_to("chat.postMessage")}
    assert posted_channels == {slack_app.stub.dm_channel("U0ANN")}


def test_me_typed_in_the_dm_is_answered_there_without_a_pointer(slack_app) -> None:
    dm = slack_app.stub.dm_channel("U0ANN")
    slack_app.command("me", "U0ANN", channel_id=dm, channel_name="directmessage")
    slack_app.dms_to("U0ANN")
    slack_app.stub.none_within("response_url")  # no "sent to your DM" pointer in the DM


def test_a_person_without_a_slack_id_is_matched_by_email_once(slack_app) -> None:
    slack_app.command("me", "U0BOB")
    slack_app.dms_to("U0BOB")
    slack_app.command("me", "U0BOB")
    slack_app.dms_to("U0BOB", count=2)
    assert len(slack_app.stub.calls_to("users.info")) == 1


def test_unknown_user_is_told_what_to_ask_their_admin(slack_app) -> None:
    slack_app.command("me", "U0NOBODY")
    [reply] = slack_app.ephemeral()
    assert "couldn't match your Slack account" in text_of(reply)
    assert slack_app.stub.calls_to("chat.postMessage") == []


def test_a_user_of_another_workspace_sees_nothing(slack_app) -> None:
    slack_app.command("me", "U0OTHER", team_id="T0OTHER")
    [reply] = slack_app.ephemeral()
    assert "no CRM data for this Slack workspace" in text_of(reply)
    slack_app.command("rep <@U0ANN|ann>", "U0OTHER", team_id="T0OTHER")
    slack_app.ephemeral(2)
    assert slack_app.stub.calls_to("chat.postMessage") == []


# viewer, command -> what they get: "dm" (the answer in their DM), "modal", or "refused"
MATRIX = [
    ("U0ANN", "me", "dm"),
    ("U0ANN", "rep <@U0BOB>", "refused"),
    ("U0ANN", "rep <@U0ANN>", "refused"),  # reps use /coach me
    ("U0ANN", "team", "refused"),
    ("U0ANN", "feedback <@U0BOB>", "refused"),
    ("U0MIA", "me", "none"),  # a manager is not assessed as a rep
    ("U0MIA", "rep <@U0ANN>", "dm"),
    ("U0MIA", "rep <@U0ZOE>", "refused"),  # not her report
    ("U0MIA", "team", "dm"),
    ("U0MIA", "feedback <@U0ANN>", "modal"),
    ("U0MIA", "feedback <@U0ZOE>", "refused"),
    ("U0MAX", "rep <@U0ANN>", "refused"),  # another manager
    ("U0MAX", "rep <@U0ZOE>", "dm"),
    ("U0VP", "rep <@U0ZOE>", "dm"),  # two levels down
    ("U0VP", "team", "dm"),
    ("U0OPS", "rep <@U0ANN>", "dm"),  # admin
    ("U0OPS", "team", "dm"),
    ("U0OPS", "feedback <@U0ZOE>", "modal"),
    ("U0NOBODY", "rep <@U0ANN>", "unknown"),
    ("U0NOBODY", "team", "unknown"),
]


@pytest.mark.parametrize(("viewer", "text", "outcome"), MATRIX)
def test_access_control_matrix(slack_app, viewer: str, text: str, outcome: str) -> None:
    assert slack_app.command(text, viewer) == 200
    if outcome == "dm":
        [dm] = slack_app.dms_to(viewer)
        assert "coaching snapshot" in text_of(dm) or "Your team at a glance" in text_of(dm)
        return
    if outcome == "modal":
        [opened] = slack_app.stub.wait_for("views.open")
        assert opened.json_field("view")["callback_id"] == "coach.feedback_modal"
        return
    [reply] = slack_app.ephemeral()
    expected = {
        "refused": ":lock:",
        "unknown": "couldn't match your Slack account",
        "none": "not an active rep",
    }[outcome]
    assert expected in text_of(reply), text_of(reply)
    assert slack_app.stub.calls_to("chat.postMessage") == []
    assert slack_app.stub.calls_to("views.open") == []


def test_team_lists_every_report_with_open_buttons(slack_app) -> None:
    slack_app.command("team", "U0MIA")
    [dm] = slack_app.dms_to("U0MIA")
    text = text_of(dm)
    assert "Ann Archer" in text and "Bob Baker" in text and "Zoe" not in text
    buttons = [
        b["accessory"]
        for b in dm.json_field("blocks")
        if b.get("accessory", {}).get("type") == "button"
    ]
    assert [b["action_id"] for b in buttons] == ["coach.open_rep", "coach.open_rep"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Here is what I can do"),
        ("help", "Here is what I can do"),
        ("mee", "did you mean `/coach me`?"),
        ("dance", "`dance` is not a coachbot command"),
        ("rep", "Name the rep: `/coach rep @name`."),
        ("rep dana", "`dana` is not a Slack mention"),
        ("roleplay juggling", "I don't know the skill `juggling`"),
        ("import", "Imports are done by admins"),
        ("pause", "Weekly nudges paused"),
        ("resume", "Weekly nudges are back on"),
        ("plan", "No coaching plan"),
        ("mentoring off", "You won't be invited to mentor anyone"),
        ("mentoring on", "You may be invited to mentor colleagues"),
        ("mentoring maybe", "Say `/coach mentoring off` or `/coach mentoring on`."),
        ("roleplay negotiation", "Sent to your DM"),
    ],
)
def test_every_subcommand_is_answered(slack_app, text: str, expected: str) -> None:
    slack_app.command(text, "U0ANN")
    [reply] = slack_app.ephemeral()
    assert expected in text_of(reply), text_of(reply)
    assert reply.body["response_type"] == "ephemeral"


def test_pause_and_resume_are_stored(slack_app, db) -> None:
    from sqlalchemy import select

    from bot.store.models import Person

    slack_app.command("pause", "U0ANN")
    slack_app.ephemeral()
    with db.begin() as session:
        assert session.scalar(
            select(Person.nudges_paused).where(Person.email == "ann@acme.example")
        )
    slack_app.command("resume", "U0ANN")
    slack_app.ephemeral(2)
    with db.begin() as session:
        assert not session.scalar(
            select(Person.nudges_paused).where(Person.email == "ann@acme.example")
        )


def test_admin_import_help_offers_the_dm_upload(slack_app) -> None:
    slack_app.command("import", "U0OPS")
    [reply] = slack_app.ephemeral()
    assert "Drop one or more CSV files" in text_of(reply)
