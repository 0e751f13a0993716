"""Whatever people type after /coach or in a DM to coachbot, through the real Bolt app over
signed HTTP: the request is acknowledged (200), an answer always arrives (ephemeral through
the response_url, a DM, or a modal), nothing a listener sends breaks Slack's limits or pings a
channel, and no listener error is logged. A body far larger than anything Slack sends is
refused with 413 before any listener sees it.

One app serves every example of a test: starting it per example would spend the time budget
on start-up. Examples are told apart by their own response_url and trigger_id (slash commands)
or by counting the DM's messages once the previous example has gone quiet (DMs).
"""

from __future__ import annotations

import itertools
import logging
import select
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from bot.clock import FixedClock
from bot.config import Settings
from bot.render.limits import FALLBACK_TEXT, MESSAGE_BLOCKS, SECTION_TEXT
from bot.services.commands import SUBCOMMANDS
from bot.slack.wsgi import MAX_BODY_BYTES
from bot.store.engine import Database
from bot.store.models import ListenerFailure
from bot.vocabulary import SKILLS
from tests.helpers import ORG, run, write
from tests.slack import requests as slack
from tests.slack.stub import Call, SlackStub
from tests.slackapp import SlackApp, running_app, text_of

REP = "U0ANN"  # Ann Archer, a rep of the test org with a Slack id in the CRM
MANAGER = "U0MIA"  # Mia Manager, Ann's manager
STRANGER = "U0NOBODY"  # in Slack with an email the CRM does not have
GHOST = "U0GHOST"  # unknown even to Slack: users.info answers user_not_found
USERS = {
    "U0VP": {"email": "vp@acme.example", "name": "Vera Vance"},
    MANAGER: {"email": "mia@acme.example", "name": "Mia Manager"},
    REP: {"email": "ann@acme.example", "name": "Ann Archer"},
    "U0BOB": {"email": "bob@acme.example", "name": "Bob Baker"},
    STRANGER: {"email": "stranger@acme.example", "name": "Sam Stranger"},
}
WATCHED_LOGGERS = ("coachbot", "slack_bolt", "bot", "handlers")
ERROR_MESSAGE = "Something went wrong on coachbot's side"
# Mentions that notify a whole channel or group: coachbot must never send one, even when the
# user typed it and coachbot quotes them.
BROADCASTS = ("<!channel>", "<!here>", "<!everyone>", "<!subteam^")
WAIT_SECONDS = 8.0  # for an answer; generous for a 2-core machine running other work
QUIET_SECONDS = 0.15  # no stub call for this long: the previous example has finished


# --------------------------------------------------------------------------- what people type

MRKDWN = (
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<!subteam^S0TEAM|@sales>",
    "<@U0ANN>",
    "<@U0BOB|bob>",
    "<@U0NOBODY>",
    "<@W0123ABCD|x>",
    "<#C0SALES|sales>",
    "<https://evil.example|click me>",
    "<mailto:a@b.example>",
    "*bold*",
    "_it_",
    "~strike~",
    "`code`",
    "```block```",
    "&amp;",
    "&lt;",
    "<",
    ">",
    "&",
    ":tada:",
)
WORDS = (*SUBCOMMANDS, *SKILLS, "on", "off", "me", "how am i doing", "my plan", "role-play")
SPACES = st.sampled_from(("", " ", "  ", "\t", "\n", "\u00a0", "\u3000", " \r\n "))

pieces = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(MRKDWN),
    st.text(max_size=16),  # any script, control characters, NUL
)
phrases = st.lists(pieces, max_size=6).map(" ".join)
long_texts = st.builds(
    lambda piece, times: (piece + " ") * times,
    st.one_of(st.sampled_from(WORDS), st.sampled_from(MRKDWN), st.text(min_size=1, max_size=8)),
    st.integers(200, 900),
)  # a few thousand characters, more than Slack lets a person type
texts = st.builds(
    lambda before, body, after: before + body + after,
    SPACES,
    st.one_of(
        phrases,
        st.builds(
            lambda name, junk: f"{name}{junk}",
            st.sampled_from(tuple(SUBCOMMANDS)),
            st.one_of(st.text(max_size=20), phrases.map(lambda p: " " + p)),
        ),
        st.text(max_size=60),
        long_texts,
    ),
    SPACES,
)
senders = st.sampled_from((REP, REP, MANAGER, STRANGER, GHOST))

# --------------------------------------------------------------------------- harness


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def logged_errors() -> Iterator[list[logging.LogRecord]]:
    """ERROR records of coachbot's and Bolt's loggers. running_app silences coachbot.slack
    (CRITICAL) to keep the suite quiet; here errors are the point, so it is let through."""
    handler = _Records()
    loggers = [logging.getLogger(name) for name in WATCHED_LOGGERS]
    silenced = logging.getLogger("coachbot.slack")
    level = silenced.level
    silenced.setLevel(logging.ERROR)
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        silenced.setLevel(level)


@dataclass
class Fuzzed:
    """The running app, the errors its loggers reported, and its database."""

    app: SlackApp
    errors: list[logging.LogRecord]
    db: Database

    def failures_recorded(self) -> int:
        """Listener failures the app's error handler wrote down (the user got a reference)."""
        with self.db.begin() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(ListenerFailure)) or 0


