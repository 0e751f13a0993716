"""Coaching plans through their life, through the services (bot/services/plans.py and
effectiveness.py) on the test database: drafted from the assessment, approved by the manager,
reviewed at 30, 60 and 90 days, closed by the manager's decision; then whether coaching worked.

A synthetic org built in the test: one manager with eight reps in team East (so every rep has
peers), another manager with no reports, an admin. Every rep closes one deal a day; a deal
that got past discovery is won, one that did not is lost at discovery, so each rep's
discovery → qualification conversion is exactly the share of won deals, set per 30-day block.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from scipy import stats as sps
from sqlalchemy import select

from bot.analytics import catalog as c
from bot.coaching.assessment import AssessmentConfig
from bot.coaching.checkpoints import Decision, Standing
from bot.coaching.effectiveness import Observation
from bot.coaching.plans import APPROACHES, BASE_CADENCE, INTENSIFIED_CADENCE
from bot.services import people
from bot.services.checkpoints import confirm, due_checkpoints, run_checkpoint
from bot.services.effectiveness import effectiveness, report_frame
from bot.services.outcomes import AlreadyDone
from bot.services.plans import (
    PlanError,
    approve,
    draft_plans,
    edit_targets,
    list_plans,
    log_session,
    plan_details,
)
from bot.services.visibility import Viewer
from bot.store.engine import Database
from bot.store.models import CoachingPlan, CoachingSession, Person, PlanVersion
from bot.store.workspaces import find_workspace_id
from tests.helpers import TEAM, run, write

S = date(2026, 6, 1)  # the plans' start
CONFIG = AssessmentConfig()
STAGES = CONFIG.stages
DISCOVERY = c.conversion_name("discovery", "qualification")
AMOUNT = 10000
HOURLY = 150.0
Z90 = sps.norm.ppf(0.95)

# Deals won (= past discovery) out of 30 in each 30-day block: three before S, three after.
IMPROVING = (9, 9, 9, 12, 12, 27)  # 30% before; 40% for 60 days, then 90%: 51/90 since S
STAGNANT = (9, 9, 9, 8, 8, 8)  # 30% before, 27% since S
FLAT = (20, 20, 20, 20, 20, 20)  # peers: 67% throughout
CATCHING_UP = (9, 9, 9, 17, 17, 17)  # +8 points a block...
RISING = (20, 20, 20, 28, 28, 28)  # ...and the peers +8 too

REPS = ("ivy", "sam", "pia", "pat", "pam", "pei", "pol", "pru")
PEERS = REPS[2:]

PEOPLE_HEADER = (
    "email,name,role,manager_email,team,region,segment,timezone,slack_user_id,hire_date,active"
)
DEALS_HEADER = (
    "external_id,owner,account,amount,currency,created_on,closed_on,furthest_stage,outcome"
)


def moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def people_csv() -> str:
    rows = [
        PEOPLE_HEADER,
        "mgr@acme.example,Maya Manager,manager,,East,NA,mid_market,UTC,U0MGR,2020-01-06,true",
        "west@acme.example,Wes West,manager,,West,NA,mid_market,UTC,U0WEST,2020-01-06,true",
        "ops@acme.example,Olu Ops,admin,,,,,UTC,U0OPS,2020-01-06,true",
    ]
    rows += [
        f"{rep}@acme.example,{rep.title()} Rep,rep,mgr@acme.example,East,NA,mid_market,UTC,"
        f"U0{rep.upper()},2020-01-06,true"
        for rep in REPS
    ]
    return "\n".join(rows) + "\n"


def deals_csv(blocks: dict[str, tuple[int, ...]]) -> str:
    """One deal closed a day per rep over (S - 90, S + 90]; in each 30-day block exactly
    `won` of the 30 got past discovery (won) and the rest were lost at discovery, spread
    evenly through the block. Every deal is created 20 days before it closes."""
    rows = [DEALS_HEADER]
    for rep, wins in blocks.items():
        for block, won in enumerate(wins):
            for d in range(1, 31):
                closed = S + timedelta(days=30 * (block - 3) + d)
                success = (d * won) // 30 > ((d - 1) * won) // 30
                stage, outcome = ("negotiation", "won") if success else ("discovery", "lost")
                rows.append(
                    f"{rep}-{block}-{d},{rep}@acme.example,Acme {rep},{AMOUNT},USD,"
                    f"{closed - timedelta(days=20)},{closed},{stage},{outcome}"
                )
    return "\n".join(rows) + "\n"


@dataclass(frozen=True)
class Org:
    db: Database
    workspace_id: int
    ids: dict[str, int]  # by the part of the email before @

    def viewer(self, who: str) -> Viewer:
        """The person as coachbot's Slack layer would identify them."""
        with self.db.begin() as session:
            person = people.by_email(session, self.workspace_id, f"{who}@acme.example")
            assert person is not None
            return Viewer(
                team_id=TEAM,
                slack_user_id=person.slack_user_id or "",
                workspace_id=self.workspace_id,
                person_id=person.id,
                name=person.name,
                role=person.role,
                is_admin=person.role == "admin",
                timezone="UTC",
            )


