"""Many workspaces installed through Slack's OAuth flow, served by the real app over HTTP: each
workspace's requests and jobs use its own bot token, the tables never hold a token in
plaintext, nothing logged shows one, rotation is stored encrypted again, and uninstalling or
revoking deletes the workspace's tokens."""

from __future__ import annotations

import io
import logging
import re
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.error import HTTPError

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from bot.app import create_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.logs import configure_logging
from bot.slack.installs import installation_store
from bot.slack.outbox import SendingUnavailable, sending_client
from bot.store.engine import Database
from bot.store.models import Delivery, Person
from jobs.registry import run_job
from tests.helpers import ORG, run, write
from tests.slack import requests as slack
from tests.slack.stub import Call, SlackStub
from tests.slackapp import serving

KEY = Fernet.generate_key().decode("ascii")
TOKEN_TEXT = re.compile(r"xox[abpe]-")
MONDAY_EVENING = datetime(2026, 11, 23, 23, tzinfo=UTC)  # after 09:00 in every rep's timezone


@dataclass
class Installed:
    stub: SlackStub
    root_url: str
    settings: Settings
    db: Database

    def get(self, path: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(self.root_url + path)
        if cookie:
            request.add_header("Cookie", cookie)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())
        try:
            with opener.open(request, timeout=10) as response:
                headers = {k.lower(): v for k, v in response.headers.items()}
                return response.status, headers, response.read().decode()
        except HTTPError as error:
            headers = {k.lower(): v for k, v in error.headers.items()}
            return error.code, headers, error.read().decode()

    def install(self, code: str, team_id: str, team_name: str, token: str, **grant: object) -> str:
        """Click "Add to Slack" and approve: what Slack's redirect then delivers."""
        self.stub.grant(code, team_id, team_name, token, **grant)  # type: ignore[arg-type]
        status, headers, page = self.get("/slack/install")
        assert status == 200, page
        state = re.search(r"state=([A-Za-z0-9_-]+)", page)
        assert state is not None, page
        cookie = headers["set-cookie"].split(";")[0]
        status, _headers, page = self.get(
            f"/slack/oauth_redirect?code={code}&state={state.group(1)}", cookie=cookie
        )
        assert status == 200, page
        return page

    def command(self, text: str, user: str, team_id: str) -> int:
        reply_to = f"{self.stub.root_url}/response/{user}-{len(self.stub.calls)}"
        return self.send(slack.slash_command(text, user, team_id=team_id, response_url=reply_to))

    def send(self, request: slack.SlackRequest) -> int:
        status, _headers, _body = slack.post(f"{self.root_url}/slack/events", request)
        return status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """Everything any library logs at DEBUG, through coachbot's production logging."""
    buffer = io.StringIO()
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    configure_logging(logging.DEBUG, stream=buffer)
    yield buffer
    root.handlers[:] = before[1]
    root.setLevel(before[0])


@pytest.fixture
def installed(db: Database, settings: Settings, tmp_path: Path) -> Iterator[Installed]:
    clock = FixedClock(MONDAY_EVENING)
    for team, prefix in (("T0AAA", "U0"), ("T0BBB", "U1")):
        files = {name: body.replace(",U0", f",{prefix}") for name, body in ORG.items()}
        folder = tmp_path / team
        folder.mkdir()
        run(db, settings, clock, *(write(folder, n, b) for n, b in files.items()), team_id=team)
    with SlackStub() as stub:
        configured = replace(
            settings,
            slack_signing_secret=slack.SIGNING_SECRET,
            slack_client_id=stub.client_id,
            slack_client_secret=stub.client_secret,
            token_keys=(KEY,),
            slack_api_url=stub.base_url,
        )
        with serving(
            create_app(configured, db, clock), configured.slack_signing_secret
        ) as root_url:
            yield Installed(stub, root_url, configured, db)


def raw_rows(db: Database) -> list[str]:
    """Every value of the installation, bot and state tables, as the database holds them."""
    with db.engine.connect() as connection:
        return [
            str(value)
            for table in ("slack_installations", "slack_bots", "slack_oauth_states")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
            for value in row
        ]


def token_of(call: Call) -> str:
    return call.headers.get("authorization", "").removeprefix("Bearer ")


def dm_posts_to(stub: SlackStub, user: str) -> list[Call]:
    channel = stub.dm_channel(user)
    return [c for c in stub.calls_to("chat.postMessage") if c.channel == channel]


