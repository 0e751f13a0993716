"""What the API's routes need, kept on the Flask app: settings, the database, the clock, and
how to reach a workspace's Slack (a coaching request is delivered to a manager at once)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g

from bot.api.errors import ApiError
from bot.clock import Clock
from bot.config import Settings
from bot.render.sentences import sentence
from bot.services.api_keys import Principal
from bot.store.engine import Database

EXTENSION = "coachbot"

# A workspace's Slack client by team id, or None when coachbot is not installed there.
SlackClients = Callable[[str], Any]


@dataclass(frozen=True)
class ApiDeps:
    settings: Settings
    db: Database
    clock: Clock
    slack_client: SlackClients


def deps() -> ApiDeps:
    found: ApiDeps = current_app.extensions[EXTENSION]
    return found


def caller(needed: str = "read") -> Principal:
    """The authenticated key of this request, refused (403) if its scope is too narrow."""
    principal: Principal = g.principal
    if not principal.may(needed):
        raise ApiError(403, "insufficient_scope", sentence("api_scope_too_narrow", needed=needed))
    return principal