def build(db, settings, clock, folder: Path, blocks: dict[str, tuple[int, ...]]) -> Org:
    reports = run(
        db,
        settings,
        clock,
        write(folder, "people.csv", people_csv()),
        write(folder, "deals.csv", deals_csv(blocks)),
    )
    assert [(r.kind, r.created) for r in reports] == [("people", 11), ("deals", 8 * 180)]
    with db.begin() as session:
        workspace_id = find_workspace_id(session, TEAM)
        assert workspace_id is not None
        ids = {
            p.email.split("@")[0]: p.id
            for p in session.scalars(select(Person).where(Person.workspace_id == workspace_id))
        }
    return Org(db, workspace_id, ids)


@pytest.fixture
def org(db, settings, clock, tmp_path) -> Org:
    """Ivy improves after S, Sam does not; the six peers stay flat."""
    blocks = {"ivy": IMPROVING, "sam": STAGNANT} | dict.fromkeys(PEERS, FLAT)
    return build(db, settings, clock, tmp_path, blocks)


def draft(org: Org, today: date = S, rep_ids: list[int] | None = None) -> dict[int, dict]:
    """Draft plans as of `today`: {rep id: the plan's details}."""
    created = draft_plans(org.db, TEAM, today, moment(today), CONFIG, rep_ids)
    return {p["rep_id"]: p for p in list_plans(org.db, TEAM, created)}


def checkpoint_id(org: Org, plan_id: int, day: int) -> int:
    (plan,) = list_plans(org.db, TEAM, [plan_id])
    return next(cp["id"] for cp in plan["checkpoints"] if cp["day"] == day)


def versions(org: Org, plan_id: int) -> list[PlanVersion]:
    with org.db.begin() as session:
        rows = session.scalars(
            select(PlanVersion).where(PlanVersion.plan_id == plan_id).order_by(PlanVersion.version)
        ).all()
        session.expunge_all()
        return list(rows)


def plan_row(org: Org, plan_id: int) -> CoachingPlan:
    with org.db.begin() as session:
        plan = session.get(CoachingPlan, plan_id)
        assert plan is not None
        session.expunge(plan)
        return plan


def review_at(org: Org, plan_id: int, day: int):
    """Run the plan's checkpoint the day it is due, as the nightly job does."""
    due = due_checkpoints(org.db, TEAM, S + timedelta(days=day))
    cid = checkpoint_id(org, plan_id, day)
    assert cid in due
    return cid, run_checkpoint(org.db, TEAM, cid, moment(S + timedelta(days=day)), STAGES)


# --- drafting -----------------------------------------------------------------------------


