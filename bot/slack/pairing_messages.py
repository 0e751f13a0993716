"""Mentoring in Slack: invitations with Accept and Decline, the group DM that introduces mentor
and mentee, and peer-group introductions. Used by listeners, the CLI and jobs."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from bot.render.formats import value_in
from bot.render.renderer import message
from bot.services import pairing
from bot.services.playbooks import PlaybookError, playbook_for
from bot.services.roleplays import content
from bot.slack import privacy
from bot.store.engine import Database
from bot.vocabulary import DEFAULT_STAGES

logger = logging.getLogger(__name__)


def invite(client: Any, db: Database, pairing_id: int) -> bool:
    """DM the invitation to the mentor; False when the mentor has no Slack account."""
    details = pairing.pairing_details(db, pairing_id)
    if not details["mentor_slack_id"]:
        logger.warning("pairing %s: mentor has no Slack id; invitation not sent", pairing_id)
        return False
    privacy.send_dm(
        client,
        details["mentor_slack_id"],
        message("messages/mentor_invitation.json.j2", pairing=details),
    )
    return True


def introduce(
    client: Any, db: Database, pairing_id: int, today: date, team_id: str | None = None
) -> str | None:
    """A group DM with mentor, mentee and coachbot: the agenda and the schedule."""
    details = pairing.pairing_details(db, pairing_id)
    users = [details["mentor_slack_id"], details["mentee_slack_id"]]
    if not all(users):
        return None
    channel = client.conversations_open(users=",".join(users))["channel"]["id"]
    payload = message(
        "messages/mentoring_intro.json.j2",
        pairing=details,
        sessions=pairing.schedule(today),
        playbook_tip=_playbook_line(db, team_id, details["skill"], today),
    )
    pairing.set_channel(db, pairing_id, channel)
    client.chat_postMessage(channel=channel, text=payload["text"], blocks=payload["blocks"])
    return channel


def introduce_group(client: Any, db: Database, group_id: int) -> str | None:
    details = pairing.group_details(db, group_id)
    users = [details["leader_slack_id"], *(m["slack_id"] for m in details["members"])]
    users = [u for u in users if u]
    if len(users) < 3:
        return None
    channel = client.conversations_open(users=",".join(users))["channel"]["id"]
    payload = message("messages/peer_group_intro.json.j2", group=details)
    pairing.set_group_channel(db, group_id, channel)
    client.chat_postMessage(channel=channel, text=payload["text"], blocks=payload["blocks"])
    return channel


def _playbook_line(db: Database, team_id: str | None, skill: str, today: date) -> str | None:
    """The playbook's sharpest difference in one line (`coachbot playbook SKILL` has it all)."""
    if team_id is None:
        return content()["skills"][skill]["tips"][0]
    try:
        book = playbook_for(db, team_id, skill, today, DEFAULT_STAGES)
    except PlaybookError:
        return content()["skills"][skill]["tips"][0]
    if not book.behaviours:
        return book.tips[0] if book.tips else None
    top = book.behaviours[0]
    return (
        f"{top.label}: top performers {value_in(top.top, top.unit)}, "
        f"everyone else {value_in(top.others, top.unit)}. {top.note} "
        f"(`coachbot playbook {skill}`)"
    )