def test_two_workspaces_install_and_each_is_answered_with_its_own_token(
    installed: Installed, logged: io.StringIO
) -> None:
    page = installed.install("code-a", "T0AAA", "Acme", "xoxb-aaa-1")
    assert "Thank you" in page or "success" in page.lower()
    installed.install("code-b", "T0BBB", "Globex", "xoxb-bbb-1", installer="U1INSTALL")

    # The tables hold ciphertext only; the store gives the tokens back.
    rows = raw_rows(installed.db)
    assert any("T0AAA" in v for v in rows) and any("T0BBB" in v for v in rows)
    assert not [v for v in rows if TOKEN_TEXT.search(v)]
    store = installation_store(installed.settings, installed.db.engine)
    assert store.find_bot(enterprise_id=None, team_id="T0AAA").bot_token == "xoxb-aaa-1"
    assert store.find_bot(enterprise_id=None, team_id="T0BBB").bot_token == "xoxb-bbb-1"

    # Each workspace's rep asks; each answer goes out with that workspace's token.
    for team, user, token in (("T0AAA", "U0ANN", "xoxb-aaa-1"), ("T0BBB", "U1ANN", "xoxb-bbb-1")):
        assert installed.command("me", user, team) == 200
        [answer] = installed.stub.wait_for(
            "chat.postMessage", where=lambda c, u=user: c.channel == installed.stub.dm_channel(u)
        )
        assert token_of(answer) == token
    # A rep of one workspace is unknown in the other, whatever their user id looks like.
    dms_before = len(dm_posts_to(installed.stub, "U0MIA"))
    assert installed.command("rep <@U1ANN>", "U0MIA", "T0AAA") == 200
    [refusal] = installed.stub.wait_for("response_url", where=lambda c: "U0MIA" in c.path)
    assert "find that person" in str(refusal.body)
    installed.stub.none_within(
        "chat.postMessage",
        where=lambda c: c.channel == installed.stub.dm_channel("U0MIA"),
        already=dms_before,
    )

    # Jobs run once per installed workspace, each with its own token and its own delivery log.
    summary = run_job("nudges", installed.settings, MONDAY_EVENING)
    assert summary.startswith("T0AAA: nudges: 1 sent") and "; T0BBB: nudges: 1 sent" in summary
    [nudge_a] = [c for c in dm_posts_to(installed.stub, "U0ANN") if "nudge|" in str(c.body)]
    [nudge_b] = [c for c in dm_posts_to(installed.stub, "U1ANN") if "nudge|" in str(c.body)]
    assert (token_of(nudge_a), token_of(nudge_b)) == ("xoxb-aaa-1", "xoxb-bbb-1")
    with installed.db.begin() as session:
        assert len(session.scalars(select(Delivery).where(Delivery.kind == "nudge")).all()) == 2

    # Nothing anyone logged shows a token, though slack-sdk logged the OAuth answers.
    assert "[redacted]" in logged.getvalue()
    assert not TOKEN_TEXT.search(logged.getvalue())


def test_the_installer_gets_the_setup_dm_once(installed: Installed) -> None:
    installed.install("code-a", "T0AAA", "Acme", "xoxb-aaa-1", installer="U0INSTALL")
    [setup] = installed.stub.wait_for(
        "chat.postMessage", where=lambda c: c.channel == installed.stub.dm_channel("U0INSTALL")
    )
    assert token_of(setup) == "xoxb-aaa-1"
    text = str(setup.body)
    assert "coachbot is installed" in text and "Import your CRM data" in text
    assert "5 people and 4 deals from the CRM" in text
    assert "Keep the worker process running" in text
    installed.install("code-a2", "T0AAA", "Acme", "xoxb-aaa-2", installer="U0INSTALL")
    assert len(dm_posts_to(installed.stub, "U0INSTALL")) == 1  # a reinstall: no second one


