"""Slack-shaped input that is not what Slack sends gets a 400 or 401 and a log line, never a
500 or a traceback: malformed headers (signed or not) and malformed bodies (signed, so they
pass the signature check and reach the parsing behind it), against the real HTTP server."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from urllib.parse import quote

from tests.slack import requests as slack
from tests.slack.requests import SIGNING_SECRET
from tests.slackapp import acme_app

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _form(payload: object) -> str:
    return "payload=" + quote(json.dumps(payload))


BODIES: dict[str, tuple[str, str]] = {
    "payload not JSON": (FORM, "payload=%7Bnope"),
    "payload a list": (FORM, _form([1, 2])),
    "payload a string": (FORM, _form("x")),
    "actions not a list": (
        FORM,
        _form(
            {
                "type": "block_actions",
                "team": {"id": "T0TEST"},
                "user": {"id": "U0ANN"},
                "actions": "x",
            }
        ),
    ),
    "an action not an object": (
        FORM,
        _form(
            {
                "type": "block_actions",
                "team": {"id": "T0TEST"},
                "user": {"id": "U0ANN"},
                "actions": [3],
            }
        ),
    ),
    "view not an object": (
        FORM,
        _form(
            {
                "type": "view_submission",
                "team": {"id": "T0TEST"},
                "user": {"id": "U0ANN"},
                "view": 7,
            }
        ),
    ),
    "event JSON broken": (JSON, "{nope"),
    "event a list": (JSON, "[]"),
    "event user a number": (
        JSON,
        json.dumps(
            {
                "type": "event_callback",
                "team_id": "T0TEST",
                "event_id": "Ev0FUZZ",
                "event": {"type": "message", "user": 5, "text": "x", "channel_type": "im"},
            }
        ),
    ),
    "event not an object": (JSON, json.dumps({"type": "event_callback", "event": "x"})),
    "not UTF-8": (FORM, "payload=\udcff"),
}


BAD_TIMESTAMPS = ("abc", "", "1e3", " 12", "12\xb2", "99999999999999999999999", "-5")
BAD_SIGNATURES = ("garbage", "v0=", "v0=" + "0" * 64)


def _signed(body: str, content_type: str) -> slack.SlackRequest:
    raw = body.encode("utf-8", "surrogateescape")
    template = slack.slash_command("help", "U0ANN")
    stamp = template.headers["X-Slack-Request-Timestamp"]
    # Signed over the raw bytes, as Slack signs (slack_sdk's helper needs UTF-8).
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + raw, hashlib.sha256)
    signature = f"v0={digest.hexdigest()}"
    headers = {
        **template.headers,
        "X-Slack-Signature": str(signature),
        "Content-Type": content_type,
    }
    return slack.SlackRequest(body=raw, headers=headers)


def test_malformed_headers_and_bodies_get_400_or_401(db, settings, clock, tmp_path, caplog) -> None:
    caplog.set_level(logging.WARNING)
    answers: dict[str, int] = {}
    with acme_app(db, settings, clock, tmp_path) as app:
        command = slack.slash_command(
            "help", "U0ANN", response_url=f"{app.stub.root_url}/response/x"
        )
        # Each case: the signed command's headers with one changed (None: left out).
        cases = [
            *(("X-Slack-Request-Timestamp", stamp) for stamp in BAD_TIMESTAMPS),
            ("X-Slack-Request-Timestamp", None),
            ("X-Slack-Signature", None),
            *(("X-Slack-Signature", signature) for signature in BAD_SIGNATURES),
        ]
        for header, value in cases:
            headers = {k: v for k, v in command.headers.items() if k != header}
            if value is not None:
                headers[header] = value
            request = slack.SlackRequest(body=command.body, headers=headers)
            answers[f"header {header}={value!r}"] = slack.post(app.events_url, request)[0]
        for name, (content_type, body) in BODIES.items():
            answers[name] = slack.post(app.events_url, _signed(body, content_type))[0]
        app.stub.none_within("chat.postMessage", 0.3)
    headers_refused = {k: v for k, v in answers.items() if k.startswith("header ")}
    assert set(headers_refused.values()) == {401}, headers_refused
    bodies_refused = {k: v for k, v in answers.items() if k in BODIES}
    assert set(bodies_refused.values()) == {400}, bodies_refused
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
