"""The App Home tab: a rep's dashboard (with a manager's team below it when they have one);
for managers and admins who are not reps, their team first and no rep-only buttons."""

from __future__ import annotations

import logging
from typing import Any

from bot.clock import local
from bot.delivery import poster
from bot.delivery.slack_api import Refused
from bot.render.renderer import message, view
from bot.services import coach, home_chart
from bot.services.deps import Deps
from bot.services.focus import weekly_focus
from bot.services.home_chart import HomeChart
from bot.services.visibility import Viewer

logger = logging.getLogger(__name__)


def home_view(viewer: Viewer, deps: Deps, chart: HomeChart | None = None) -> dict[str, Any]:
    """The Home for this viewer; `chart` is the rep's trend chart (see publish_home)."""
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
        chart=chart if own is not None else None,
        chart_day=local(chart.drawn_at, viewer.timezone).date() if chart else None,
        team=team,
        nudges_paused=coach.nudges_paused(deps.db, viewer),
        settings=coach.own_settings(deps.db, viewer, today),
        today=today,
        min_closed=deps.config.min_closed_deals,
    )


def publish_home(client: Any, viewer: Viewer, deps: Deps) -> None:
    chart = home_chart.current(deps.db, viewer, deps.clock.now()) if viewer.known else None
    try:
        poster.publish_home(client, viewer.slack_user_id, home_view(viewer, deps, chart))
    except Refused as refused:
        if chart is None or not refused.mentions("slack_file"):
            raise
        # The rep deleted the chart from their DM, or Slack is still scanning a new one: the
        # Home goes out without it, and a deleted one is not offered to Slack again.
        forgotten = home_chart.forget(deps.db, viewer, chart, deps.clock.now())
        logger.info("home chart %s refused by Slack (forgotten: %s)", chart.file_id, forgotten)
        poster.publish_home(client, viewer.slack_user_id, home_view(viewer, deps))
