"""Plans in Slack: the manager approves or edits a draft from a DM, the rep gets it only after
approval, and the manager decides at a checkpoint. Signed requests, stub Web API."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.ids import Actions, Blocks, Views, decide_checkpoint_action
from bot.services import checkpoints, plans
from bot.store.models import Checkpoint, CoachingPlan, Delivery, PlanVersion
from tests.helpers import TEAM, draft_plan, person_id
from tests.slack import requests as slack
from tests.slackapp import at_once, text_of

START = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _person(db, email: str) -> int:
    return person_id(db, email)


def _draft(db, email: str = "ann@acme.example") -> int:
    return draft_plan(db, email, START, NOW)


def test_the_manager_approves_and_only_then_the_rep_gets_the_plan(slack_app, db) -> None:
    plan_id = _draft(db)
    slack_app.command("plan", "U0ANN")
    [pending] = slack_app.ephemeral()
    assert "reviewing a draft coaching plan" in text_of(pending)
    assert slack_app.stub.calls_to("chat.postMessage") == []

    assert slack_app.click(Actions.APPROVE_PLAN, "U0MIA", value=str(plan_id)) == 200
    [to_rep] = slack_app.dms_to("U0ANN")
    assert "Your coaching plan" in text_of(to_rep)
    assert "raise discovery → qualification conversion from 33% to 52%" in text_of(to_rep)
    [to_manager] = slack_app.dms_to("U0MIA")
    assert "Plan approved. Ann Archer has it in their DM now." in text_of(to_manager)
    with db.begin() as session:
        plan = session.get(CoachingPlan, plan_id)
        assert (plan.status, plan.started_on) == ("active", date(2026, 11, 20))
        days = session.scalars(select(Checkpoint.day).where(Checkpoint.plan_id == plan_id)).all()
        assert sorted(days) == [30, 60, 90]

    slack_app.command("plan", "U0ANN")
    assert "Your coaching plan" in text_of(slack_app.dms_to("U0ANN", 2)[1])


@pytest.mark.parametrize("user", ["U0ANN", "U0MAX"])
def test_the_rep_and_other_managers_cannot_approve(slack_app, db, user: str) -> None:
    plan_id = _draft(db)
    slack_app.click(Actions.APPROVE_PLAN, user, value=str(plan_id))
    [refused] = slack_app.dms_to(user)
    assert ":lock:" in text_of(refused)
    with db.begin() as session:
        assert session.get(CoachingPlan, plan_id).status == "draft"


def test_editing_targets_opens_a_modal_and_saves_a_new_version(slack_app, db) -> None:
    plan_id = _draft(db)
    slack_app.click(Actions.EDIT_PLAN, "U0MIA", value=str(plan_id))
    [opened] = slack_app.stub.wait_for("views.open")
    modal = opened.json_field("view")
    assert modal["callback_id"] == Views.EDIT_PLAN and modal["private_metadata"] == str(plan_id)
    block = Blocks.TARGET_PREFIX + "conversion:discovery>qualification"
    assert [b["block_id"] for b in modal["blocks"] if b["type"] == "input"] == [block]

    bad = slack.view_submission(
        Views.EDIT_PLAN,
        "U0MIA",
        {block: {"value": {"type": "plain_text_input", "value": "20"}}},
        private_metadata=str(plan_id),
    )
    status, _headers, body = slack.post(slack_app.events_url, bad)
    assert status == 200 and json.loads(body)["errors"] == {
        block: "The target must improve on the baseline."
    }

    good = slack.view_submission(
        Views.EDIT_PLAN,
        "U0MIA",
        {block: {"value": {"type": "plain_text_input", "value": "45%"}}},
        private_metadata=str(plan_id),
    )
    assert slack_app.send(good) == 200
    [updated] = slack_app.dms_to("U0MIA")
    assert "from 33% to 45%" in text_of(updated)
    with db.begin() as session:
        versions = session.scalars(
            select(PlanVersion).where(PlanVersion.plan_id == plan_id).order_by(PlanVersion.version)
        ).all()
        assert [v.objectives[0]["target"] for v in versions] == [0.52, 0.45]


def test_the_manager_decides_at_a_checkpoint(slack_app, db) -> None:
    plan_id, checkpoint_id = _reviewed(db)

    slack_app.click(decide_checkpoint_action("intensify"), "U0MIA", value=str(checkpoint_id))
    [recorded] = slack_app.dms_to("U0MIA")
    assert "Recorded: *intensify* for Ann Archer" in text_of(recorded)
    [told] = slack_app.dms_to("U0ANN")
    assert "day 30 of your coaching plan: *intensify*" in text_of(told)
    with db.begin() as session:
        checkpoint = session.get(Checkpoint, checkpoint_id)
        assert checkpoint.manager_decision == "intensify"
        assert session.get(CoachingPlan, plan_id).version == 2  # intensified cadence

    slack_app.click(decide_checkpoint_action("graduate"), "U0MIA", value=str(checkpoint_id))
    assert "Already done: this review was decided (intensify) on Nov 20" in text_of(
        slack_app.dms_to("U0MIA", 2)[1]
    )


def _viewer(db, email: str):
    from bot.config import Settings
    from bot.services.identity import viewer_for_person

    return viewer_for_person(db, Settings(), TEAM, _person(db, email))


def test_a_manager_of_managers_reads_the_digest_by_line_manager_and_who_decides(
    slack_app, db, settings
) -> None:
    from slack_sdk import WebClient

    from jobs import digests
    from jobs.context import JobContext

    plan_id = _draft(db)
    plans.approve(db, _viewer(db, "mia@acme.example"), plan_id, START, NOW)
    [checkpoint_id] = checkpoints.due_checkpoints(db, TEAM, START + timedelta(days=30))
    checkpoints.run_checkpoint(db, TEAM, checkpoint_id, NOW, ("prospecting", "discovery"))
    friday = datetime(2026, 12, 18, 21, 0, tzinfo=UTC)  # 16:00 in New York
    client = WebClient(token="xoxb-test", base_url=slack_app.stub.base_url)
    digests.run(JobContext(settings, db, client, friday))

    vera = next(text_of(c) for c in slack_app.dms_to("U0VP") if "digest" in text_of(c))
    assert "*Mia Manager's team*" in vera  # Vera's reports are Mia's team: titled by her
    assert "Ann Archer, day 30: coachbot suggests" in vera
    assert "— Mia Manager decides (the review with its buttons is in their DM)" in vera
    mia = next(text_of(c) for c in slack_app.dms_to("U0MIA") if "digest" in text_of(c))
    assert "you decide, with the buttons on the review in this DM" in mia
    assert "Mia Manager's team" not in mia  # her own reports: no title


def test_digest_groups_come_in_order_of_need() -> None:
    from bot.services.digests import by_line_manager

    def rep(rep_id: int, name: str, stake: float) -> dict:
        return {"rep_id": rep_id, "name": name, "revenue_at_stake": stake}

    reps = [rep(1, "Ann", 0), rep(2, "Bob", 5000), rep(3, "Cy", 900), rep(4, "Di", 8000)]
    lines = {1: (10, "Vera"), 2: (11, "Mia"), 3: (12, "Max"), 4: (12, "Max")}
    groups = by_line_manager(reps, lines, manager_id=10)
    assert [(g["own"], g["line_manager"]) for g in groups] == [
        (True, "Vera"),
        (False, "Max"),
        (False, "Mia"),
    ]
    assert [r["name"] for r in groups[1]["reps"]] == ["Di", "Cy"]  # most at stake first


def test_five_approvals_at_once_approve_once(slack_app, db) -> None:
    plan_id = _draft(db)
    click = lambda: slack_app.click(Actions.APPROVE_PLAN, "U0MIA", value=str(plan_id))  # noqa: E731
    assert at_once(*[click] * 5) == [200] * 5
    answers = [text_of(c) for c in slack_app.dms_to("U0MIA", 5)]
    assert sum("Plan approved. Ann Archer has it in their DM now." in t for t in answers) == 1
    assert sum("Already done: this plan was approved on Nov 20" in t for t in answers) == 4
    assert not any("Something went wrong" in t for t in answers)
    slack_app.stub.none_within("chat.postMessage", 0.5, where=_to("U0ANN", slack_app), already=1)
    with db.begin() as session:
        days = session.scalars(select(Checkpoint.day).where(Checkpoint.plan_id == plan_id)).all()
        assert sorted(days) == [30, 60, 90]
        sent = session.scalars(select(Delivery).where(Delivery.kind == "plan-approved")).all()
        assert [(row.recipient, row.period, row.status) for row in sent] == [
            ("U0ANN", str(plan_id), "sent")
        ]


def _to(user: str, slack_app):
    channel = slack_app.stub.dm_channel(user)
    return lambda call: call.channel == channel


def test_two_decisions_at_once_on_one_review_leave_one(slack_app, db) -> None:
    plan_id, checkpoint_id = _reviewed(db)
    value = str(checkpoint_id)
    at_once(
        lambda: slack_app.click(decide_checkpoint_action("graduate"), "U0MIA", value=value),
        lambda: slack_app.click(decide_checkpoint_action("intensify"), "U0MIA", value=value),
    )
    answers = [text_of(c) for c in slack_app.dms_to("U0MIA", 2)]
    with db.begin() as session:
        decided = session.get(Checkpoint, checkpoint_id).manager_decision
        plan = session.get(CoachingPlan, plan_id)
        versions = session.scalars(select(PlanVersion).where(PlanVersion.plan_id == plan_id)).all()
    assert sum(f"Recorded: *{decided}* for Ann Archer" in t for t in answers) == 1
    assert sum(f"Already done: this review was decided ({decided})" in t for t in answers) == 1
    if decided == "graduate":  # graduated, and not intensified as well
        assert (plan.status, len(versions)) == ("graduated", 1)
    else:
        assert (decided, plan.status, len(versions)) == ("intensify", "active", 2)
    slack_app.stub.none_within("chat.postMessage", 0.5, where=_to("U0ANN", slack_app), already=1)


def _reviewed(db) -> tuple[int, int]:
    """An approved plan whose day-30 review has been measured: (plan id, checkpoint id)."""
    plan_id = _draft(db)
    plans.approve(db, _viewer(db, "mia@acme.example"), plan_id, START, NOW)
    [checkpoint_id] = checkpoints.due_checkpoints(db, TEAM, START + timedelta(days=30))
    checkpoints.run_checkpoint(
        db,
        TEAM,
        checkpoint_id,
        NOW,
        ("prospecting", "discovery", "qualification", "proposal", "negotiation"),
    )
    return plan_id, checkpoint_id
