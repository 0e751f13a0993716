"""Bolt middleware: hand every listener its dependencies; the viewer is found after the ack.
`clicker` is how every button and form listener starts, once it has acknowledged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.services.deps import CONTEXT_KEY, Deps
from bot.services.identity import identify
from bot.services.visibility import Viewer
from bot.slack.surfaces import DmSurface

VIEWER_KEY = "coachbot_viewer"


def provide(deps: Deps) -> Callable[..., None]:
    # Bolt passes `next` by that name.
    def middleware(context: BoltContext, next: Callable[[], None]) -> None:
        context[CONTEXT_KEY] = deps
        next()

    return middleware


def deps_of(context: BoltContext) -> Deps:
    return context[CONTEXT_KEY]


def viewer_of(context: BoltContext, client: WebClient) -> Viewer:
    """The user behind the request, matched to a person. Call it after ack(): the first time
    a user is seen it may ask Slack for their email, which must not delay the ack."""
    if VIEWER_KEY not in context:
        deps = deps_of(context)
        context[VIEWER_KEY] = identify(
            deps.db, deps.settings, client, context.team_id or "", context.user_id or ""
        )
    return context[VIEWER_KEY]


class Clicker(NamedTuple):
    viewer: Viewer
    deps: Deps
    surface: DmSurface  # their DM with coachbot: where a click is answered


def clicker(body: dict[str, Any], client: WebClient, context: BoltContext) -> Clicker:
    """Who clicked (or submitted), the app's dependencies, and where to answer them. Call
    it after ack(), as `viewer_of` says."""
    surface = DmSurface(client, body["user"]["id"])
    return Clicker(viewer_of(context, client), deps_of(context), surface)