def test_drafts_a_discovery_plan_for_the_reps_behind_their_peers(org) -> None:
    plans = draft(org)

    ivy, sam = org.ids["ivy"], org.ids["sam"]
    assert sorted(plans) == sorted([ivy, sam])  # the flat peers have no gap
    plan = plans[ivy]
    assert plan["status"] == "draft" and plan["version"] == 1 and plan["drafted_on"] == S
    assert plan["manager_id"] == org.ids["mgr"] and plan["started_on"] is None
    assert plan["checkpoints"] == []  # scheduled on approval
    (objective,) = plan["objectives"]
    assert objective["skill"] == "discovery" and objective["metric"] == DISCOVERY
    # 27 of 90 past discovery; peers (the six at 60/90 and Sam at 27/90): 387/630.
    assert objective["baseline"] == 0.3 and objective["baseline_n"] == 90
    assert objective["benchmark"] == pytest.approx(387 / 630, abs=1e-4)
    assert objective["target"] == 0.46  # 0.30 + (0.6143 - 0.30) / 2, whole points
    assert objective["deadline"] == "2026-08-30"
    assert objective["statement"] == (
        "raise discovery → qualification conversion from 30% to 46% by Aug 30, 2026"
    )
    assert objective["approach"] == list(APPROACHES["discovery"])
    assert plan["cadence"] == list(BASE_CADENCE)


def test_no_second_draft_while_a_plan_is_open(org) -> None:
    first = draft(org)
    again = draft(org, S + timedelta(days=1))

    assert len(first) == 2 and again == {}


# --- the improving rep: on track, then graduated -----------------------------------------


def test_improving_rep_is_on_track_at_30_and_60_days_then_graduates(org) -> None:
    manager = org.viewer("mgr")
    plan_id = draft(org)[org.ids["ivy"]]["id"]

    approve(org.db, manager, plan_id, S, moment(S))

    (plan,) = list_plans(org.db, TEAM, [plan_id])
    assert plan["status"] == "active" and plan["started_on"] == S and plan["version"] == 1
    assert [(cp["day"], cp["due_on"]) for cp in plan["checkpoints"]] == [
        (30, S + timedelta(days=30)),
        (60, S + timedelta(days=60)),
        (90, S + timedelta(days=90)),
    ]
    assert plan_row(org, plan_id).approved_by == org.ids["mgr"]
    assert due_checkpoints(org.db, TEAM, S + timedelta(days=29)) == []

    cid, day30 = review_at(org, plan_id, 30)
    # 12 of 30 since S: (0.40 - 0.30) / (0.46 - 0.30) = 0.625 of the way, ahead of 1/6; but
    # its interval (27%-55%) still holds the 30% baseline, so it is not called on track yet.
    (progress,) = day30.progress
    assert (progress.measured.value, progress.measured.sample_size) == (0.4, 30)
    assert progress.progress == 0.625 and progress.standing == Standing.NOT_YET_CLEAR
    assert day30.decision == Decision.CONTINUE
    assert cid not in due_checkpoints(org.db, TEAM, S + timedelta(days=30))  # reviewed
    assert confirm(org.db, manager, cid, "continue", moment(S + timedelta(days=31))) == "active"

    cid, day60 = review_at(org, plan_id, 60)
    (progress,) = day60.progress
    assert (progress.measured.value, progress.measured.sample_size) == (0.4, 60)
    assert progress.standing == Standing.ON_TRACK and day60.decision == Decision.CONTINUE
    assert confirm(org.db, manager, cid, "continue", moment(S + timedelta(days=61))) == "active"

    cid, day90 = review_at(org, plan_id, 90)
    (progress,) = day90.progress
    # 51 of 90 since S: past the 46% target.
    assert progress.measured.value == pytest.approx(51 / 90)
    assert progress.standing == Standing.MET and day90.decision == Decision.GRADUATE
    assert confirm(org.db, manager, cid, "graduate", moment(S + timedelta(days=91))) == "graduated"

    (plan,) = list_plans(org.db, TEAM, [plan_id])
    assert plan["status"] == "graduated" and plan_row(org, plan_id).closed_on == S + timedelta(90)
    assert [(cp["decision"], cp["manager_decision"]) for cp in plan["checkpoints"]] == [
        ("continue", "continue"),
        ("continue", "continue"),
        ("graduate", "graduate"),
    ]
    assert due_checkpoints(org.db, TEAM, S + timedelta(days=200)) == []
    with pytest.raises(AlreadyDone, match=r"this review was decided \(graduate\) on Aug 31"):
        confirm(org.db, manager, cid, "continue", moment(S + timedelta(days=92)))


