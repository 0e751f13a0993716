"""Calling coachbot's API over HTTP as a neighbouring system does: a key, JSON, headers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services.api_keys import create_key
from bot.store.engine import Database


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def error_code(self) -> str | None:
        return self.body.get("error", {}).get("code") if isinstance(self.body, dict) else None


def call(
    url: str,
    method: str = "GET",
    key: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> Answer:
    sent = dict(headers or {})
    if key is not None:
        sent["Authorization"] = f"Bearer {key}"
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer_headers, payload = response.status, response.headers, response.read()
    except urllib.error.HTTPError as refused:
        status, answer_headers, payload = refused.code, refused.headers, refused.read()
    text = payload.decode("utf-8")
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text
    return Answer(status, {k.lower(): v for k, v in answer_headers.items()}, parsed)


def new_key(
    db: Database, team_id: str, now: datetime, scope: str = "write", name: str = "t"
) -> str:
    return create_key(db, team_id, name, scope, now)
