"""Requests built the way Slack sends them to the app, signed with the test signing secret.

Slash commands are form-encoded, interactions are `payload=<url-encoded JSON>`, events are
JSON; every body is signed with `SignatureVerifier(secret).generate_signature` and carries
`X-Slack-Signature` and `X-Slack-Request-Timestamp`, as Slack does::

    status, headers, body = post(app_url, slash_command("me", "U0ANN"))

Every builder takes `secret` and `timestamp` (seconds; default now) keyword arguments.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.request
import uuid
from dataclasses import dataclass, replace
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote, urlencode

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "0123456789abcdef0123456789abcdef"
VERIFICATION_TOKEN = "verification-token-not-used"
API_APP_ID = "A0TEST"
TEAM_DOMAIN = "coachbot-test"
BOT_USER_ID = "U0BOT"
TRIGGER_ID = "13345224609.738474920.8088930838d88f008e0"
# Nothing listens on port 9 (discard): a listener that responds without the test handing it a
# response_url (for example f"{stub.root_url}/response/abc") fails fast, never reaches Slack.
UNSET_RESPONSE_URL = "http://127.0.0.1:9/response/unset"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"

_counter = itertools.count(1)


@dataclass(frozen=True)
class SlackRequest:
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def _sign(
    body: str,
    content_type: str,
    *,
    secret: str,
    timestamp: int | None,
    extra_headers: dict[str, str] | None = None,
) -> SlackRequest:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": content_type,
        "User-Agent": USER_AGENT,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": str(signature),
        **(extra_headers or {}),
    }
    return SlackRequest(body=body.encode("utf-8"), headers=headers)


def _form(fields: dict[str, str], *, secret: str, timestamp: int | None) -> SlackRequest:
    return _sign(
        urlencode(fields),
        "application/x-www-form-urlencoded",
        secret=secret,
        timestamp=timestamp,
    )


def _interaction(payload: dict[str, Any], *, secret: str, timestamp: int | None) -> SlackRequest:
    body = "payload=" + quote(json.dumps(payload, separators=(",", ":")), safe="")
    return _sign(body, "application/x-www-form-urlencoded", secret=secret, timestamp=timestamp)


def _user(user_id: str, team_id: str) -> dict[str, str]:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _team(team_id: str) -> dict[str, Any]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def _new_ts() -> str:
    return f"{int(time.time())}.{next(_counter):06d}"


# --------------------------------------------------------------------------- slash commands


def slash_command(
    text: str,
    user_id: str,
    *,
    command: str = "/coach",
    team_id: str = "T0TEST",
    channel_id: str = "D0DM",
    channel_name: str = "directmessage",
    response_url: str = UNSET_RESPONSE_URL,
    trigger_id: str = TRIGGER_ID,
    user_name: str = "",
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """A slash command as Slack posts it: a form with the fields in Slack's order."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return _form(fields, secret=secret, timestamp=timestamp)


# --------------------------------------------------------------------------- interactions


def block_action(
    action_id: str,
    user_id: str,
    *,
    value: str | None = None,
    block_id: str = "b",
    team_id: str = "T0TEST",
    channel_id: str | None = None,
    message_ts: str | None = None,
    view: dict | None = None,
    response_url: str | None = None,
    container: dict | None = None,
    trigger_id: str = TRIGGER_ID,
    action: dict | None = None,
    message: dict | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """A `block_actions` interaction: a button (override fields with `action`) clicked.

    With `view` it comes from a view (App Home or modal: container type "view"); otherwise from
    a message in `channel_id` (default "D0DM") at `message_ts`, with the message (`message`,
    default a minimal bot message) and `response_url` when given.
    """
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": action_id, "emoji": True},
        "action_ts": _new_ts(),
    }
    if value is not None:  # Slack leaves "value" out for a button that has none
        element["value"] = value
    element.update(action or {})
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        view = {"team_id": team_id, "app_id": API_APP_ID, "state": {"values": {}}, **view}
        payload["container"] = container or {
            "type": "view",
            "view_id": view.get("id", "V0TEST"),
        }
        payload["view"] = view
        payload["state"] = view["state"]
    else:
        channel = channel_id or "D0DM"
        ts = message_ts or "1700000000.000100"
        payload["container"] = container or {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel, "name": "directmessage"}
        payload["message"] = message or {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": "B0BOT",
            "app_id": API_APP_ID,
            "team": team_id,
            "text": "",
            "ts": ts,
            "blocks": [],
        }
        payload["state"] = {"values": {}}
    if response_url is not None:
        payload["response_url"] = response_url
    payload["actions"] = [element]
    return _interaction(payload, secret=secret, timestamp=timestamp)


