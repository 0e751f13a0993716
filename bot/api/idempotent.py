"""Writes with an `Idempotency-Key` header: the first request runs and its answer is kept; a
retry with the same key and body gets that answer (marked `Idempotent-Replayed: true`) and
changes nothing. Without the header a write simply runs."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Response, request

from bot.api.deps import caller, deps
from bot.api.errors import ApiError, Problem
from bot.api.paging import json_response
from bot.render.sentences import sentence
from bot.services.idempotency import IdempotencyConflict, claim, keep, release

HEADER = "Idempotency-Key"
MAX_KEY = 200

Write = Callable[[], tuple[int, dict[str, Any]]]


def idempotent(write: Write) -> Response:
    """Run `write` (which returns status and body) at most once per Idempotency-Key."""
    principal = caller("write")
    key = request.headers.get(HEADER)
    if key is None:
        status, body = write()
        return json_response(body, status, cache=False)
    key = key.strip()
    if not key or len(key) > MAX_KEY:
        raise ApiError(
            422,
            "validation_failed",
            sentence("api_validation_failed"),
            [Problem(field=HEADER, value=key, expected=sentence("api_bad_idempotency_key"))],
        )
    found = deps()
    operation = f"{request.method} {request.path}"
    digest = hashlib.sha256(request.get_data()).hexdigest()
    try:
        kept = claim(found.db, principal.workspace_id, key, operation, digest, found.clock.now())
    except IdempotencyConflict as conflict:
        if conflict.reason == "running":
            raise ApiError(
                409,
                "idempotency_key_in_use",
                sentence("api_idempotency_running"),
                headers={"Retry-After": "1"},
            ) from None
        raise ApiError(422, "idempotency_key_reused", sentence("api_idempotency_reused")) from None
    if kept is not None:
        response = json_response(kept.body, kept.status, cache=False)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    try:
        status, body = write()
    except BaseException:
        release(found.db, principal.workspace_id, key)  # nothing was written: may run again
        raise
    if status < 400:
        keep(found.db, principal.workspace_id, key, status, body)
    else:
        release(found.db, principal.workspace_id, key)
    return json_response(body, status, cache=False)
