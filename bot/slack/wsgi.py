"""The production HTTP wrapper: Bolt's WSGI adapter behind a real server (gunicorn), with the
signature checked before Bolt parses anything, and a health check for load balancers. The
gunicorn entry point that builds it is bot/serve.py (`gunicorn 'bot.serve:application()'`)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from bot.render.sentences import sentence

EVENTS_PATH = "/slack/events"
API_PREFIX = "/api/"
HEALTH_PATH = "/healthz"
# Slack's own payloads are a few KB (a modal submission, tens at most): anything much larger
# is refused before it is read, signed or not.
MAX_BODY_BYTES = 1024 * 1024

StartResponse = Callable[..., Any]
logger = logging.getLogger("coachbot.slack")


WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def web_app(app: App, signing_secret: str, api: WsgiApp | None = None) -> WsgiApp:
    """`signing_secret` is the one the Bolt app was built with (SLACK_SIGNING_SECRET); `api`
    (bot/api) answers everything under /api/, with its own keys and limits."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    verifier = SignatureVerifier(signing_secret)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if api is not None and str(environ.get("PATH_INFO", "")).startswith(API_PREFIX):
            return api(environ, start_response)
        if environ.get("PATH_INFO") == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        if _body_length(environ) > MAX_BODY_BYTES:
            start_response("413 Payload Too Large", [("Content-Type", "text/plain; charset=utf-8")])
            return [(sentence("body_too_large", limit=MAX_BODY_BYTES) + "\n").encode()]
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            refused = _refusal(environ, verifier)
            if refused is not None:
                status, reason = refused
                logger.warning("refused a request to %s: %s", EVENTS_PATH, reason)
                start_response(status, [("Content-Type", "application/json")])
                return [json.dumps({"error": reason}).encode()]
        try:
            return slack(environ, start_response)
        except Exception as failure:
            # Signed, so from Slack or someone holding the secret; still input, not a crash.
            logger.warning(
                "refused a request Bolt could not read: %s: %s", type(failure).__name__, failure
            )
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [b'{"error": "malformed request"}']

    return application


def _refusal(environ: dict[str, Any], verifier: SignatureVerifier) -> tuple[str, str] | None:
    """Read and check a POST before Bolt parses it: Bolt builds its request (and trips over a
    malformed payload or timestamp) before verifying the signature, which answered 500s to
    anyone. (status, reason) to refuse; None to pass it on, with the body put back."""
    body = environ["wsgi.input"].read(_body_length(environ))
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        text = body.decode("utf-8")  # Slack sends UTF-8; the signature check needs it too
    except UnicodeDecodeError:
        return "400 Bad Request", "body is not UTF-8"
    if parse_qs(text).get("ssl_check") == ["1"]:
        return None  # Slack's certificate check: Bolt answers it itself
    stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    if not stamp.isascii() or not stamp.isdigit():
        return "401 Unauthorized", "missing or malformed X-Slack-Request-Timestamp"
    if not signature:
        return "401 Unauthorized", "missing X-Slack-Signature"
    if not verifier.is_valid(body, stamp, signature):
        return "401 Unauthorized", "invalid or expired request signature"
    if not _readable(text, environ.get("CONTENT_TYPE", "")):
        return "400 Bad Request", "malformed body (not the JSON or form Slack sends)"
    return None


def _readable(text: str, content_type: str) -> bool:
    """Slack's bodies: a JSON object (events), or a form whose `payload`, if any, is one."""
    try:
        if content_type.startswith("application/json"):
            return _shaped(json.loads(text))
        payload = parse_qs(text).get("payload")
        return payload is None or _shaped(json.loads(payload[0]))
    except ValueError:  # JSONDecodeError
        return False


def _shaped(body: Any) -> bool:
    """The parts Bolt reaches into before any listener runs have the types Slack gives them."""
    if not isinstance(body, dict):
        return False
    event = body.get("event", {})
    actions = body.get("actions", [])
    return (
        isinstance(event, dict)
        and isinstance(event.get("user", ""), str | dict)
        and isinstance(body.get("user", {}), dict | str)
        and isinstance(body.get("view", {}), dict)
        and isinstance(actions, list)
        and all(isinstance(a, dict) for a in actions)
    )


def _body_length(environ: dict[str, Any]) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return MAX_BODY_BYTES + 1  # a length we cannot read is not one we trust
