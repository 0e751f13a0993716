"""The feedback modal: checked, answered in the modal on mistakes, saved as a feedback row."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.ids import Blocks
from bot.render.sentences import mrkdwn_sentence, sentence
from bot.services import coach
from bot.services.answers import StaleButton, button_id, notice, refusal
from bot.services.outcomes import AlreadyDone
from bot.slack.middleware import clicker
from bot.slack.once import submission_key
from bot.vocabulary import FEEDBACK_SOURCES, SKILLS


def _selected(values: dict[str, Any], block: str) -> str | None:
    element = values.get(block, {}).get("value", {})
    option = element.get("selected_option")
    return option.get("value") if option else element.get("value")


def feedback_submitted(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    values = view["state"]["values"]
    skill = _selected(values, Blocks.FEEDBACK_SKILL)
    rating = _selected(values, Blocks.FEEDBACK_RATING)
    source = _selected(values, Blocks.FEEDBACK_SOURCE) or "manager"
    note = _selected(values, Blocks.FEEDBACK_NOTE)
    errors = {}
    if skill not in SKILLS:
        errors[Blocks.FEEDBACK_SKILL] = sentence("pick_a_skill")
    if rating not in {"1", "2", "3", "4", "5"}:
        errors[Blocks.FEEDBACK_RATING] = sentence("pick_a_rating")
    if source not in FEEDBACK_SOURCES:
        errors[Blocks.FEEDBACK_SOURCE] = sentence("pick_a_source")
    if note and len(note) > 2000:
        errors[Blocks.FEEDBACK_NOTE] = sentence("note_too_long")
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    viewer, deps, surface = clicker(body, client, context)
    try:
        about_id = button_id(view.get("private_metadata"))
        coach.record_feedback(
            deps.db,
            viewer,
            about_id,
            str(skill),
            int(str(rating)),
            str(source),
            note,
            deps.today_for(viewer.timezone),
            deps.clock.now(),
            request=submission_key(body),
        )
    except AlreadyDone as done:
        surface.reply(refusal(done))
        return
    except (StaleButton, coach.NotAllowed) as refused:
        surface.reply(refusal(refused, sentence("feedback_not_saved")))
        return
    name = coach.person_name(deps.db, viewer, about_id) or "them"
    surface.reply(notice(mrkdwn_sentence("feedback_saved", name=name)))
