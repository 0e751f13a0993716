"""Paging and caching for the API's lists and reads: opaque cursors, and ETags so a system
that polls gets `304 Not Modified` when nothing changed."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from flask import Response, request

from bot.api.errors import ApiError, Problem
from bot.render.sentences import sentence


def encode_cursor(after: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id the next page starts after (0: the first page)."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
        if isinstance(after, int) and after >= 0:
            return after
    except (ValueError, KeyError, TypeError):
        pass
    raise ApiError(
        422,
        "validation_failed",
        sentence("api_validation_failed"),
        [Problem(field="cursor", value=cursor, expected=sentence("api_bad_cursor"))],
    )


def json_response(body: Any, status: int = 200, cache: bool = True) -> Response:
    """`body` as JSON; for reads, with a strong ETag of its bytes, answering 304 to a
    matching If-None-Match."""
    data = json.dumps(body, separators=(",", ":"), default=str).encode()
    response = Response(data, status=status, mimetype="application/json")
    if cache and status == 200:
        response.set_etag(hashlib.sha256(data).hexdigest()[:32])
        response.headers["Cache-Control"] = "private, no-cache"
        return response.make_conditional(request)
    return response
