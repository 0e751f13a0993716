"""Mentoring in Slack: invitations with Accept and Decline, the group DM that introduces mentor
and mentee, and peer-group introductions. Used by listeners, the CLI and jobs."""

from __future__ import annotations

import logging
from datetime import date
from functools import partial
from typing import Any

from bot.delivery import poster
from bot.delivery.once import Outgoing, not_read_back
from bot.render.renderer import message
from bot.render.sentences import sentence
from bot.services import pairing
from bot.services.playbooks import PlaybookError, playbook_for
from bot.services.roleplays import content
from bot.store.engine import Database
from bot.vocabulary import DEFAULT_STAGES

logger = logging.getLogger(__name__)
MENTOR_INVITE, MENTOR_INTRO, PEER_GROUP = "mentor-invite", "mentor-intro", "peer-group"


def invite(
    client: Any, db: Database, pairing_id: int, metadata: dict[str, Any] | None = None
) -> tuple[str, str] | None:
    """DM the invitation to the mentor: (channel, ts); None when the mentor has no Slack
    account."""
    details = pairing.pairing_details(db, pairing_id)
    if not details["mentor_slack_id"]:
        logger.warning("pairing %s: mentor has no Slack id; invitation not sent", pairing_id)
        return None
    return poster.post_dm(
        client,
        details["mentor_slack_id"],
        message("messages/mentor_invitation.json.j2", pairing=details),
        metadata=metadata,
    )


def mentor_dm(client: Any, db: Database, pairing_id: int) -> str | None:
    """The mentor's DM with coachbot, where the invitation goes."""
    mentor = pairing.pairing_details(db, pairing_id)["mentor_slack_id"]
    return poster.open_dm(client, mentor) if mentor else None


def introduction(
    client: Any, db: Database, pairing_id: int, today: date, team_id: str | None = None
) -> Outgoing | None:
    """The group DM with mentor, mentee and coachbot that follows an accepted invitation (the
    agenda and the schedule), keyed by the pairing so that it is posted once however often
    the acceptance arrives; None when one of the two is not on Slack."""
    details = pairing.pairing_details(db, pairing_id)
    users = [details["mentor_slack_id"], details["mentee_slack_id"]]
    if not all(users):
        return None

    def send(metadata: dict[str, Any]) -> dict[str, str]:
        channel = poster.open_group_dm(client, users)
        payload = message(
            "messages/mentoring_intro.json.j2",
            pairing=details,
            sessions=pairing.schedule(today),
            playbook_tip=_playbook_line(db, team_id, details["skill"], today),
        )
        pairing.set_channel(db, pairing_id, channel)
        ts = poster.post_to_conversation(client, channel, payload, metadata=metadata)
        return {"channel": channel, "ts": ts}

    return Outgoing(MENTOR_INTRO, str(pairing_id), "", send, not_read_back)


def invitation(client: Any, db: Database, pairing_id: int) -> Outgoing:
    """The invitation to the pairing's mentor, once per pairing (the round job, the CLI and
    a declined mentor's next round all send through this key)."""
    return Outgoing(
        MENTOR_INVITE,
        str(pairing_id),
        "",
        partial(_posted, invite, client, db, pairing_id),
        partial(mentor_dm, client, db, pairing_id),
    )


def group_introduction(client: Any, db: Database, group_id: int, week: str) -> Outgoing:
    return Outgoing(
        PEER_GROUP,
        str(group_id),
        week,
        partial(_posted, introduce_group, client, db, group_id),
        not_read_back,
    )


def _posted(
    post: Any, client: Any, db: Database, item_id: int, metadata: dict[str, Any]
) -> dict[str, str]:
    """Post one invitation or introduction; a recipient not on Slack is nothing to send."""
    posted = post(client, db, item_id, metadata)
    if posted is None:
        return {}
    channel, ts = posted
    return {"channel": channel, "ts": ts}


def introduce_group(
    client: Any, db: Database, group_id: int, metadata: dict[str, Any] | None = None
) -> tuple[str, str] | None:
    """Introduce a peer group in a group DM of its own: (channel, ts); None when fewer than
    three of them are on Slack."""
    channel = group_dm(client, db, group_id)
    if channel is None:
        return None
    details = pairing.group_details(db, group_id)
    payload = message("messages/peer_group_intro.json.j2", group=details)
    pairing.set_group_channel(db, group_id, channel)
    return channel, poster.post_to_conversation(client, channel, payload, metadata=metadata)


def group_dm(client: Any, db: Database, group_id: int) -> str | None:
    """The group DM of a peer group's members and coachbot (the same one every time)."""
    details = pairing.group_details(db, group_id)
    users = [details["leader_slack_id"], *(m["slack_id"] for m in details["members"])]
    users = [u for u in users if u]
    if len(users) < 3:
        return None
    return poster.open_group_dm(client, users)


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
    return sentence(
        "playbook_line",
        label=top.label,
        top=top.top,
        others=top.others,
        unit=top.unit,
        note=top.note,
    )