# --- the stagnant rep: intensified, then re-planned ---------------------------------------


def test_stagnant_rep_is_intensified_then_replanned_and_the_next_plan_is_stronger(org) -> None:
    manager = org.viewer("mgr")
    sam = org.ids["sam"]
    plan_id = draft(org)[sam]["id"]
    approve(org.db, manager, plan_id, S, moment(S))

    cid, day30 = review_at(org, plan_id, 30)
    (progress,) = day30.progress
    # 8 of 30 since S: below the 30% baseline.
    assert progress.measured.value == pytest.approx(8 / 30)
    assert progress.standing == Standing.NO_PROGRESS and day30.decision == Decision.INTENSIFY
    assert "behind the pace needed" in day30.reason
    assert confirm(org.db, manager, cid, "intensify", moment(S + timedelta(days=31))) == "active"

    history = versions(org, plan_id)
    assert [v.version for v in history] == [1, 2]
    assert history[0].cadence == list(BASE_CADENCE)  # the old version is kept as it was
    assert history[1].cadence == list(INTENSIFIED_CADENCE)
    assert history[1].objectives == history[0].objectives
    assert history[1].created_by == org.ids["mgr"]
    assert list_plans(org.db, TEAM, [plan_id])[0]["cadence"] == list(INTENSIFIED_CADENCE)

    cid, day60 = review_at(org, plan_id, 60)
    assert day60.decision == Decision.INTENSIFY
    assert confirm(org.db, manager, cid, "intensify", moment(S + timedelta(days=61))) == "active"
    assert [v.version for v in versions(org, plan_id)] == [1, 2, 3]

    cid, day90 = review_at(org, plan_id, 90)
    assert day90.decision == Decision.REPLAN
    assert day90.reason.startswith("After 90 days the objectives moved 0% of the way")
    assert confirm(org.db, manager, cid, "replan", moment(S + timedelta(days=91))) == "replanned"
    assert plan_row(org, plan_id).closed_on == S + timedelta(days=90)

    # The next plan for the same gap: the approach adds mentoring and training, and the
    # cadence starts intensified.
    later = S + timedelta(days=90)
    redrafted = draft(org, later, [sam])
    assert list(redrafted) == [sam]
    plan = redrafted[sam]
    assert plan["id"] != plan_id and plan["status"] == "draft" and plan["version"] == 1
    (objective,) = plan["objectives"]
    assert objective["skill"] == "discovery"
    assert objective["approach"] == [*APPROACHES["discovery"], "mentoring", "training"]
    assert plan["cadence"] == list(INTENSIFIED_CADENCE)
    # Measured afresh over (S, S + 90]: 24 of 90.
    assert objective["baseline"] == pytest.approx(24 / 90, abs=1e-4)


def test_intensifying_at_day_90_leaves_the_plan_reviewable_or_closed(
    db, settings, clock, tmp_path
) -> None:
    # Ivy moves from 30% to 11 of 30 a block: 0.4167 of the way to 46%, behind at day 90.
    org = build(
        db,
        settings,
        clock,
        tmp_path,
        {"ivy": (9, 9, 9, 11, 11, 11), "sam": STAGNANT} | dict.fromkeys(PEERS, FLAT),
    )
    manager = org.viewer("mgr")
    plan_id = draft(org)[org.ids["ivy"]]["id"]
    approve(org.db, manager, plan_id, S, moment(S))
    for day in (30, 60):
        cid, result = review_at(org, plan_id, day)
        assert result.decision == Decision.CONTINUE
        confirm(org.db, manager, cid, "continue", moment(S + timedelta(days=day)))
    cid, day90 = review_at(org, plan_id, 90)
    assert day90.progress[0].progress == pytest.approx(0.417, abs=1e-3)
    assert day90.decision == Decision.INTENSIFY and "still behind at day 90" in day90.reason

    status = confirm(org.db, manager, cid, "intensify", moment(S + timedelta(days=90)))

    (plan,) = list_plans(org.db, TEAM, [plan_id])
    pending = [cp for cp in plan["checkpoints"] if cp["manager_decision"] is None]
    assert status not in ("draft", "active") or pending, (
        f"plan {status} with every checkpoint decided"
    )


