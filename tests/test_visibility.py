"""One visibility policy, every surface: walking the hierarchy (a director over two managers,
a manager, an admin nobody reports to, a rep, a stranger), each surface that shows other
people's performance shows exactly the reps `visible_reports` names: `/coach team`, the App
Home, the Friday digest (its reps, its reviews, its mentoring pairings) and `/coach rep`.

Org (tests/helpers.py + Max's team): Vera → Mia → Ann, Bob; Vera → Max → Zoe; Olu is admin."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.config import Settings
from bot.ids import Actions
from bot.services.identity import viewer_for_person
from bot.services.visibility import visible_reports
from bot.store.models import Pairing, Person
from jobs import digests
from jobs.context import JobContext
from tests.helpers import SLACK_USERS, TEAM
from tests.slack import requests as slack
from tests.slackapp import text_of

# Friday 19:30 in New York, 16:30 in Los Angeles: every manager's digest is due.
FRIDAY = datetime(2026, 12, 19, 0, 30, tzinfo=UTC)
REPS = {"U0ANN": "Ann Archer", "U0BOB": "Bob Baker", "U0ZOE": "Zoe Zhang"}
# Who sees whose performance: the policy, written out once by hand.
SEES = {
    "U0VP": {"Ann Archer", "Bob Baker", "Zoe Zhang"},  # two levels down, both teams
    "U0MIA": {"Ann Archer", "Bob Baker"},
    "U0MAX": {"Zoe Zhang"},
    "U0OPS": {"Ann Archer", "Bob Baker", "Zoe Zhang"},  # admin: the whole workspace
}
MANAGERS = ["U0VP", "U0MIA", "U0MAX"]


def _ids(db) -> dict[str, int]:
    with db.begin() as session:
        return {p.name: p.id for p in session.scalars(select(Person))}


def _names(db, person_ids: list[int]) -> set[str]:
    by_id = {v: k for k, v in _ids(db).items()}
    return {by_id[i] for i in person_ids}


def _opened_reps(db, blocks: list[dict[str, Any]]) -> set[str]:
    """The reps a message or view offers to open: its Open buttons' person ids, by name."""
    values = [
        int(b["accessory"]["value"])
        for b in blocks
        if b.get("accessory", {}).get("action_id") == Actions.OPEN_REP
    ]
    assert len(values) == len(set(values)), "a rep listed twice"
    return _names(db, values)


def _pair(db, mentee: str, mentor: str) -> None:
    ids = _ids(db)
    with db.begin() as session:
        workspace_id = session.scalar(select(Person.workspace_id).limit(1))
        session.add(
            Pairing(
                workspace_id=workspace_id,
                skill="discovery",
                mentor_id=ids[mentor],
                mentee_id=ids[mentee],
                status="accepted",
                benefit=1.0,
                evidence=[],
                invited_on=date(2026, 12, 1),
                expires_on=date(2026, 12, 8),
                channel=None,
                created_at=datetime(2026, 12, 1, tzinfo=UTC),
            )
        )


@pytest.mark.parametrize("user", [*SEES, "U0ANN"])
def test_visible_reports_is_the_policy(slack_app, db, user: str) -> None:
    viewer = viewer_for_person(db, Settings(), TEAM, _ids(db)[SLACK_USERS[user]["name"]])
    with db.begin() as session:
        seen = _names(db, visible_reports(session, viewer))
    reps_seen = seen & set(REPS.values())
    assert reps_seen == SEES.get(user, set())
    if user == "U0VP":
        assert {"Mia Manager", "Max Moreno"} <= seen  # the managers below her too


@pytest.mark.parametrize("user", list(SEES))
def test_coach_team_lists_exactly_the_visible_reps(slack_app, db, user: str) -> None:
    assert slack_app.command("team", user) == 200
    [dm] = slack_app.dms_to(user)
    assert _opened_reps(db, dm.json_field("blocks")) == SEES[user]


@pytest.mark.parametrize("user", list(SEES))
def test_app_home_lists_exactly_the_visible_reps(slack_app, db, user: str) -> None:
    assert slack_app.send(slack.app_home_opened(user)) == 200
    [published] = slack_app.stub.wait_for(
        "views.publish", where=lambda c: c.body["user_id"] == user
    )
    view = published.json_field("view")
    assert _opened_reps(db, view["blocks"]) == SEES[user]


# Bob has no Slack id in the CRM, so nobody can mention him yet.
MENTIONABLE = ["U0ANN", "U0ZOE"]


@pytest.mark.parametrize(("user", "rep"), [(u, r) for u in [*SEES, "U0ANN"] for r in MENTIONABLE])
def test_coach_rep_opens_exactly_the_visible_reps(slack_app, user: str, rep: str) -> None:
    assert slack_app.command(f"rep <@{rep}>", user) == 200
    if REPS[rep] in SEES.get(user, set()):
        [dm] = slack_app.dms_to(user)
        assert REPS[rep] in text_of(dm)
    else:
        [reply] = slack_app.ephemeral()
        assert ":lock:" in text_of(reply)
        assert slack_app.stub.calls_to("chat.postMessage") == []


def test_the_digest_shows_each_manager_their_whole_tree_and_nothing_else(
    slack_app, db, settings
) -> None:
    """A second-line manager's digest lists every rep below her and every open pairing of
    those reps, not only her direct reports' pairings; a first-line manager sees none of
    the other team's."""
    _pair(db, mentee="Ann Archer", mentor="Zoe Zhang")
    _pair(db, mentee="Zoe Zhang", mentor="Ann Archer")
    client = WebClient(token="xoxb-test", base_url=slack_app.stub.base_url)
    digests.run(JobContext(settings, db, client, FRIDAY))

    for user in MANAGERS:
        [digest] = [c for c in slack_app.dms_to(user) if "digest" in text_of(c)]
        assert _opened_reps(db, digest.json_field("blocks")) == SEES[user], user
        mentoring = [line for line in text_of(digest).splitlines() if " with " in line]
        mentees = {line.removeprefix("• ").split(" with ")[0] for line in mentoring}
        assert mentees == SEES[user] & {"Ann Archer", "Zoe Zhang"}, (user, mentoring)
