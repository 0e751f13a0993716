"""Interactive role-plays in a DM thread, driven through Events API payloads to the HTTP app:
the buyer reacts to what the rep writes, and the scorecard quotes the rep."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.services.roleplays import content
from bot.store.models import RoleplaySession
from tests.slack import requests as slack
from tests.slackapp import text_of

GOOD = [
    "Thanks for making the time. What made you take this call now, and how do you handle it today?",
    "That's fair, I hear you. What would you compare it with, and what would make it worth it for you?",
    "Teams like yours cut reporting time from 6 hours a week to 1 within a quarter.",
    "Can we book 30 minutes Thursday at 10 with your CFO to walk through those numbers?",
]


def _start(slack_app, skill: str = "negotiation") -> tuple[str, str]:
    """Start a role-play; returns (DM channel, thread ts)."""
    assert slack_app.command(f"roleplay {skill}", "U0ANN") == 200
    intro, first = slack_app.dms_to("U0ANN", 2)
    assert f"Role-play: {skill.replace('_', ' ').capitalize()}" in text_of(intro)
    assert intro.body.get("thread_ts") in (None, "")
    assert first.body["thread_ts"] == intro.response["ts"]
    return intro.channel, intro.response["ts"]


def _say(slack_app, channel: str, thread: str, text: str, count: int) -> list:
    assert slack_app.send(slack.message_im(text, "U0ANN", channel=channel, thread_ts=thread)) == 200
    return slack_app.dms_to("U0ANN", count)


def test_a_whole_role_play_ends_with_a_scorecard_that_quotes_the_rep(slack_app, db) -> None:
    channel, thread = _start(slack_app)
    posted = 2
    for answer in GOOD:
        posted += 1
        calls = _say(slack_app, channel, thread, answer, posted)
        assert calls[-1].body["thread_ts"] == thread
    card = slack_app.dms_to("U0ANN", posted + 1)[-1]
    text = text_of(card)
    assert "Scorecard: " in text
    assert (
        "Can we book 30 minutes Thursday at 10 with your CFO to walk through those numbers?" in text
    )
    assert "cut reporting time from 6 hours a week to 1 within a quarter" in text
    assert "An answer that would have scored well" in text
    with db.begin() as session:
        row = session.scalar(select(RoleplaySession))
        assert row.status == "finished" and row.score is not None and row.score >= 80
        assert [t["speaker"] for t in row.state["transcript"]].count("rep") == 4
        assert {s["key"] for s in row.scores} == {
            "open_questions",
            "objection_acknowledged",
            "value_quantified",
            "next_step_dated",
            "no_premature_discount",
            "talk_ask_balance",
        }


def test_the_buyer_pushes_harder_after_an_early_discount(slack_app) -> None:
    channel, thread = _start(slack_app)
    _say(slack_app, channel, thread, "We can do anything you need, let me show you a demo.", 3)
    reply = _say(slack_app, channel, thread, "I can knock 15% off if you sign this month.", 4)[-1]
    harder = content()["objections"]
    assert any(
        line.split("{")[0][:25] in text_of(reply)
        for obj in harder.values()
        for line in obj["harder_lines"]
    )


def test_stop_ends_at_once_with_a_scorecard(slack_app, db) -> None:
    channel, thread = _start(slack_app)
    _say(slack_app, channel, thread, "What prompted you to look at this now?", 3)
    card = _say(slack_app, channel, thread, "stop", 4)[-1]
    assert "Scorecard: " in text_of(card)
    with db.begin() as session:
        assert session.scalar(select(RoleplaySession.status)) == "stopped"


def test_a_reply_after_the_end_is_told_to_start_again(slack_app) -> None:
    channel, thread = _start(slack_app)
    _say(slack_app, channel, thread, "stop", 3)
    slack_app.dms_to("U0ANN", 3)
    reply = _say(slack_app, channel, thread, "hello again", 4)[-1]
    assert "start a new one with `/coach roleplay`" in text_of(reply)


def test_an_idle_role_play_is_closed_politely(slack_app, db, clock) -> None:
    from slack_sdk import WebClient

    from jobs import roleplay_idle
    from jobs.context import JobContext

    _channel, thread = _start(slack_app)
    clock.advance(timedelta(minutes=45))
    client = WebClient(token="xoxb-test-token", base_url=slack_app.stub.base_url)
    ctx = JobContext(slack_app.settings, db, client, clock.now())
    assert roleplay_idle.run(ctx) == (
        "role-plays: 1 idle closed; notes: 1 sent, 0 already sent, 0 failed"
    )
    note = slack_app.dms_to("U0ANN", 3)[-1]
    assert note.body["thread_ts"] == thread and "Let's stop here for now" in text_of(note)
    with db.begin() as session:
        assert session.scalar(select(RoleplaySession.status)) == "abandoned"


def test_roleplay_typed_in_a_channel_plays_in_the_dm(slack_app) -> None:
    slack_app.command("roleplay", "U0ANN", channel_id="C0SALES", channel_name="sales")
    slack_app.dms_to("U0ANN", 2)
    [pointer] = slack_app.ephemeral()
    assert "Sent to your DM" in text_of(pointer)
    channels = {c.channel for c in slack_app.stub.calls_to("chat.postMessage")}
    assert channels == {slack_app.stub.dm_channel("U0ANN")}