# --- did coaching work? --------------------------------------------------------------------


def rate(successes: int) -> Observation:
    return Observation.rate(successes, 90)


def expected_did(before: int, after: int, peers: list[tuple[int, int]]) -> tuple[float, float]:
    """Effect and half-width from the formula in difference_in_differences' docstring."""
    changes = [(a - b) / 90 for b, a in peers]
    k = len(changes)
    mean = sum(changes) / k
    spread = sum((x - mean) ** 2 for x in changes) / (k - 1)
    sampling = sum(rate(b).variance + rate(a).variance for b, a in peers) / k
    variance = rate(before).variance + rate(after).variance + max(spread, sampling) / k
    return (after - before) / 90 - mean, Z90 * variance**0.5


def test_effectiveness_credits_the_improving_rep_against_flat_peers(org) -> None:
    manager = org.viewer("mgr")
    plans = draft(org)
    ivy_plan, sam_plan = plans[org.ids["ivy"]]["id"], plans[org.ids["sam"]]["id"]
    for plan_id in (ivy_plan, sam_plan):
        approve(org.db, manager, plan_id, S, moment(S))
    log_session(org.db, manager, ivy_plan, "one_on_one", 60, S + timedelta(days=7))
    log_session(org.db, manager, ivy_plan, "roleplay", 90, S + timedelta(days=14))
    log_session(org.db, manager, ivy_plan, "observation", 30, S + timedelta(days=21))

    report = effectiveness(org.db, TEAM, S + timedelta(days=90), HOURLY, STAGES)

    by_rep = {p.rep_id: p for p in report.plans}
    ivy, sam = by_rep[org.ids["ivy"]], by_rep[org.ids["sam"]]
    assert (ivy.plan_id, ivy.status, ivy.started_on, ivy.days) == (ivy_plan, "active", S, 90)
    assert ivy.rep_name == "Ivy Rep"
    (objective,) = ivy.objectives
    assert objective.metric == DISCOVERY and objective.baseline == pytest.approx(0.3)
    assert objective.current == pytest.approx(51 / 90) and objective.met
    # Sam was coached on discovery over the same weeks: not a comparison rep. The six peers
    # stayed at 60 of 90.
    effect = objective.effect
    assert effect.comparison_reps == 6
    assert effect.coached_change == pytest.approx(24 / 90)
    assert effect.comparison_change == pytest.approx(0.0)
    value, half = expected_did(27, 51, [(60, 60)] * 6)
    assert effect.effect == pytest.approx(value) and value > 0
    assert (effect.low, effect.high) == pytest.approx((value - half, value + half))
    assert effect.low > 0 and effect.credible

    # A point of conversion is worth the 90 deals that reached discovery x 1 win per deal
    # that advanced x $10,000 a win.
    assert objective.revenue_per_unit == pytest.approx(90 * AMOUNT)
    assert ivy.hours == 3.0
    assert ivy.roi.cost == pytest.approx(180 / 60 * HOURLY)
    revenue = ivy.roi.attributable_revenue
    assert revenue == pytest.approx(value * 90 * AMOUNT)  # $240,000
    assert ivy.roi.roi == pytest.approx((revenue - ivy.roi.cost) / ivy.roi.cost)
    assert ivy.roi.revenue_low == pytest.approx(effect.low * 90 * AMOUNT)

    # Sam: no time logged, so no return; his change is measured all the same.
    (stalled,) = sam.objectives
    assert stalled.effect.comparison_reps == 6  # Ivy is left out the same way
    assert stalled.effect.effect == pytest.approx(-3 / 90) and not stalled.met
    assert sam.hours == 0 and sam.roi.cost == 0 and sam.roi.roi is None
    assert sam.roi.explanation == "No coaching time logged, so no return can be computed."

    # The whole report.
    assert report.attainment == 0.5
    assert report.total_cost == pytest.approx(450.0)
    assert report.attributable_revenue == pytest.approx(
        ivy.roi.attributable_revenue + sam.roi.attributable_revenue
    )
    assert report.roi == pytest.approx((report.attributable_revenue - 450.0) / 450.0)
    frame = report_frame(report)
    assert len(frame) == 2 and set(frame["comparison reps"]) == {6}