def test_uninstalling_or_revoking_deletes_that_workspaces_tokens_only(
    installed: Installed,
) -> None:
    installed.install("code-a", "T0AAA", "Acme", "xoxb-aaa-1")
    installed.install("code-b", "T0BBB", "Globex", "xoxb-bbb-1", installer="U1INSTALL")

    assert installed.send(slack.event({"type": "app_uninstalled"}, team_id="T0AAA")) == 200
    store = installation_store(installed.settings, installed.db.engine)
    # The listener deletes the bot, then the installation, after its ack: wait for both.
    assert _eventually(
        lambda: (
            store.find_bot(enterprise_id=None, team_id="T0AAA") is None
            and store.find_installation(enterprise_id=None, team_id="T0AAA") is None
        )
    )
    assert store.find_bot(enterprise_id=None, team_id="T0BBB") is not None
    assert run_job("nudges", installed.settings, MONDAY_EVENING).startswith("T0BBB: nudges: 1")

    revoked = {"type": "tokens_revoked", "tokens": {"bot": [installed.stub.bot_user_id]}}
    assert installed.send(slack.event(revoked, team_id="T0BBB")) == 200
    assert _eventually(lambda: store.find_bot(enterprise_id=None, team_id="T0BBB") is None)
    assert run_job("nudges", installed.settings, MONDAY_EVENING) == (
        "nudges: no workspace has installed coachbot"
    )
    # The CRM data stays: reinstalling picks up where the workspace left off.
    with installed.db.begin() as session:
        assert session.scalar(select(Person).where(Person.slack_user_id == "U0ANN")) is not None


def test_a_rotating_token_is_refreshed_before_it_expires_and_stored_encrypted(
    installed: Installed,
) -> None:
    installed.install(
        "code-c",
        "T0AAA",
        "Acme",
        "xoxb-aaa-1",
        refresh_token="xoxe-1-refresh-aaa",
        expires_in=60,  # minutes from expiring: inside Bolt's two-hour rotation window
    )
    assert installed.command("me", "U0ANN", "T0AAA") == 200
    [answer] = installed.stub.wait_for(
        "chat.postMessage", where=lambda c: c.channel == installed.stub.dm_channel("U0ANN")
    )
    refreshes = [
        c
        for c in installed.stub.calls_to("oauth.v2.access")
        if c.body.get("grant_type") == "refresh_token"
    ]
    assert refreshes and token_of(answer).startswith("xoxb-aaa-1~")
    store = installation_store(installed.settings, installed.db.engine)
    stored = store.find_installation(enterprise_id=None, team_id="T0AAA")
    assert stored is not None and stored.bot_token == token_of(answer)
    assert not [v for v in raw_rows(installed.db) if TOKEN_TEXT.search(v)]


def test_tokens_cannot_be_read_with_another_key(installed: Installed) -> None:
    installed.install("code-a", "T0AAA", "Acme", "xoxb-aaa-1")
    other = replace(installed.settings, token_keys=(Fernet.generate_key().decode(),))
    with pytest.raises(ValueError, match="cannot be decrypted with COACHBOT_TOKEN_KEYS"):
        installation_store(other, installed.db.engine).find_bot(enterprise_id=None, team_id="T0AAA")
    # A new key in front of the old one: old tokens still read, new ones use the new key.
    rotated = replace(installed.settings, token_keys=(Fernet.generate_key().decode(), KEY))
    found = installation_store(rotated, installed.db.engine).find_bot(
        enterprise_id=None, team_id="T0AAA"
    )
    assert found is not None and found.bot_token == "xoxb-aaa-1"


def _eventually(condition: object, polls: int = 100) -> bool:
    pause = threading.Event()
    for _ in range(polls):
        if condition():  # type: ignore[operator]
            return True
        pause.wait(0.05)
    return bool(condition())  # type: ignore[operator]


def test_with_one_token_every_subscribed_event_still_has_a_listener(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The manifest subscribes app_uninstalled and tokens_revoked: without stored tokens
    they are answered (no 404 for Slack to retry) and logged for the operator."""
    from tests.slackapp import running_app

    with running_app(settings, db, FixedClock(MONDAY_EVENING), users={}) as app:
        logging.getLogger("coachbot.slack").setLevel(logging.WARNING)
        with caplog.at_level(logging.WARNING, logger="coachbot.slack"):
            for kind in ("app_uninstalled", "tokens_revoked"):
                assert app.send(slack.event({"type": kind}, team_id="T0TEST")) == 200
            assert _eventually(lambda: caplog.text.count("SLACK_BOT_TOKEN no longer works") == 2)


def test_cli_sending_uses_the_named_workspaces_stored_token(installed: Installed) -> None:
    installed.install("code-a", "T0AAA", "Acme", "xoxb-aaa-1")
    client = sending_client(installed.settings, installed.db, team_id="T0AAA")
    assert client.token == "xoxb-aaa-1"
    with pytest.raises(SendingUnavailable, match="T0ZZZ has not installed coachbot"):
        sending_client(installed.settings, installed.db, team_id="T0ZZZ")
    with pytest.raises(SendingUnavailable, match="run-job roleplay_idle"):
        sending_client(installed.settings, installed.db)
