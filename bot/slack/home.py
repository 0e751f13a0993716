"""The App Home tab: a rep's dashboard (with a manager's team below it when they have one);
for managers and admins who are not reps, their team first and no rep-only buttons."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.auth import Viewer
from bot.render.renderer import message, view
from bot.services import coach
from bot.services.focus import weekly_focus
from bot.slack.deps import Deps


def home_view(viewer: Viewer, deps: Deps) -> dict[str, Any]:
    if not viewer.known:
        unknown = message(
            "messages/unknown_user.json.j2", no_workspace=viewer.workspace_id is None, email=None
        )
        return view("views/home.json.j2", known=False, unknown_text=unknown["text"])
    assert viewer.person_id is not None
    today = deps.today_for(viewer.timezone)
    now = deps.clock.now()
    own = coach.assessment(deps.db, viewer, viewer.person_id, today, now, deps.config)
    focus = None
    if own is not None and own.get("status") == "assessed" and viewer.workspace_id is not None:
        focus = weekly_focus(deps.db, viewer.workspace_id, viewer.person_id, own)
    team = None
    if viewer.is_manager or viewer.is_admin:
        team = coach.team(deps.db, viewer, today, now, deps.config).reps
    return view(
        "views/home.json.j2",
        known=True,
        is_rep=viewer.role == "rep",
        assessment=own,
        focus=focus,
        team=team,
        nudges_paused=coach.nudges_paused(deps.db, viewer),
        settings=coach.own_settings(deps.db, viewer, today),
        today=today,
        min_closed=deps.config.min_closed_deals,
    )


def publish_home(client: WebClient, viewer: Viewer, deps: Deps) -> None:
    client.views_publish(user_id=viewer.slack_user_id, view=home_view(viewer, deps))
