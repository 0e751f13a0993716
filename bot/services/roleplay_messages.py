"""Role-plays in the rep's DM: the scenario as the thread's first message, the buyer's lines
in the thread, and the scorecard at the end."""

from __future__ import annotations

from functools import partial
from typing import Any, Protocol

from bot.delivery import poster
from bot.delivery.once import Outgoing, not_read_back
from bot.render.renderer import message
from bot.render.sentences import sentence
from bot.services import roleplays
from bot.services.deps import Deps
from bot.services.visibility import Viewer


class Threads(Protocol):
    def thread(self, payload: dict[str, Any], thread_ts: str | None = None) -> tuple[str, str]:
        """Post in the user's DM with coachbot (in a thread when given): (channel, ts)."""


def buyer_message(role: str, line: str) -> dict[str, Any]:
    return message("messages/roleplay_buyer.json.j2", role=role, line=line)


def start(surface: Threads, viewer: Viewer, deps: Deps, skill: str | None) -> None:
    started = roleplays.start(
        deps.db, viewer, skill, deps.today_for(viewer.timezone), deps.clock.now(), deps.config
    )
    intro = message("messages/roleplay_intro.json.j2", scenario=started.scenario.to_dict())
    channel, ts = surface.thread(intro)
    roleplays.attach_thread(deps.db, started.session_id, channel, ts)
    surface.thread(buyer_message(started.scenario.role, started.buyer), thread_ts=ts)


def answer(
    surface: Threads, viewer: Viewer, deps: Deps, session_id: int, thread_ts: str, text: str
) -> None:
    try:
        answered = roleplays.answer(deps.db, viewer, session_id, text, deps.clock.now())
    except roleplays.RoleplayError as problem:
        surface.thread(message("messages/notice.json.j2", text=str(problem)), thread_ts=thread_ts)
        return
    state = roleplays.scenario_of(deps.db, session_id)
    if answered.buyer:
        surface.thread(buyer_message(state.role, answered.buyer), thread_ts=thread_ts)
    if answered.finished and not answered.scores:
        stopped = message(
            "messages/notice.json.j2",
            text=sentence("roleplay_stopped_unscored"),
        )
        surface.thread(stopped, thread_ts=thread_ts)
    if answered.finished and answered.scores:
        assert viewer.workspace_id is not None and viewer.person_id is not None
        calls = roleplays.exemplar_calls(
            deps.db, viewer.workspace_id, viewer.person_id, state, deps.today_for(viewer.timezone)
        )
        card = message(
            "messages/roleplay_scorecard.json.j2",
            score=answered.score,
            items=[vars(i) for i in answered.scores],
            exemplar=answered.exemplar,
            exercise=answered.exercise,
            exemplar_calls=calls,
            resources=answered.resources,
        )
        surface.thread(card, thread_ts=thread_ts)


IDLE_NOTE = "roleplay-idle"  # the delivery kind: one closing line per role-play


def idle_notes(client: Any, closed: list[dict[str, Any]]) -> list[Outgoing]:
    """A polite closing line in the thread of each role-play closed for silence, once each."""
    note = message(
        "messages/notice.json.j2",
        text=sentence("roleplay_closed_idle"),
    )

    def send(channel: str, thread_ts: str, metadata: dict[str, Any]) -> dict[str, str]:
        ts = poster.post_to_conversation(client, channel, note, thread_ts, metadata)
        return {"channel": channel, "ts": ts}

    # A thread reply is not in the DM's history, so it is not read back after a crash.
    return [
        Outgoing(
            IDLE_NOTE,
            str(item["id"]),
            "",
            partial(send, item["channel"], item["thread_ts"]),
            not_read_back,
        )
        for item in closed
        if item["channel"] and item["thread_ts"]
    ]
