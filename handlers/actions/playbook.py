"""'Show the playbook': a skill's playbook, from the team's own data, in the clicker's DM.
It names no rep, so anyone in the workspace may read it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.render.renderer import message
from bot.render.sentences import sentence
from bot.services.answers import notice, unknown_user_message
from bot.services.playbooks import PlaybookError, playbook_for
from bot.services.roleplays import content
from bot.slack.middleware import clicker
from bot.vocabulary import SKILLS


def show_playbook(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    viewer, deps, surface = clicker(body, client, context)
    skill = action.get("value")
    if skill not in SKILLS:
        surface.reply(notice(sentence("skill_button_stale")))
        return
    if not viewer.known:
        surface.reply(unknown_user_message(viewer))
        return
    today = deps.today_for(viewer.timezone)
    try:
        book: Any = playbook_for(deps.db, viewer.team_id, skill, today, deps.settings.stages)
        from_data = True
    except PlaybookError:  # too little data yet: the coaching library's advice instead
        library = content()["skills"][skill]
        book = SimpleNamespace(
            skill=skill,
            summary=library["summary"],
            behaviours=(),
            tips=tuple(library["tips"]),
            exercise=library["exercise"],
        )
        from_data = False
    surface.reply(message("messages/playbook.json.j2", book=book, from_data=from_data))
