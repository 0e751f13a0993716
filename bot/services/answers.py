"""Answers to what a user asked, however they asked it (/coach, a DM, a button).

Each answer calls one service, renders one template and sends it through the surface the
request came from. Performance only ever goes through `surface.private` (the user's DM with
coachbot) or an ephemeral reply.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from bot.render.charts import trend_alt_text
from bot.render.renderer import escape_mrkdwn, message, view
from bot.render.sentences import mrkdwn_sentence, sentence
from bot.services import (
    checkpoints,
    coach,
    home_chart,
    pairing,
    plan_messages,
    plans,
    roleplay_messages,
    roleplays,
)
from bot.services.commands import SUBCOMMANDS, Command
from bot.services.deps import Deps
from bot.services.outcomes import AlreadyDone
from bot.services.visibility import Viewer
from bot.vocabulary import SKILLS

logger = logging.getLogger(__name__)
MAX_GAPS_SHOWN = 3


class Surface(Protocol):
    def reply(self, payload: dict[str, Any]) -> None:
        """To the user only, where they asked (ephemeral in channels)."""

    def private(self, payload: dict[str, Any]) -> None:
        """To the user's DM with coachbot."""

    def open_modal(self, modal: dict[str, Any]) -> None: ...

    def attach(self, content: bytes, filename: str, title: str, alt_text: str) -> str | None:
        """A file (a chart) for the user's DM with coachbot; returns its Slack file id."""

    def thread(self, payload: dict[str, Any], thread_ts: str | None = None) -> tuple[str, str]:
        """Post in the user's DM with coachbot (in a thread when given): (channel, ts)."""

    def pointer(self) -> None:
        """Where the request came from somewhere else, say that the answer is in the DM."""


def notice(text: str) -> dict[str, Any]:
    return message("messages/notice.json.j2", text=text)


class StaleButton(ValueError):
    """A button or form whose value no longer makes sense (an old message, a changed app)."""

    def __init__(self) -> None:
        super().__init__(sentence("stale_button"))


def button_id(raw: Any) -> int:
    """The id a button or modal carries; StaleButton when it carries none."""
    try:
        return int(str(raw))
    except ValueError:
        raise StaleButton() from None


def refusal(problem: Exception, undone: str = "") -> dict[str, Any]:
    """What the user is told when a request cannot do what it says: what did not happen
    (`undone`, e.g. "Feedback not saved"), the reason, and a lock when it is about who may
    do what; a click that an earlier one already answered gets a check mark."""
    if isinstance(problem, AlreadyDone):
        return notice(f":white_check_mark: {escape_mrkdwn(str(problem))}")
    icon = ":warning:" if isinstance(problem, StaleButton) else ":lock:"
    lead = f"{undone}: " if undone else ""
    return notice(f"{icon} {lead}{escape_mrkdwn(str(problem))}")


def help_message(command: Command | None = None) -> dict[str, Any]:
    return message(
        "messages/help.json.j2",
        commands=SUBCOMMANDS,
        unknown=command.text.split()[0] if command and command.name == "unknown" else None,
        suggestion=command.suggestion if command else None,
        not_understood=bool(command and command.problem == "not_understood"),
    )


def unknown_user_message(viewer: Viewer, email: str | None = None) -> dict[str, Any]:
    return message(
        "messages/unknown_user.json.j2", no_workspace=viewer.workspace_id is None, email=email
    )


def answer(command: Command, viewer: Viewer, deps: Deps, surface: Surface) -> None:
    """Answer one command; every branch sends exactly one reply or private message."""
    if command.name in ("help", "unknown"):
        surface.reply(help_message(command))
        return
    if command.name == "import":
        surface.reply(message("messages/import_help.json.j2", is_admin=viewer.is_admin))
        return
    if not viewer.known:
        surface.reply(unknown_user_message(viewer))
        return
    if command.problem:
        surface.reply(notice(command.problem))
        return
    try:
        _ANSWERS[command.name](command, viewer, deps, surface)
    except coach.NotAllowed as refused:
        surface.reply(refusal(refused))


def _me(_command: Command, viewer: Viewer, deps: Deps, surface: Surface) -> None:
    assert viewer.person_id is not None
    send_assessment(viewer, viewer.person_id, deps, surface)


def send_assessment(viewer: Viewer, subject_id: int, deps: Deps, surface: Surface) -> None:
    payload = coach.assessment(
        deps.db,
        viewer,
        subject_id,
        deps.today_for(viewer.timezone),
        deps.clock.now(),
        deps.config,
    )
    if payload is None:
        own = subject_id == viewer.person_id
        surface.reply(notice(sentence("not_an_active_rep", own=own)))
        return
    own = subject_id == viewer.person_id
    surface.private(assessment_message(payload, own=own, deps=deps))
    title = sentence("trend_chart_title", name=payload["name"])
    series = payload["trend"]["series"]
    alt_text = trend_alt_text(series, payload["headline"].get("peer_win_rate"))

    def deliver(png: bytes) -> None:
        file_id = surface.attach(png, "win-rate-trend.png", title, alt_text)
        if own and file_id is not None:  # shared in the rep's own DM: their Home may show it
            home_chart.remember(deps.db, viewer, file_id, alt_text, deps.clock.now())

    deps.charts.send(deliver, series, title, payload["headline"].get("peer_win_rate"))