@pytest.fixture
def fuzzed(db: Database, settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[Fuzzed]:
    run(db, settings, clock, *(write(tmp_path, name, text) for name, text in ORG.items()))
    with running_app(settings, db, clock, USERS) as app, logged_errors() as errors:
        yield Fuzzed(app, errors, db)


def wait_until(stub: SlackStub, found: Callable[[list[Call]], list[Call]]) -> list[Call]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if matches := found(stub.calls):
            return matches
        time.sleep(0.02)
    seen = "\n".join(f"  {c.method} {c.path}" for c in stub.calls[-15:])
    raise AssertionError(f"no answer within {WAIT_SECONDS}s; last calls:\n{seen}")


def settle(stub: SlackStub) -> None:
    """Wait until the stub has been quiet a moment: what a listener sends after its answer
    (a chart, the second message of a role-play) lands before the next example starts."""
    deadline = time.monotonic() + WAIT_SECONDS
    count, since = len(stub.calls), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.03)
        now = len(stub.calls)
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= QUIET_SECONDS:
            return


def check_sent(fuzzed: Fuzzed, first: int, what: str) -> None:
    """No error, and everything the app sent since call `first` is something Slack accepts."""
    errors, calls = fuzzed.errors, fuzzed.app.stub.calls[first:]
    assert not errors, f"{what}: listener error logged: " + "; ".join(
        f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else r.getMessage()
        for r in errors
    )
    assert fuzzed.failures_recorded() == 0, f"{what}: a listener failure was recorded"
    for call in calls:
        assert call.status != 500, f"{what}: the stub failed on {call.method}: {call.response}"
        if call.method not in ("chat.postMessage", "response_url"):
            continue
        shown = text_of(call)
        assert ERROR_MESSAGE not in shown, f"{what}: the user was told of an error"
        assert not any(b in shown for b in BROADCASTS), f"{what}: would ping everyone: {shown!r}"
        blocks = call.json_field("blocks") or []
        assert len(str(call.body.get("text", ""))) <= FALLBACK_TEXT, what
        assert len(blocks) <= MESSAGE_BLOCKS, what
        for block in blocks:
            section = block.get("text") or {}
            if block.get("type") == "section" and isinstance(section, dict):
                assert len(section.get("text", "")) <= SECTION_TEXT, what
    assert [c for c in calls if c.method == "response_url" and c.status != 200] == [], what


_numbers = itertools.count(1)

# --------------------------------------------------------------------------- /coach


# One running app serves every example of a test (function-scoped fixture on purpose).
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _slash_answer(stub: SlackStub, response_path: str, trigger: str) -> Callable:
    def found(calls: list[Call]) -> list[Call]:
        return [
            c
            for c in calls
            if (c.method == "response_url" and c.path == response_path)
            or (c.method == "views.open" and c.body.get("trigger_id") == trigger)
        ]

    return found


@FUZZ
@given(text=texts, user=senders)
def test_any_slash_command_text_is_acknowledged_and_answered_without_error(
    fuzzed: Fuzzed, text: str, user: str
) -> None:
    app = fuzzed.app
    fuzzed.errors.clear()
    number = next(_numbers)
    response_path, trigger = f"/response/fuzz-{number}", f"fuzz.trigger.{number}"
    first = len(app.stub.calls)
    status = app.send(
        slack.slash_command(
            text,
            user,
            channel_id="C0SALES",  # outside the DM, so private answers also get a pointer
            channel_name="sales",
            response_url=app.stub.root_url + response_path,
            trigger_id=trigger,
        )
    )
    assert status == 200
    [answer, *_] = wait_until(app.stub, _slash_answer(app.stub, response_path, trigger))
    event(f"answered by {answer.method}")
    if answer.method == "response_url":
        assert answer.body.get("response_type") == "ephemeral", answer.body
    settle(app.stub)
    check_sent(fuzzed, first, f"/coach {text!r} from {user}")


# --------------------------------------------------------------------------- DMs


@FUZZ
@given(text=texts, user=senders)
def test_any_dm_text_is_acknowledged_and_answered_in_the_dm_without_error(
    fuzzed: Fuzzed, text: str, user: str
) -> None:
    app = fuzzed.app
    fuzzed.errors.clear()
    dm = app.stub.dm_channel(user)

    def in_dm(calls: list[Call]) -> list[Call]:
        return [c for c in calls if c.method == "chat.postMessage" and c.channel == dm]

    # The previous example settled before it ended, so everything now in the DM is older.
    first, before = len(app.stub.calls), len(in_dm(app.stub.calls))
    assert app.dm(text, user) == 200
    wait_until(app.stub, lambda calls: in_dm(calls)[before:])
    settle(app.stub)
    check_sent(fuzzed, first, f"DM {text!r} from {user}")


# --------------------------------------------------------------------------- role-play answers


BUYER_LINE = ":bust_in_silhouette:"  # how messages/roleplay_buyer.json.j2 starts the buyer's line
NOTHING_TO_SCORE = "Stopped before any answer"  # "stop" as the very first answer


