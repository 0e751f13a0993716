"""The Slack Web API stub and the signed-request builders, checked with slack-sdk and Bolt."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.slack import requests as slack
from tests.slack.requests import SIGNING_SECRET, SlackRequest
from tests.slack.stub import SlackStub

USERS = {
    "U0ANN": {"email": "ann@acme.example", "name": "Ann Archer", "tz": "America/Chicago"},
    "U0MIA": {"email": "mia@acme.example", "name": "Mia Manager"},
}


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack-sdk sends everything through $HTTPS_PROXY (it ignores NO_PROXY), 127.0.0.1 too."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub(users=USERS) as running:
        yield running


@pytest.fixture
def client(stub: SlackStub) -> WebClient:
    return WebClient(token="xoxb-test", base_url=stub.base_url)


# --------------------------------------------------------------------------- the stub


def test_binds_a_free_port_on_localhost(stub: SlackStub) -> None:
    assert stub.root_url.startswith("http://127.0.0.1:")
    assert stub.base_url == stub.root_url + "/api/"
    with SlackStub() as other:
        assert other.root_url != stub.root_url


def test_auth_test_answers_for_the_bot(stub: SlackStub, client: WebClient) -> None:
    response = client.auth_test()

    assert response["team_id"] == "T0TEST"
    assert response["user_id"] == "U0BOT"
    assert response["bot_id"].startswith("B")
    assert response["url"].startswith("https://")
    [call] = stub.calls_to("auth.test")
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert call.ok


def test_users_info_and_lookup_by_email(client: WebClient, stub: SlackStub) -> None:
    user = client.users_info(user="U0ANN")["user"]
    assert user["id"] == "U0ANN"
    assert user["team_id"] == "T0TEST"
    assert user["tz"] == "America/Chicago"
    assert user["is_bot"] is False
    assert user["profile"]["email"] == "ann@acme.example"
    assert user["profile"]["real_name"] == "Ann Archer"

    stub.add_user("U0NEW", "new@acme.example", name="Nia New", tz="Europe/Berlin")
    found = client.users_lookupByEmail(email="NEW@acme.example")["user"]
    assert (found["id"], found["tz"]) == ("U0NEW", "Europe/Berlin")

    with pytest.raises(SlackApiError) as unknown:
        client.users_info(user="U0NOBODY")
    assert unknown.value.response["error"] == "user_not_found"
    with pytest.raises(SlackApiError) as missing:
        client.users_lookupByEmail(email="nobody@acme.example")
    assert missing.value.response["error"] == "users_not_found"
    first = stub.calls_to("users.info")[0]  # a "GET" method, yet sent as a POSTed form
    assert first.body == {"user": "U0ANN"}
    assert first.headers["content-type"] == "application/x-www-form-urlencoded"


def test_post_message_keeps_blocks_and_reads_back(client: WebClient, stub: SlackStub) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Your plan* & more"}}]

    first = client.chat_postMessage(channel="D0DM", text="Your plan", blocks=blocks)
    reply = client.chat_postMessage(channel="D0DM", text="step 1", thread_ts=first["ts"])

    assert first["channel"] == "D0DM"
    assert first["message"]["blocks"] == blocks
    assert first["ts"] == "1700000000.000100"
    assert float(reply["ts"]) > float(first["ts"])
    call = stub.calls_to("chat.postMessage")[0]
    assert call.json_field("blocks") == blocks
    assert call.body["text"] == "Your plan"
    assert call.headers["content-type"].startswith("application/json")

    history = client.conversations_history(channel="D0DM")["messages"]
    assert [m["text"] for m in history] == ["Your plan"]
    assert history[0]["reply_count"] == 1
    thread = client.conversations_replies(channel="D0DM", ts=first["ts"])["messages"]
    assert [m["text"] for m in thread] == ["Your plan", "step 1"]


def test_update_delete_ephemeral_and_reactions(client: WebClient, stub: SlackStub) -> None:
    posted = client.chat_postMessage(channel="U0ANN", text="before")
    channel = posted["channel"]
    assert channel == stub.dm_channel("U0ANN")

    updated = client.chat_update(channel=channel, ts=posted["ts"], text="after")
    assert updated["message"]["text"] == "after"
    assert client.chat_postEphemeral(channel=channel, user="U0ANN", text="psst")["message_ts"]
    client.reactions_add(channel=channel, timestamp=posted["ts"], name="white_check_mark")
    client.chat_delete(channel=channel, ts=posted["ts"])
    assert stub.messages(channel) == []
    with pytest.raises(SlackApiError) as gone:
        client.chat_update(channel=channel, ts=posted["ts"], text="again")
    assert gone.value.response["error"] == "message_not_found"


def test_conversations_open_gives_stable_ids(client: WebClient, stub: SlackStub) -> None:
    one = client.conversations_open(users="U0ANN")["channel"]["id"]
    again = client.conversations_open(users=["U0ANN"])["channel"]["id"]
    group = client.conversations_open(users=["U0ANN", "U0MIA"])["channel"]["id"]
    same_group = client.conversations_open(users="U0MIA,U0ANN")["channel"]["id"]

    assert one == again == stub.dm_channel("U0ANN")
    assert one.startswith("D")
    assert group == same_group
    assert group.startswith(("G", "C"))
    assert stub.calls_to("conversations.open")[2].body["users"] == "U0ANN,U0MIA"


def test_views_publish_open_update(client: WebClient, stub: SlackStub) -> None:
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    }

    published = client.views_publish(user_id="U0ANN", view=home)["view"]
    republished = client.views_publish(user_id="U0ANN", view=home)["view"]
    modal = {**home, "type": "modal", "title": {"type": "plain_text", "text": "Feedback"}}
    opened = client.views_open(trigger_id="123.456", view={**modal, "callback_id": "x"})
    updated = client.views_update(view_id=opened["view"]["id"], view=modal)

    assert published["id"].startswith("V")
    assert republished["id"] == published["id"]
    assert stub.home_view("U0ANN")["blocks"] == home["blocks"]
    assert stub.calls_to("views.publish")[0].json_field("view") == home
    assert updated["view"]["id"] == opened["view"]["id"]


@pytest.mark.parametrize("content", [b"png bytes", b"\x89PNG\r\n\x1a\n\x00\xff"])
def test_files_upload_v2_three_steps(client: WebClient, stub: SlackStub, content: bytes) -> None:
    result = client.files_upload_v2(channel="D0DM", content=content, filename="t.png")

    assert [c.method for c in stub.calls] == [
        "files.getUploadURLExternal",
        "files.upload_url",
        "files.completeUploadExternal",
    ]
    asked, uploaded, completed = stub.calls
    assert asked.body == {"filename": "t.png", "length": str(len(content))}
    assert uploaded.body["length"] == len(content)
    assert uploaded.raw == content
    assert "authorization" not in uploaded.headers  # the upload URL is pre-signed
    assert completed.body["channel_id"] == "D0DM"
    assert completed.json_field("files")[0]["id"] == asked.response["file_id"]
    assert result["file"]["id"] == asked.response["file_id"]


def test_an_image_of_a_file_shows_only_where_the_file_was_shared(
    client: WebClient, stub: SlackStub
) -> None:
    ann_dm = stub.dm_channel("U0ANN")
    shared = client.files_upload_v2(channel=ann_dm, content=b"png", filename="c.png")["file"]
    unshared = client.files_upload_v2(content=b"png", filename="d.png")["file"]

    def home(file_id: str) -> dict:
        image = {"type": "image", "slack_file": {"id": file_id}, "alt_text": "chart"}
        return {"type": "home", "blocks": [image]}

    client.views_publish(user_id="U0ANN", view=home(shared["id"]))  # her DM: she may see it
    client.chat_postMessage(channel="U0ANN", text="t", blocks=home(shared["id"])["blocks"])
    refusals = [
        lambda: client.views_publish(user_id="U0MIA", view=home(shared["id"])),
        lambda: client.views_publish(user_id="U0ANN", view=home(unshared["id"])),
        lambda: client.views_publish(user_id="U0ANN", view=home("F99999999")),
        lambda: client.chat_postMessage(
            channel="U0MIA", text="t", blocks=home(shared["id"])["blocks"]
        ),
    ]
    for refused_call in refusals:
        with pytest.raises(SlackApiError) as refused:
            refused_call()
        said = refused.value.response.data
        assert said["error"] in ("invalid_arguments", "invalid_blocks")
        assert "invalid slack file [json-pointer:/blocks/0/slack_file]" in str(said)
    stub.delete_file(shared["id"])
    with pytest.raises(SlackApiError):
        client.views_publish(user_id="U0ANN", view=home(shared["id"]))


def test_rate_limit_is_retried_after_retry_after(
    stub: SlackStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=slept.append))
    stub.fail_next("chat.postMessage", status=429, retry_after=1)
    client = WebClient(
        token="xoxb-test",
        base_url=stub.base_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )

    response = client.chat_postMessage(channel="D0DM", text="hello")

    assert response["ok"]
    limited, retried = stub.calls_to("chat.postMessage")
    assert (limited.status, limited.response["error"], retried.status) == (429, "ratelimited", 200)
    assert retried.body == limited.body
    assert len(slept) == 1
    assert slept[0] >= 1  # it waited for Retry-After
    assert len(stub.messages("D0DM")) == 1  # the rate-limited call had no effect


def test_server_error_is_returned_as_such(client: WebClient, stub: SlackStub) -> None:
    stub.fail_next("users.info", status=500)

    with pytest.raises(SlackApiError) as failed:
        client.users_info(user="U0ANN")

    assert failed.value.response.status_code == 500
    assert client.users_info(user="U0ANN")["ok"]  # only the next call failed


def test_slack_style_failure_and_unknown_methods(client: WebClient, stub: SlackStub) -> None:
    stub.fail_next("chat.postMessage", status=200, body={"ok": False, "error": "is_archived"})

    with pytest.raises(SlackApiError) as archived:
        client.chat_postMessage(channel="C1", text="x")
    with pytest.raises(SlackApiError) as unknown:
        client.api_call("coach.nonsense")

    assert archived.value.response["error"] == "is_archived"
    assert unknown.value.response.status_code == 200
    assert unknown.value.response["error"] == "unknown_method"
    assert [c.method for c in stub.unknown_calls()] == ["coach.nonsense"]


@pytest.mark.parametrize(
    ("token", "error"),
    [(None, "not_authed"), ("xoxp-user", "not_allowed_token_type"), ("nonsense", "invalid_auth")],
)
def test_a_bot_token_is_required(stub: SlackStub, token: str | None, error: str) -> None:
    client = WebClient(token=token, base_url=stub.base_url)

    with pytest.raises(SlackApiError) as refused:
        client.auth_test()

    assert refused.value.response["error"] == error


def test_socket_mode_open_wants_an_app_token(client: WebClient, stub: SlackStub) -> None:
    app_client = WebClient(token="xapp-1-test", base_url=stub.base_url)

    assert app_client.apps_connections_open(app_token="xapp-1-test")["url"].startswith("ws://")
    with pytest.raises(SlackApiError) as bot_token:
        client.api_call("apps.connections.open")
    assert bot_token.value.response["error"] == "not_allowed_token_type"
    assert client.team_info()["team"]["id"] == "T0TEST"


def test_delay_next_slows_one_answer(stub: SlackStub) -> None:
    # Slower than the client waits: the first call times out, the next is answered at once.
    impatient = WebClient(token="xoxb-test", base_url=stub.base_url, timeout=1)
    stub.delay_next("auth.test", 5)
    with pytest.raises(TimeoutError):
        impatient.auth_test()
    assert impatient.auth_test()["ok"]


def test_wait_for_polls_and_reports_what_it_saw(client: WebClient, stub: SlackStub) -> None:
    later = threading.Timer(0.1, lambda: client.chat_postMessage(channel="D0DM", text="late"))
    later.start()
    [call] = stub.wait_for("chat.postMessage", where=lambda c: c.body["text"] == "late")
    later.join()
    assert call.body["channel"] == "D0DM"

    with pytest.raises(AssertionError, match=r"chat\.postMessage -> 200"):
        stub.wait_for("chat.postMessage", count=2, timeout=0.2)


def test_response_url_posts_are_recorded(stub: SlackStub) -> None:
    webhook = WebhookClient(f"{stub.root_url}/response/abc")

    sent = webhook.send(text="done", response_type="ephemeral", replace_original=True)

    assert sent.status_code == 200
    [call] = stub.calls_to("response_url")
    assert call.path == "/response/abc"
    assert call.body == {"text": "done", "response_type": "ephemeral", "replace_original": True}


def test_post_returns_errors_without_raising(stub: SlackStub) -> None:
    status, headers, body = slack.post(f"{stub.root_url}/nowhere", slack.url_verification("c"))

    assert status == 404
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body)["ok"] is False


# --------------------------------------------------------------------------- signed requests

BUILDERS = {
    "slash_command": lambda: slack.slash_command("me", "U0ANN"),
    "block_action": lambda: slack.block_action("plan_accept", "U0ANN", value="42"),
    "block_action_home": lambda: slack.block_action(
        "open_plan", "U0ANN", view={"id": "V1", "type": "home", "blocks": []}
    ),
    "view_submission": lambda: slack.view_submission(
        "feedback", "U0MIA", slack.state_values({"note": {"text": "good call"}})
    ),
    "event": lambda: slack.event({"type": "team_join", "user": {"id": "U0NEW"}}),
    "message_im": lambda: slack.message_im("plan", "U0ANN", thread_ts="1.2", retry_num=1),
    "app_home_opened": lambda: slack.app_home_opened("U0ANN"),
    "url_verification": lambda: slack.url_verification("challenge-123"),
}


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_builders_are_signed_like_slack(build) -> None:
    request: SlackRequest = build()
    verifier = SignatureVerifier(SIGNING_SECRET)

    assert verifier.is_valid_request(request.body, request.headers)
    assert not verifier.is_valid_request(request.body, slack.forged(request).headers)
    assert not verifier.is_valid_request(request.body, slack.stale(request).headers)
    assert verifier.is_valid_request(request.body, slack.stale(request, age_seconds=60).headers)


def test_slash_command_is_a_form_in_slacks_order() -> None:
    request = slack.slash_command("rep <@U0ANN|ann>", "U0MIA", response_url="http://x/r/1")

    fields = {k: v[0] for k, v in parse_qs(request.text, keep_blank_values=True).items()}
    assert list(fields) == [
        "token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
        "command", "text", "api_app_id", "is_enterprise_install", "response_url", "trigger_id",
    ]  # fmt: skip
    assert fields["text"] == "rep <@U0ANN|ann>"
    assert fields["command"] == "/coach"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_interactions_are_payload_json() -> None:
    request = slack.block_action(
        "accept", "U0ANN", value="m1", message_ts="1700000000.000100", response_url="http://x/r"
    )

    [payload_text] = parse_qs(request.text)["payload"]
    payload = json.loads(payload_text)
    assert payload["type"] == "block_actions"
    assert payload["actions"][0]["action_id"] == "accept"
    assert payload["actions"][0]["value"] == "m1"
    assert payload["container"]["message_ts"] == "1700000000.000100"
    assert payload["response_url"] == "http://x/r"


def test_events_carry_retry_headers() -> None:
    request = slack.message_im("hi", "U0ANN", retry_num=2, retry_reason="http_timeout")

    envelope = json.loads(request.body)
    assert envelope["type"] == "event_callback"
    assert envelope["event"]["channel_type"] == "im"
    assert envelope["authorizations"][0]["user_id"] == "U0BOT"
    assert request.headers["X-Slack-Retry-Num"] == "2"
    assert request.headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert "X-Slack-Retry-Num" not in slack.app_home_opened("U0ANN").headers


# --------------------------------------------------------------------------- with Bolt itself


def test_bolt_accepts_the_builders_and_talks_to_the_stub(stub: SlackStub) -> None:
    app = App(
        client=WebClient(token="xoxb-test", base_url=stub.base_url),
        signing_secret=SIGNING_SECRET,
    )

    def on_command(ack, respond, command):
        ack()
        respond(f"you said {command['text']}")

    def on_im(message, say):
        say(f"echo {message['text']}")

    app.command("/coach")(on_command)
    app.message("")(on_im)
    app.action("accept")(lambda ack: ack())
    app.view("feedback")(lambda ack: ack())

    def dispatch(request: SlackRequest) -> tuple[int, str]:
        response = app.dispatch(BoltRequest(body=request.text, headers=request.headers))
        return response.status, response.body

    response_url = f"{stub.root_url}/response/cmd1"
    assert dispatch(slack.slash_command("me", "U0ANN", response_url=response_url))[0] == 200
    assert dispatch(slack.message_im("hello", "U0ANN"))[0] == 200
    assert dispatch(slack.block_action("accept", "U0ANN"))[0] == 200
    assert dispatch(slack.view_submission("feedback", "U0MIA", {}))[0] == 200
    assert dispatch(slack.url_verification("xyz")) == (200, '{"challenge": "xyz"}')
    assert dispatch(slack.forged(slack.slash_command("me", "U0ANN")))[0] == 401
    assert dispatch(slack.stale(slack.message_im("old", "U0ANN")))[0] == 401

    [responded] = stub.wait_for("response_url")
    assert responded.body["text"] == "you said me"
    [said] = stub.wait_for("chat.postMessage")
    assert (said.body["channel"], said.body["text"]) == ("D0DM", "echo hello")
    assert stub.unknown_calls() == []