def test_effectiveness_is_about_zero_when_the_peers_improved_just_as_much(
    db, settings, clock, tmp_path
) -> None:
    org = build(
        db, settings, clock, tmp_path, {"ivy": CATCHING_UP} | dict.fromkeys(REPS[1:], RISING)
    )
    manager = org.viewer("mgr")
    plans = draft(org)
    assert list(plans) == [org.ids["ivy"]]
    plan_id = plans[org.ids["ivy"]]["id"]
    approve(org.db, manager, plan_id, S, moment(S))
    log_session(org.db, manager, plan_id, "one_on_one", 120, S + timedelta(days=10))

    report = effectiveness(org.db, TEAM, S + timedelta(days=90), HOURLY, STAGES)

    (plan,) = report.plans
    (objective,) = plan.objectives
    effect = objective.effect
    # Ivy went from 27 to 51 of 90, and so did... the seven peers, from 60 to 84.
    assert effect.coached_change == pytest.approx(24 / 90)
    assert effect.comparison_change == pytest.approx(24 / 90)
    assert effect.comparison_reps == 7
    value, half = expected_did(27, 51, [(60, 84)] * 7)
    assert effect.effect == pytest.approx(0.0, abs=1e-9) and value == pytest.approx(0.0, abs=1e-9)
    assert effect.low < 0 < effect.high and not effect.credible
    assert (effect.low, effect.high) == pytest.approx((-half, half))
    # The target was met, but none of it is attributable to coaching: the time is a loss.
    assert objective.met
    assert plan.roi.cost == pytest.approx(2 * HOURLY)
    assert plan.roi.attributable_revenue == pytest.approx(0.0, abs=1e-6)
    assert plan.roi.roi == pytest.approx(-1.0)


def test_effectiveness_skips_plans_younger_than_two_weeks(org) -> None:
    manager = org.viewer("mgr")
    plan_id = draft(org)[org.ids["ivy"]]["id"]
    approve(org.db, manager, plan_id, S, moment(S))

    assert effectiveness(org.db, TEAM, S + timedelta(days=13), HOURLY, STAGES).plans == []
    report = effectiveness(org.db, TEAM, S + timedelta(days=30), HOURLY, STAGES)
    assert [p.days for p in report.plans] == [30]
    with pytest.raises(PlanError, match="No data for workspace"):
        effectiveness(org.db, "T0NONE", S, HOURLY, STAGES)


# --- who may do what -----------------------------------------------------------------------


