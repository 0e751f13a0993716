"""DMs in plain language, the App Home, buttons, the feedback modal and CSV uploads by admins,
all as Slack sends them (Events API JSON and interaction payloads, signed)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.ids import Actions, Blocks, Views, decide_checkpoint_action
from bot.slack.once import forget_old_events
from bot.store.models import Feedback, Person, ProcessedEvent
from tests.slack import requests as slack
from tests.slackapp import text_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("how am I doing?", "Your coaching snapshot"),
        ("my numbers please", "Your coaching snapshot"),
        ("help", "Here is what I can do"),
        ("can you help me?", "Here is what I can do"),
        ("what's the weather", "I didn't catch that"),
        ("my plan", "No coaching plan"),
        ("roleplay negotiation", "Role-play: Negotiation"),
        ("pause the nudges", "Weekly nudges paused"),
    ],
)
def test_dm_intents_are_answered_in_the_dm(slack_app, text: str, expected: str) -> None:
    assert slack_app.dm(text, "U0ANN") == 200
    [reply] = slack_app.dms_to("U0ANN")
    assert expected in text_of(reply), text_of(reply)


def test_a_dm_from_an_unknown_user_gets_the_explanation(slack_app) -> None:
    slack_app.dm("how am I doing", "U0NOBODY")
    [reply] = slack_app.dms_to("U0NOBODY")
    assert "couldn't match your Slack account" in text_of(reply)


def test_messages_from_bots_and_edits_are_ignored(slack_app) -> None:
    edited = slack.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "D0X",
            "channel_type": "im",
            "ts": "1.1",
        }
    )
    assert slack_app.send(edited) == 200
    channel_message = slack.event(
        {
            "type": "message",
            "channel": "C0X",
            "channel_type": "channel",
            "user": "U0ANN",
            "text": "me",
            "ts": "1.2",
        }
    )
    assert slack_app.send(channel_message) == 200
    slack_app.stub.none_within("chat.postMessage")


def test_app_home_for_a_rep_and_for_a_manager(slack_app) -> None:
    assert slack_app.send(slack.app_home_opened("U0ANN")) == 200
    [published] = slack_app.stub.wait_for("views.publish")
    home = published.json_field("view")
    assert home["type"] == "home"
    assert published.body["user_id"] == "U0ANN"
    actions = [
        e["action_id"] for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert actions == [
        Actions.OPEN_MY_ASSESSMENT,
        Actions.SHOW_HELP,
        Actions.PAUSE_NUDGES,
        Actions.SET_MENTORING,
        Actions.SET_PEER_GROUPS,
    ]

    slack_app.send(slack.app_home_opened("U0MIA"))
    manager = slack_app.stub.wait_for("views.publish", 2)[1].json_field("view")
    texts = " ".join(
        b.get("text", {}).get("text", "") for b in manager["blocks"] if b["type"] == "section"
    )
    assert "Ann Archer" in texts and "Bob Baker" in texts
    assert manager["blocks"][1]["text"]["text"] == "Your team"  # the team first
    assert "Pause weekly nudges" not in str(manager)  # no rep-only buttons
    assert "Pause the Friday digest" in str(manager)  # their own weekly message


def test_home_settings_pause_until_a_day_and_switch_groups_off(slack_app, db) -> None:
    home = {"type": "home", "id": "V0HOME"}
    picked = {"type": "datepicker", "selected_date": "2026-12-28"}
    slack_app.click(Actions.PAUSE_NUDGES_UNTIL, "U0ANN", view=home, action=picked)
    [published] = slack_app.stub.wait_for("views.publish")
    assert "paused until Dec 28, 2026" in str(published.json_field("view"))
    slack_app.click(Actions.SET_PEER_GROUPS, "U0ANN", value="off", view=home)
    slack_app.stub.wait_for("views.publish", 2)  # one change at a time, as a person clicks
    slack_app.click(Actions.SET_MENTORING, "U0ANN", value="off", view=home)
    last = slack_app.stub.wait_for("views.publish", 3)[2].json_field("view")
    assert "*Mentoring invitations:* off · *Peer learning groups:* off" in str(last)
    with db.begin() as session:
        ann = session.scalar(select(Person).where(Person.email == "ann@acme.example"))
        assert str(ann.nudges_snoozed_until) == "2026-12-28"
        assert ann.peer_groups_opt_out and ann.mentor_opt_out

    # A day in the past, or a forged switch, changes nothing and says why.
    slack_app.click(
        Actions.PAUSE_NUDGES_UNTIL, "U0ANN", view=home, action={"selected_date": "2020-01-01"}
    )
    [refused] = slack_app.dms_to("U0ANN")
    assert "Pick a day after today" in text_of(refused)
    slack_app.click(Actions.SET_PEER_GROUPS, "U0ANN", value="maybe", view=home)
    assert "out of date" in text_of(slack_app.dms_to("U0ANN", 2)[1])


def test_app_home_for_an_unknown_user(slack_app) -> None:
    slack_app.send(slack.app_home_opened("U0NOBODY"))
    [published] = slack_app.stub.wait_for("views.publish")
    assert "couldn't match your Slack account" in str(published.json_field("view"))


def test_buttons_open_assessments_only_for_those_allowed(slack_app, db) -> None:
    with db.begin() as session:
        ann = session.scalar(select(Person.id).where(Person.email == "ann@acme.example"))
        zoe = session.scalar(select(Person.id).where(Person.email == "zoe@acme.example"))
    slack_app.click(Actions.OPEN_REP, "U0MIA", value=str(ann))
    [dm] = slack_app.dms_to("U0MIA")
    assert "Ann Archer — coaching snapshot" in text_of(dm)
    slack_app.click(Actions.OPEN_REP, "U0MIA", value=str(zoe))
    refused = slack_app.dms_to("U0MIA", 2)[1]
    assert ":lock:" in text_of(refused) and "Zoe" not in text_of(refused)
    slack_app.click(Actions.OPEN_MY_ASSESSMENT, "U0ANN")
    assert "Your coaching snapshot" in text_of(slack_app.dms_to("U0ANN")[0])


def test_pause_button_stores_it_and_republishes_home(slack_app, db) -> None:
    slack_app.click(Actions.PAUSE_NUDGES, "U0ANN")
    [published] = slack_app.stub.wait_for("views.publish")
    actions = [
        e["action_id"]
        for b in published.json_field("view")["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert Actions.RESUME_NUDGES in actions
    with db.begin() as session:
        assert session.scalar(
            select(Person.nudges_paused).where(Person.email == "ann@acme.example")
        )


def _feedback(
    user: str,
    about: int,
    skill: str | None = "discovery",
    rating: str | None = "2",
    note: str = "Pitched before asking about the process.",
) -> slack.SlackRequest:
    values = {
        Blocks.FEEDBACK_SKILL: {
            "value": {
                "type": "static_select",
                "selected_option": {"value": skill} if skill else None,
            }
        },
        Blocks.FEEDBACK_RATING: {
            "value": {
                "type": "static_select",
                "selected_option": {"value": rating} if rating else None,
            }
        },
        Blocks.FEEDBACK_SOURCE: {
            "value": {"type": "static_select", "selected_option": {"value": "manager"}}
        },
        Blocks.FEEDBACK_NOTE: {"value": {"type": "plain_text_input", "value": note}},
    }
    return slack.view_submission(Views.FEEDBACK, user, values, private_metadata=str(about))


def test_feedback_modal_saves_a_row_that_skill_inference_reads(slack_app, db, clock) -> None:
    with db.begin() as session:
        ann = session.scalar(select(Person.id).where(Person.email == "ann@acme.example"))
        before = session.scalar(select(func.count()).select_from(Feedback))
    assert slack_app.send(_feedback("U0MIA", ann)) == 200
    [saved] = slack_app.dms_to("U0MIA")
    assert "Feedback on Ann Archer saved" in text_of(saved)
    with db.begin() as session:
        row = session.scalars(select(Feedback).order_by(Feedback.id.desc())).first()
        assert session.scalar(select(func.count()).select_from(Feedback)) == before + 1
        assert (row.about_id, row.skill, row.rating, row.source) == (ann, "discovery", 2, "manager")
        assert row.note == "Pitched before asking about the process."
        assert row.given_on == date(2026, 11, 20) and row.external_id.startswith("slack:")


def test_feedback_modal_with_missing_fields_answers_with_errors(slack_app, db) -> None:
    with db.begin() as session:
        ann = session.scalar(select(Person.id).where(Person.email == "ann@acme.example"))
    status, _headers, body = slack.post(
        slack_app.events_url, _feedback("U0MIA", ann, skill=None, rating=None)
    )
    assert status == 200
    import json

    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {Blocks.FEEDBACK_SKILL, Blocks.FEEDBACK_RATING}


def test_feedback_from_someone_not_allowed_is_not_saved(slack_app, db) -> None:
    with db.begin() as session:
        ann = session.scalar(select(Person.id).where(Person.email == "ann@acme.example"))
        before = session.scalar(select(func.count()).select_from(Feedback))
    slack_app.send(_feedback("U0MAX", ann))  # another team's manager, forged metadata
    [reply] = slack_app.dms_to("U0MAX")
    assert "Feedback not saved" in text_of(reply)
    with db.begin() as session:
        assert session.scalar(select(func.count()).select_from(Feedback)) == before


def _upload(slack_app, user: str, files: dict[str, bytes]) -> int:
    shared = [slack_app.stub.add_private_file(name, content) for name, content in files.items()]
    return _share(slack_app, user, shared)


def test_an_admin_imports_csv_files_dropped_in_the_dm(slack_app, db) -> None:
    slack_app.stub.add_user("U0NIA", email="new@acme.example", name="Nia New")
    people = b"email,name,role,manager_email\nnew@acme.example,Nia New,rep,mia@acme.example\n"
    assert _upload(slack_app, "U0OPS", {"people.csv": people}) == 200
    reply = slack_app.dms_to("U0OPS")[0]
    assert "Imported." in text_of(reply) and "1 people rows (1 new, 0 updated)" in text_of(reply)
    # The new rep is matched to Slack and welcomed now; the admin hears who was matched.
    [welcome] = slack_app.dms_to("U0NIA")
    assert "Welcome to coachbot" in text_of(welcome)
    summary = slack_app.dms_to("U0OPS", 2)[1]
    assert "People matched to Slack" in text_of(summary)
    with db.begin() as session:
        assert (
            session.scalar(select(Person.name).where(Person.email == "new@acme.example"))
            == "Nia New"
        )


def test_a_bad_upload_lists_the_problems_and_imports_nothing(slack_app, db) -> None:
    deals = b"external_id,owner,amount,created_on,outcome\nD-9,ann@acme.example,<!channel>,2026-01-01,open\n"
    people = b"email,name,role\nnew@acme.example,Nia New,rep\n"
    _upload(slack_app, "U0OPS", {"people.csv": people, "deals.csv": deals})
    [reply] = slack_app.dms_to("U0OPS")
    text = text_of(reply)
    assert "Nothing was imported" in text
    assert "deals.csv, row 2, column 'amount', value '&lt;!channel&gt;'" in text
    assert "<!channel>" not in text
    with db.begin() as session:
        assert session.scalar(select(Person.id).where(Person.email == "new@acme.example")) is None


def _share(slack_app, user: str, shared: list[dict]) -> int:
    event = {
        "type": "message",
        "subtype": "file_share",
        "text": "",
        "user": user,
        "channel": slack_app.stub.dm_channel(user),
        "channel_type": "im",
        "ts": "1700000100.000100",
        "files": shared,
    }
    return slack_app.send(slack.event(event))


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"url_private": "https://files.evil.example/people.csv"}, "not a file uploaded to Slack"),
        ({"size": 60 * 1024 * 1024}, "larger than 50 MB"),
    ],
)
def test_a_file_not_taken_from_slack_is_refused_by_name_before_it_is_read(
    slack_app, db, change: dict, said: str
) -> None:
    people = b"email,name,role\nnew@acme.example,Nia New,rep\n"
    shared = dict(slack_app.stub.add_private_file("people.csv", people), **change)
    shared.pop("url_private_download", None)
    assert _share(slack_app, "U0OPS", [shared]) == 200
    [reply] = slack_app.dms_to("U0OPS")
    assert "Nothing was imported" in text_of(reply)
    assert "people.csv" in text_of(reply) and said in text_of(reply)
    with db.begin() as session:
        assert session.scalar(select(Person.id).where(Person.email == "new@acme.example")) is None


def test_only_admins_may_import(slack_app, db) -> None:
    _upload(slack_app, "U0ANN", {"people.csv": b"email,name,role\nx@acme.example,X,rep\n"})
    [reply] = slack_app.dms_to("U0ANN")
    assert "Imports are done by admins" in text_of(reply)
    with db.begin() as session:
        assert session.scalar(select(Person.id).where(Person.email == "x@acme.example")) is None


def test_a_rate_limited_answer_is_retried_after_retry_after_and_delivered_once(slack_app) -> None:
    slack_app.stub.fail_next("chat.postMessage", status=429, retry_after=1)
    slack_app.dm("how am I doing", "U0ANN")
    calls = slack_app.stub.wait_for("chat.postMessage", 2)
    assert [c.status for c in calls] == [429, 200]
    slack_app.stub.none_within("chat.postMessage", already=2)  # delivered once, not again


def test_a_failing_listener_tells_the_user_with_a_reference(slack_app) -> None:
    slack_app.stub.fail_next("chat.postMessage", status=500, times=1)
    slack_app.command("me", "U0ANN")
    refused, dm = slack_app.dms_to("U0ANN", 2)
    assert refused.status == 500
    assert "Something went wrong on coachbot's side" in text_of(dm)
    assert "reference `" in text_of(dm)


def test_nudge_buttons_mark_done_once_and_snooze_a_week(slack_app, db) -> None:
    from bot.store.models import PracticeMark

    slack_app.click(Actions.MARK_PRACTICE_DONE, "U0ANN", value="discovery")
    assert "Nice work" in text_of(slack_app.dms_to("U0ANN")[0])
    slack_app.click(Actions.MARK_PRACTICE_DONE, "U0ANN", value="discovery")
    assert "Already noted" in text_of(slack_app.dms_to("U0ANN", 2)[1])
    slack_app.click(Actions.SNOOZE_NUDGES, "U0ANN")
    assert "Snoozed: no nudge until" in text_of(slack_app.dms_to("U0ANN", 3)[2])
    with db.begin() as session:
        marks = session.scalars(select(PracticeMark)).all()
        assert [(m.skill, m.week) for m in marks] == [("discovery", "2026-W47")]
        snoozed = session.scalar(
            select(Person.nudges_snoozed_until).where(Person.email == "ann@acme.example")
        )
        assert snoozed == date(2026, 11, 27)


def test_a_retried_event_is_handled_once(slack_app) -> None:
    first = slack.message_im("how am I doing", "U0ANN", channel=slack_app.stub.dm_channel("U0ANN"))
    event_id = json.loads(first.body)["event_id"]
    retry = slack.event(
        json.loads(first.body)["event"],
        event_id=event_id,
        retry_num=1,
        retry_reason="http_timeout",
    )
    assert slack_app.send(first) == 200
    slack_app.dms_to("U0ANN")
    assert slack_app.send(retry) == 200
    slack_app.send(slack.message_im("help", "U0ANN", channel=slack_app.stub.dm_channel("U0ANN")))
    calls = slack_app.dms_to("U0ANN", 2)
    assert "Here is what I can do" in text_of(calls[1])  # the retry did not produce a second answer
    assert len(slack_app.stub.calls_to("chat.postMessage")) == 2


def test_event_ids_are_forgotten_once_slack_can_no_longer_retry_them(slack_app, db) -> None:
    slack_app.send(slack.message_im("help", "U0ANN", channel=slack_app.stub.dm_channel("U0ANN")))
    slack_app.dms_to("U0ANN")
    with db.begin() as session:
        seen = session.scalar(select(func.max(ProcessedEvent.received_at)))
    assert seen is not None
    assert forget_old_events(db, seen + timedelta(hours=23)) == 0
    assert forget_old_events(db, seen + timedelta(days=1, seconds=1)) >= 1
    with db.begin() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0


@pytest.mark.parametrize(
    "action_id",
    [Actions.APPROVE_PLAN, decide_checkpoint_action("graduate"), Actions.ACCEPT_MENTORING],
)
def test_a_button_carrying_no_id_says_it_is_out_of_date(slack_app, action_id: str) -> None:
    assert slack_app.click(action_id, "U0MIA", value="not-an-id") == 200
    [reply] = slack_app.dms_to("U0MIA")
    assert text_of(reply).startswith(":warning: That button is out of date")
    assert "invalid literal" not in text_of(reply)  # no Python error text reaches people


def test_snoozing_as_someone_coachbot_does_not_know_is_refused_politely(slack_app) -> None:
    assert slack_app.click(Actions.SNOOZE_NUDGES, "U0NOBODY") == 200
    [reply] = slack_app.dms_to("U0NOBODY")
    assert "coachbot does not know you yet" in text_of(reply)
    assert "Something went wrong" not in text_of(reply)