def _posts_in(dm: str, thread: str | None) -> Callable[[list[Call]], list[Call]]:
    def found(calls: list[Call]) -> list[Call]:
        return [
            c
            for c in calls
            if c.method == "chat.postMessage"
            and c.channel == dm
            and (c.body.get("thread_ts") or None) == thread
        ]

    return found


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answers=st.lists(texts, min_size=1, max_size=4))
def test_any_answer_in_a_roleplay_thread_is_answered_in_the_thread_without_error(
    fuzzed: Fuzzed, answers: list[str]
) -> None:
    """A DM in a role-play's thread is the rep's line: the buyer answers there, whatever it is
    (after "stop" or the last turn, a note that the role-play has ended)."""
    app = fuzzed.app
    fuzzed.errors.clear()
    dm = app.stub.dm_channel(REP)
    first = len(app.stub.calls)
    assert app.dm("roleplay negotiation", REP) == 200  # a fresh one; an unfinished one stops
    [intro] = wait_until(app.stub, lambda calls: _posts_in(dm, None)(calls[first:]))
    thread = str(intro.response["ts"])
    in_thread = _posts_in(dm, thread)
    wait_until(app.stub, in_thread)  # the buyer's first line
    settle(app.stub)
    for turn, answer in enumerate(answers):
        before = len(in_thread(app.stub.calls))
        assert app.dm(answer, REP, thread_ts=thread) == 200
        replies = wait_until(app.stub, lambda calls, before=before: in_thread(calls)[before:])
        shown = text_of(replies[0])
        # The thread belongs to the role-play: its lines are never read as a command.
        assert "Here is what I can do" not in shown, f"{answer!r} was taken for a command"
        if turn == 0:
            assert BUYER_LINE in shown or NOTHING_TO_SCORE in shown, shown
        settle(app.stub)
    check_sent(fuzzed, first, f"role-play answers {answers!r}")


# --------------------------------------------------------------------------- body size


def _padded_command(size: int, response_url: str) -> slack.SlackRequest:
    """A signed /coach help whose form body is exactly `size` bytes: an extra field pads it."""
    command = slack.slash_command("help", REP, response_url=response_url)
    padding = size - len(command.body) - len("&padding=")
    body = command.text + "&padding=" + "x" * padding
    stamp = command.headers["X-Slack-Request-Timestamp"]
    signature = SignatureVerifier(slack.SIGNING_SECRET).generate_signature(
        timestamp=stamp, body=body
    )
    headers = {**command.headers, "X-Slack-Signature": str(signature)}
    return slack.SlackRequest(body=body.encode(), headers=headers)


def post_until_answered(url: str, request: slack.SlackRequest, timeout: float = 30) -> int:
    """POST the way curl does: the body goes in chunks, and sending stops as soon as the
    server has answered. A server that refuses a large body without reading it then closes
    the connection; a client that insisted on sending it all would see a reset, not the 413."""
    where = urlsplit(url)
    head = [
        f"POST {where.path} HTTP/1.1",
        f"Host: {where.netloc}",
        f"Content-Length: {len(request.body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in request.headers.items()),
    ]
    response = b""
    with socket.create_connection((where.hostname, where.port), timeout=timeout) as connection:
        connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        body, sent = memoryview(request.body), 0
        while sent < len(body):
            readable, writable, _ = select.select([connection], [connection], [], timeout)
            if readable or not writable:
                break
            try:
                sent += connection.send(body[sent : sent + 64 * 1024])
            except (BrokenPipeError, ConnectionResetError):
                break
        try:
            while chunk := connection.recv(64 * 1024):
                response += chunk
        except ConnectionResetError:
            pass  # what was received before the reset is kept
    status_line = response.split(b"\r\n", 1)[0].split()
    assert len(status_line) >= 2, f"no HTTP answer: {response[:200]!r}"
    return int(status_line[1])


def test_a_signed_body_over_the_limit_is_refused_with_413_before_any_listener(
    fuzzed: Fuzzed,
) -> None:
    app = fuzzed.app
    response_url = f"{app.stub.root_url}/response/oversized"
    request = _padded_command(2 * 1024 * 1024, response_url)
    assert len(request.body) == 2 * 1024 * 1024
    assert post_until_answered(app.events_url, request) == 413
    time.sleep(1.0)  # a listener runs after the ack: give one the time to show up
    assert [c for c in app.stub.calls if c.path == "/response/oversized"] == []
    assert fuzzed.errors == [] and fuzzed.failures_recorded() == 0


def test_a_signed_body_just_under_the_limit_is_still_answered(
    fuzzed: Fuzzed,
) -> None:
    app = fuzzed.app
    response_url = f"{app.stub.root_url}/response/just-under"
    request = _padded_command(MAX_BODY_BYTES - 1024, response_url)
    assert app.send(request) == 200
    [answer] = wait_until(
        app.stub, lambda calls: [c for c in calls if c.path == "/response/just-under"]
    )
    assert "Here is what I can do" in text_of(answer)
    check_sent(fuzzed, 0, "padded /coach help")