def state_values(inputs: dict[str, dict[str, str]]) -> dict[str, dict[str, dict[str, Any]]]:
    """`{block_id: {action_id: "text"}}` → Slack's `view.state.values` for plain text inputs."""
    return {
        block_id: {
            action_id: {"type": "plain_text_input", "value": text}
            for action_id, text in actions.items()
        }
        for block_id, actions in inputs.items()
    }


def view_submission(
    callback_id: str,
    user_id: str,
    values: dict,
    *,
    private_metadata: str = "",
    team_id: str = "T0TEST",
    view_id: str = "V0TEST",
    blocks: list | None = None,
    trigger_id: str = TRIGGER_ID,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """A modal submitted; `values` is `view.state.values` (see `state_values`)."""
    payload = {
        "type": "view_submission",
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": f"{int(time.time())}.abcd1234",
            "title": {"type": "plain_text", "text": "coachbot"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": {"type": "plain_text", "text": "Cancel"},
            "submit": {"type": "plain_text", "text": "Submit"},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": API_APP_ID,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": "B0BOT",
        },
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }
    return _interaction(payload, secret=secret, timestamp=timestamp)


# --------------------------------------------------------------------------- Events API


def event(
    event: dict,
    *,
    team_id: str = "T0TEST",
    event_id: str | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SlackRequest:
    """An Events API `event_callback` envelope around `event`, with retry headers if given."""
    now = int(time.time()) if timestamp is None else timestamp
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev0TEST{next(_counter):06d}",
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    extra: dict[str, str] = {}
    if retry_num is not None:
        extra["X-Slack-Retry-Num"] = str(retry_num)
    if retry_reason is not None:
        extra["X-Slack-Retry-Reason"] = retry_reason
    return _sign(
        json.dumps(envelope),
        "application/json",
        secret=secret,
        timestamp=timestamp,
        extra_headers=extra,
    )


def message_im(
    text: str,
    user_id: str,
    *,
    channel: str = "D0DM",
    ts: str | None = None,
    thread_ts: str | None = None,
    team_id: str = "T0TEST",
    **kw: Any,
) -> SlackRequest:
    """A person's message in their DM with the app (`message` event, channel_type "im")."""
    ts = ts or _new_ts()
    body: dict[str, Any] = {
        "type": "message",
        "client_msg_id": str(uuid.uuid4()),
        "text": text,
        "user": user_id,
        "ts": ts,
        "team": team_id,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im",
    }
    if thread_ts is not None:
        body["thread_ts"] = thread_ts
    return event(body, team_id=team_id, **kw)


def app_home_opened(
    user_id: str,
    *,
    tab: str = "home",
    channel: str = "D0DM",
    view: dict | None = None,
    **kw: Any,
) -> SlackRequest:
    """The user opened the app's Home (or Messages) tab; `view` is the published Home, if any."""
    body: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel,
        "tab": tab,
        "event_ts": _new_ts(),
    }
    if view is not None:
        body["view"] = view
    return event(body, **kw)


def url_verification(
    challenge: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> SlackRequest:
    """The handshake Slack sends when the Request URL is saved."""
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return _sign(json.dumps(body), "application/json", secret=secret, timestamp=timestamp)


# --------------------------------------------------------------------------- bad requests


def forged(request: SlackRequest) -> SlackRequest:
    """The same body and timestamp with a signature made with another secret."""
    stamp = request.headers["X-Slack-Request-Timestamp"]
    wrong = SignatureVerifier("f" * 32).generate_signature(timestamp=stamp, body=request.body)
    return replace(request, headers={**request.headers, "X-Slack-Signature": str(wrong)})


def stale(
    request: SlackRequest, age_seconds: int = 600, *, secret: str = SIGNING_SECRET
) -> SlackRequest:
    """The same body, correctly signed, with a timestamp `age_seconds` old (replayed)."""
    stamp = str(int(time.time()) - age_seconds)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=request.body)
    headers = {
        **request.headers,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": str(signature),
    }
    return replace(request, headers=headers)


# --------------------------------------------------------------------------- sending


def post(url: str, request: SlackRequest, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """POST `request` to `url`: (status, headers with lower-case names, body); no raise on 4xx/5xx."""
    http_request = urllib.request.Request(
        url, data=request.body, headers=request.headers, method="POST"
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(http_request, timeout=timeout) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, headers, response.read()
    except HTTPError as error:
        headers = {k.lower(): v for k, v in error.headers.items()}
        return error.code, headers, error.read()