def test_only_the_rep_s_manager_or_an_admin_can_approve(org, settings, clock, tmp_path) -> None:
    plans = draft(org)
    ivy_plan, sam_plan = plans[org.ids["ivy"]]["id"], plans[org.ids["sam"]]["id"]
    # A manager of another workspace, with the same team layout.
    other = tmp_path / "other"
    other.mkdir()
    run(org.db, settings, clock, write(other, "people.csv", people_csv()), team_id="T0OTHER")
    with org.db.begin() as session:
        other_workspace = find_workspace_id(session, "T0OTHER")
        stranger = people.by_email(session, other_workspace, "mgr@acme.example")
        assert stranger is not None
        outsider = Viewer(
            "T0OTHER", "U0MGR", other_workspace, stranger.id, stranger.name, "manager", False, "UTC"
        )

    cases = [
        (org.viewer("ivy"), "approved and reviewed by the rep's manager"),  # her own plan
        (org.viewer("pia"), "approved and reviewed by the rep's manager"),  # a peer
        (org.viewer("west"), "Only the rep's managers and admins"),  # another team's manager
        (outsider, "That plan does not exist"),  # another workspace's manager
    ]
    for viewer, message in cases:
        with pytest.raises(PlanError, match=message):
            approve(org.db, viewer, ivy_plan, S, moment(S))
        with pytest.raises(PlanError, match=message):
            log_session(org.db, viewer, ivy_plan, "one_on_one", 30, S)
        with pytest.raises(PlanError, match=message):
            edit_targets(org.db, viewer, ivy_plan, {DISCOVERY: 0.5}, moment(S))
    with pytest.raises(PlanError, match="That plan does not exist"):
        approve(org.db, org.viewer("mgr"), 10**6, S, moment(S))
    assert plan_row(org, ivy_plan).status == "draft"

    # The rep's manager, or an admin, can.
    approve(org.db, org.viewer("mgr"), ivy_plan, S, moment(S))
    approve(org.db, org.viewer("ops"), sam_plan, S, moment(S))
    assert plan_row(org, sam_plan).approved_by == org.ids["ops"]
    with pytest.raises(AlreadyDone, match="this plan was approved on"):
        approve(org.db, org.viewer("mgr"), ivy_plan, S, moment(S))

    # Checkpoint decisions follow the same rule.
    cid, _review = review_at(org, ivy_plan, 30)
    with pytest.raises(PlanError, match="approved and reviewed by the rep's manager"):
        confirm(org.db, org.viewer("ivy"), cid, "graduate", moment(S + timedelta(days=30)))
    with pytest.raises(PlanError, match="Only the rep's managers and admins"):
        confirm(org.db, org.viewer("west"), cid, "graduate", moment(S + timedelta(days=30)))
    with pytest.raises(PlanError, match="Unknown decision"):
        confirm(org.db, org.viewer("mgr"), cid, "promote", moment(S + timedelta(days=30)))
    with pytest.raises(PlanError, match="no longer exists"):
        confirm(org.db, org.viewer("mgr"), 10**6, "continue", moment(S + timedelta(days=30)))

    # The rep sees her own plan; another team's manager does not.
    assert plan_details(org.db, org.viewer("ivy"), ivy_plan)["id"] == ivy_plan
    with pytest.raises(PlanError, match="only see plans of your own reps"):
        plan_details(org.db, org.viewer("west"), ivy_plan)
    with pytest.raises(PlanError, match="only see plans of your own reps"):
        plan_details(org.db, org.viewer("pia"), ivy_plan)


def test_approval_later_than_the_draft_moves_the_deadlines(org) -> None:
    plan_id = draft(org)[org.ids["ivy"]]["id"]
    later = S + timedelta(days=3)

    approve(org.db, org.viewer("mgr"), plan_id, later, moment(later))

    (plan,) = list_plans(org.db, TEAM, [plan_id])
    assert plan["started_on"] == later and plan["version"] == 2
    assert plan["objectives"][0]["deadline"] == "2026-09-02"
    assert plan["objectives"][0]["statement"].endswith("by Sep 2, 2026")  # the sentence too
    assert [cp["due_on"] for cp in plan["checkpoints"]] == [
        later + timedelta(days=30),
        later + timedelta(days=60),
        later + timedelta(days=90),
    ]
    first, second = versions(org, plan_id)
    assert first.objectives[0]["deadline"] == "2026-08-30"  # the draft as it was
    assert second.created_by == org.ids["mgr"]


# --- editing targets ----------------------------------------------------------------------


def test_edit_targets_adds_a_version_and_refuses_a_target_worse_than_the_baseline(org) -> None:
    manager = org.viewer("mgr")
    plan_id = draft(org)[org.ids["ivy"]]["id"]

    for worse in (0.25, 0.30):  # below, or at, the 30% baseline
        with pytest.raises(PlanError, match="must improve on the baseline"):
            edit_targets(org.db, manager, plan_id, {DISCOVERY: worse}, moment(S))
    assert [v.version for v in versions(org, plan_id)] == [1]

    edit_targets(org.db, manager, plan_id, {DISCOVERY: 0.40}, moment(S))

    first, second = versions(org, plan_id)
    assert first.objectives[0]["target"] == 0.46  # kept as it was
    assert second.objectives[0]["target"] == 0.40
    assert second.objectives[0]["statement"] == (
        "raise discovery → qualification conversion from 30% to 40% by Aug 30, 2026"
    )
    assert second.created_by == org.ids["mgr"] and second.cadence == first.cadence
    (plan,) = list_plans(org.db, TEAM, [plan_id])
    assert plan["version"] == 2 and plan["objectives"][0]["target"] == 0.40
    # Other metrics in the request are ignored: the plan has no such objective.
    edit_targets(org.db, manager, plan_id, {c.WIN_RATE: 0.9}, moment(S))
    assert [v.objectives[0]["target"] for v in versions(org, plan_id)] == [0.46, 0.40, 0.40]

    # The approved plan is measured against the edited target.
    approve(org.db, manager, plan_id, S, moment(S))
    cid, day30 = review_at(org, plan_id, 30)
    assert day30.progress[0].objective.target == 0.40
    # 40% since S reaches the target, but 12 of 30 cannot yet tell it from the 30% baseline.
    assert day30.progress[0].standing == Standing.NOT_YET_CLEAR

    # A closed plan can no longer be edited.
    confirm(org.db, manager, cid, "graduate", moment(S + timedelta(days=30)))
    with pytest.raises(PlanError, match="graduated; it can no longer be edited"):
        edit_targets(org.db, manager, plan_id, {DISCOVERY: 0.5}, moment(S + timedelta(31)))


