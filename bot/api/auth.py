"""Every API request but the description and its page carries `Authorization: Bearer KEY`:
checked, counted against the key's allowance, and logged by the key's public prefix (never
the key)."""

from __future__ import annotations

import logging

from flask import Response, g, request

from bot.api.deps import deps
from bot.api.errors import ApiError
from bot.render.sentences import sentence
from bot.services.api_keys import authenticate
from bot.services.rate_limits import take

logger = logging.getLogger("coachbot.api")
WINDOW_SECONDS = 60
PUBLIC_PATHS = ("/api/v1/openapi.json", "/api/v1/swagger", "/api/v1/static/", "/api/v1/")


def is_public(path: str) -> bool:
    return path == "/api/v1/" or any(path.startswith(p) for p in PUBLIC_PATHS if p != "/api/v1/")


def check_key() -> None:
    """Flask's before_request: set g.principal or refuse the request."""
    g.principal = None
    if is_public(request.path):
        return
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    unauthorized = {"WWW-Authenticate": 'Bearer realm="coachbot"'}
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "unauthorized", sentence("api_no_key"), headers=unauthorized)
    found = deps()
    now = found.clock.now()
    principal = authenticate(found.db, key.strip(), now)
    if principal is None:
        raise ApiError(401, "unauthorized", sentence("api_bad_key"), headers=unauthorized)
    g.principal = principal
    allowance = take(
        found.db,
        principal.key_id,
        now,
        found.settings.api_requests_per_minute,
        WINDOW_SECONDS,
    )
    g.allowance = allowance
    if not allowance.allowed:
        raise ApiError(
            429,
            "rate_limited",
            sentence("api_rate_limited", limit=allowance.limit, seconds=allowance.reset_seconds),
            headers={"Retry-After": str(allowance.reset_seconds)},
        )


def add_rate_headers(response: Response) -> Response:
    """Flask's after_request: the allowance left, and one log line naming the key's prefix."""
    allowance = g.get("allowance")
    if allowance is not None:
        response.headers["RateLimit-Limit"] = str(allowance.limit)
        response.headers["RateLimit-Remaining"] = str(allowance.remaining)
        response.headers["RateLimit-Reset"] = str(allowance.reset_seconds)
    principal = g.get("principal")
    logger.info(
        "api %s %s %s key=%s",
        request.method,
        request.path,
        response.status_code,
        principal.key_prefix if principal else "-",
    )
    return response
