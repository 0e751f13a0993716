"""The API's Flask app: flask-openapi3 routes validated by pydantic models, one error shape,
bearer keys, and the OpenAPI 3 description at /api/v1/openapi.json with a browsable page at
/api/v1/swagger. bot/slack/wsgi.py serves it beside /slack/events, in one process."""

from __future__ import annotations

import logging

from flask import Response
from flask_openapi3 import Info, OpenAPI, Server
from werkzeug.exceptions import HTTPException

from bot.api import auth
from bot.api.deps import EXTENSION, ApiDeps, SlackClients
from bot.api.errors import ApiError, validation_error
from bot.api.routes import BLUEPRINTS
from bot.clock import Clock
from bot.config import Settings
from bot.render.sentences import sentence
from bot.store.engine import Database

PREFIX = "/api/v1"
VERSION = "1.0.0"
# A batch of 5,000 records of a few hundred bytes each, with room to spare.
MAX_BODY_BYTES = 16 * 1024 * 1024

logger = logging.getLogger("coachbot.api")


def build_api(
    settings: Settings, db: Database, clock: Clock, slack_client: SlackClients
) -> OpenAPI:
    api = OpenAPI(
        __name__,
        info=Info(
            title="coachbot",
            version=VERSION,
            description=(
                "coachbot's API for the systems beside it: read assessments, the team "
                "development report, plans, effectiveness, coaching content and playbooks; "
                "send people, deals, stage events, activities, feedback, benchmarks and "
                "coaching requests. Every request carries `Authorization: Bearer KEY` "
                "(`coachbot api-key create`); a key reaches one workspace only. Errors are "
                '`{"error": {"code", "message", "problems"}}`. Writes accept an '
                "`Idempotency-Key` header: a retried request changes nothing and gets the "
                "first answer. Lists page with `limit` and `cursor`; reads carry an ETag."
            ),
        ),
        servers=[Server(url="/")],
        security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},
        doc_prefix=PREFIX,
        doc_url="/openapi.json",
        validation_error_status=422,
        validation_error_callback=validation_error,
    )
    api.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    api.json.sort_keys = False  # type: ignore[attr-defined]
    api.extensions[EXTENSION] = ApiDeps(settings, db, clock, slack_client)
    api.before_request(auth.check_key)
    api.after_request(auth.add_rate_headers)
    api.register_error_handler(ApiError, lambda error: error.response())
    api.register_error_handler(HTTPException, _http_error)
    api.register_error_handler(Exception, _crash)
    for blueprint in BLUEPRINTS:
        api.register_api(blueprint)
    return api


def _http_error(error: HTTPException) -> Response:
    """Flask's own refusals (no such route, wrong method, body too large) in our shape."""
    code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
        error.code or 500, "bad_request"
    )
    message = {
        404: sentence("api_not_found"),
        405: sentence("api_method_not_allowed"),
        413: sentence("api_body_too_large", limit=MAX_BODY_BYTES),
    }.get(error.code or 500, error.description or "")
    return ApiError(error.code or 400, code, message).response()


def _crash(error: Exception) -> Response:
    logger.exception("api request failed: %s", type(error).__name__)
    return ApiError(500, "internal_error", sentence("api_internal_error")).response()