# --- coaching time ------------------------------------------------------------------------


def test_log_session_checks_its_kind_and_minutes(org) -> None:
    manager = org.viewer("mgr")
    plan_id = draft(org)[org.ids["ivy"]]["id"]
    with pytest.raises(PlanError, match="logged on an active plan; this one is draft"):
        log_session(org.db, manager, plan_id, "one_on_one", 30, S)
    approve(org.db, manager, plan_id, S, moment(S))

    with pytest.raises(PlanError, match="A session is one of one_on_one, roleplay"):
        log_session(org.db, manager, plan_id, "lunch", 30, S)
    for minutes in (0, -5, 481):
        with pytest.raises(PlanError, match="between 1 and 480"):
            log_session(org.db, manager, plan_id, "one_on_one", minutes, S)
    log_session(org.db, manager, plan_id, "mentoring", 480, S)
    log_session(org.db, org.viewer("ops"), plan_id, "training", 1, S)

    with org.db.begin() as session:
        rows = session.execute(
            select(CoachingSession.kind, CoachingSession.minutes, CoachingSession.logged_by)
            .where(CoachingSession.plan_id == plan_id)
            .order_by(CoachingSession.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("mentoring", 480, org.ids["mgr"]),
        ("training", 1, org.ids["ops"]),
    ]


def test_drafts_come_on_a_schedule_a_few_a_week_per_manager(db, settings, clock, tmp_path):
    """The plan_drafts job: three reps with a credible gap under one manager; the manager gets
    two drafts this week (sent once each, with Approve), the third next week."""
    from slack_sdk import WebClient

    from bot.slack.client import retry_handlers
    from jobs import plan_drafts
    from jobs.context import JobContext
    from tests.slack.stub import SlackStub

    blocks = dict.fromkeys(("ivy", "sam", "pia"), STAGNANT) | dict.fromkeys(REPS[3:], FLAT)
    org = build(db, settings, clock, tmp_path, blocks)
    with SlackStub() as stub:
        client = WebClient(token="xoxb-t", base_url=stub.base_url, retry_handlers=retry_handlers())

        def tick(day: date) -> str:
            return plan_drafts.run(JobContext(settings, db, client, moment(day)))

        def drafts_to_manager() -> list[str]:
            channel = stub.dm_channel("U0MGR")
            return [
                c.body["text"] for c in stub.calls_to("chat.postMessage") if c.channel == channel
            ]

        assert tick(S) == "plan drafts: 2 new; drafts: 2 sent, 0 already sent, 0 failed"
        assert len(drafts_to_manager()) == 2
        assert tick(S + timedelta(days=1)).startswith("plan drafts: 0 new; drafts: 0 sent, 2")
        assert len(drafts_to_manager()) == 2  # the same drafts are not sent again
        assert tick(S + timedelta(days=7)).startswith("plan drafts: 1 new; drafts: 1 sent")
        assert len(drafts_to_manager()) == 3
        draft_ids = {p["rep_id"] for p in list_plans(db, TEAM) if p["status"] == "draft"}
        assert draft_ids == {org.ids["ivy"], org.ids["sam"], org.ids["pia"]}