def assessment_message(payload: dict[str, Any], own: bool, deps: Deps) -> dict[str, Any]:
    return message(
        "messages/assessment.json.j2",
        assessment=payload,
        own=own,
        min_closed=deps.config.min_closed_deals,
        max_gaps=MAX_GAPS_SHOWN,
    )


def _rep(command: Command, viewer: Viewer, deps: Deps, surface: Surface) -> None:
    assert command.user is not None
    if not (viewer.is_manager or viewer.is_admin):
        raise coach.NotAllowed(sentence("rep_is_for_managers"))
    subject = coach.subject_for_slack_user(deps.db, viewer, command.user)
    if subject is None:
        surface.reply(notice(sentence("person_not_found")))
        return
    send_assessment(viewer, subject.id, deps, surface)


def _team(_command: Command, viewer: Viewer, deps: Deps, surface: Surface) -> None:
    overview = coach.team(
        deps.db, viewer, deps.today_for(viewer.timezone), deps.clock.now(), deps.config
    )
    surface.private(team_message(overview))


def team_message(overview: coach.TeamView) -> dict[str, Any]:
    return message(
        "messages/team.json.j2",
        reps=overview.reps,
        as_of=overview.as_of,
        window_days=overview.window_days,
        total_at_stake=overview.total_at_stake,
    )


def _feedback(command: Command, viewer: Viewer, deps: Deps, surface: Surface) -> None:
    assert command.user is not None
    if not (viewer.is_manager or viewer.is_admin):
        raise coach.NotAllowed(sentence("feedback_is_for_managers"))
    subject = coach.subject_for_slack_user(deps.db, viewer, command.user)
    if subject is None:
        surface.reply(notice(sentence("person_not_found")))
        return
    if subject.id == viewer.person_id:
        surface.reply(notice(sentence("feedback_about_someone_else")))
        return
    coach.ensure_can_view(deps.db, viewer, subject.id)
    surface.open_modal(feedback_modal(subject.id, subject.name))


def feedback_modal(about_id: int, about_name: str) -> dict[str, Any]:
    return view(
        "views/feedback_modal.json.j2", about_id=about_id, about_name=about_name, skills=SKILLS
    )


def _pause(_command: Command, viewer: Viewer, deps: Deps, surface: Surface) -> None:
    coach.set_nudges_paused(deps.db, viewer, True)  # a manager's weekly message: the digest
    surface.reply(
        notice(sentence("digest_paused"))
        if viewer.role == "manager"
        else notice(sentence("nudges_paused"))
    )


def _resume(_command: Command, viewer: Viewer, deps: Deps, surface: Surface) -> None:
    coach.set_nudges_paused(deps.db, viewer, False)
    surface.reply(
        notice(sentence("digest_resumed"))
        if viewer.role == "manager"
        else notice(sentence("nudges_resumed"))
    )


def _plan(_command: Command, viewer: Viewer, deps: Deps, surface: Surface) -> None:
    assert viewer.person_id is not None and viewer.workspace_id is not None
    plan = plans.open_plan_of(deps.db, viewer.workspace_id, viewer.person_id)
    if plan is not None and plan["status"] == "active":
        latest = checkpoints.latest_review(deps.db, plan["id"])
        surface.private(plan_messages.plan_message(plan, own=True, latest=latest))
        return
    if plan is not None:
        surface.reply(notice(sentence("draft_plan_in_review")))
        return
    payload = coach.assessment(
        deps.db,
        viewer,
        viewer.person_id,
        deps.today_for(viewer.timezone),
        deps.clock.now(),
        deps.config,
    )
    if payload is None or not payload["gaps"]:
        surface.reply(notice(sentence("no_plan_no_gap")))
        return
    focus = ", ".join(g["skill"].replace("_", " ") for g in payload["gaps"][:3])
    surface.reply(notice(mrkdwn_sentence("no_plan_yet", focus=focus)))


def _roleplay(command: Command, viewer: Viewer, deps: Deps, surface: Surface) -> None:
    try:
        roleplay_messages.start(surface, viewer, deps, command.skill)
    except roleplays.RoleplayError as problem:
        surface.reply(notice(escape_mrkdwn(str(problem))))
        return
    surface.pointer()


def _mentoring(command: Command, viewer: Viewer, deps: Deps, surface: Surface) -> None:
    off = command.skill == "off"
    pairing.set_opt_out(deps.db, viewer, off)
    surface.reply(
        notice(sentence("mentoring_opted_out") if off else sentence("mentoring_opted_in"))
    )


_ANSWERS = {
    "me": _me,
    "rep": _rep,
    "team": _team,
    "feedback": _feedback,
    "pause": _pause,
    "resume": _resume,
    "plan": _plan,
    "roleplay": _roleplay,
    "mentoring": _mentoring,
}
assert set(_ANSWERS) | {"help", "import"} == set(SUBCOMMANDS)
