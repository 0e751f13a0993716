"""`coachbot demo`: a fresh database with the demo org, and what coachbot makes of it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.clock import Clock, FixedClock, iso_week
from bot.coaching.assessment import AssessmentConfig
from bot.config import Settings
from bot.delivery.once import deliver_all
from bot.delivery.preview import PreviewClient
from bot.demo.generate import DEMO_AS_OF
from bot.ingest.importer import FileReport, ImportRequest
from bot.services import checkpoints, pairing, pairing_messages, plan_messages, plans
from bot.services.answers import answer
from bot.services.assessments import AssessmentRun, assessment_config, run_assessments
from bot.services.commands import parse
from bot.services.deps import Deps
from bot.services.home import publish_home
from bot.services.identity import identify, viewer_for_person
from bot.services.imports import import_files
from bot.services.visibility import Viewer
from bot.slack.surfaces import DmSurface
from bot.store.engine import Database
from bot.store.models import Person
from jobs import digests, nudges
from jobs.context import JobContext

DEMO_TEAM_ID = "T0DEMO"
DEMO_FILES = ("people.csv", "deals.csv", "stage_history.csv", "activities.csv", "feedback.csv")


DEMO_REP = "U0DEMO016"  # Tyler Brooks, the rep weak at discovery
DEMO_MANAGER = "U0DEMO004"  # Rosa Delgado, his manager


@dataclass(frozen=True)
class DemoResult:
    database_path: Path
    imported: list[FileReport]
    assessed: AssessmentRun
    reviews: list[str]
    pairing: list[str]
    preview: Path


def run_demo(examples: Path, out_dir: Path, settings: Settings, clock: Clock) -> DemoResult:
    """A fresh SQLite database with the demo org, assessed as of the demo's "today"."""
    out_dir.mkdir(parents=True, exist_ok=True)
    database_path = out_dir / "demo.db"
    for leftover in out_dir.glob("demo.db*"):
        leftover.unlink()
    settings = replace(settings, database_url=f"sqlite:///{database_path}")
    db = Database.from_url(settings.database_url)
    try:
        request = ImportRequest(paths=[examples / f for f in DEMO_FILES], team_id=DEMO_TEAM_ID)
        imported = import_files(db, settings, request, clock)
        config = assessment_config(settings)
        assessed = run_assessments(db, DEMO_TEAM_ID, DEMO_AS_OF, clock.now(), config)
        reviews = plant_plans(db, settings, config)
        preview, pairing_lines = write_slack_preview(db, settings, out_dir / "preview")
    finally:
        db.dispose()
    return DemoResult(database_path, imported, assessed, reviews, pairing_lines, preview)


# Plans of different ages: who started a plan how many days before the demo's "today".
# Only reps with planted patterns: their gaps were credible on each start date.
DEMO_PLANS: tuple[tuple[int, str], ...] = (
    (90, "marcus.greene@northwind.example"),
    (60, "jasmine.patel@northwind.example"),
    (30, "tyler.brooks@northwind.example"),
)
DEMO_DRAFT = "harriet.cole@northwind.example"  # a fresh draft waiting for approval


def plant_plans(db: Database, settings: Settings, config: AssessmentConfig) -> list[str]:
    """Start the demo's plans on their dates (each approved by the rep's manager) and run
    every checkpoint due by the demo's today; returns one line per review."""
    people_by_email = _people(db)
    for days_ago, email in DEMO_PLANS:
        start = DEMO_AS_OF - timedelta(days=days_ago)
        now = datetime.combine(start, time(9, 0), tzinfo=UTC)
        rep_id, manager_id = people_by_email[email]
        for plan_id in plans.draft_plans(db, DEMO_TEAM_ID, start, now, config, rep_ids=[rep_id]):
            manager = viewer_for_person(db, settings, DEMO_TEAM_ID, manager_id)
            plans.approve(db, manager, plan_id, start, now)
            _log_demo_coaching(db, manager, plan_id, start)
    now = datetime.combine(DEMO_AS_OF, time(9, 0), tzinfo=UTC)
    rep_id, _manager = people_by_email[DEMO_DRAFT]
    plans.draft_plans(db, DEMO_TEAM_ID, DEMO_AS_OF, now, config, rep_ids=[rep_id])
    # Reviews happen in date order; the managers confirmed the earlier ones when they were
    # due, and today's wait for them in Slack.
    lines = []
    while due := checkpoints.due_checkpoints(db, DEMO_TEAM_ID, DEMO_AS_OF):
        checkpoint_id = due[0]
        review = checkpoints.run_checkpoint(db, DEMO_TEAM_ID, checkpoint_id, now, config.stages)
        plan = checkpoints.checkpoint_for_delivery(db, checkpoint_id)["plan"]
        state = "waiting for the manager"
        if review.as_of < DEMO_AS_OF:
            manager = viewer_for_person(db, settings, DEMO_TEAM_ID, plan["manager_id"])
            status = checkpoints.confirm(db, manager, checkpoint_id, str(review.decision), now)
            state = f"confirmed by the manager, plan {status}"
        lines.append(
            f"{plan['rep_name']}, day {review.day} ({review.as_of.isoformat()}): "
            f"{review.decision} ({state}) - {review.reason}"
        )
    return lines


def _log_demo_coaching(db: Database, manager: Viewer, plan_id: int, start: date) -> None:
    """The plan's cadence, as a manager would log it: a weekly 30-minute 1:1 and a monthly
    45-minute role-play, until the demo's today."""
    day = start
    while day < DEMO_AS_OF:
        plans.log_session(db, manager, plan_id, "one_on_one", 30, day)
        if (day - start).days % 28 == 0:
            plans.log_session(db, manager, plan_id, "roleplay", 45, day)
        day += timedelta(days=7)


def _people(db: Database) -> dict[str, tuple[int, int]]:
    with db.begin() as session:
        rows = session.execute(select(Person.email, Person.id, Person.manager_id))
        return {r.email: (r.id, r.manager_id) for r in rows}


def write_slack_preview(db: Database, settings: Settings, folder: Path) -> tuple[Path, list[str]]:
    """What a rep's /coach me, their App Home and their manager's /coach team would show."""
    # The demo data ends on DEMO_AS_OF; the preview lives on that day, late afternoon.
    clock = FixedClock(datetime.combine(DEMO_AS_OF, time(17, 0), tzinfo=UTC))
    client = PreviewClient(folder, names=_names(db))
    deps = Deps(db, settings, clock)
    rep = identify(db, settings, client, DEMO_TEAM_ID, DEMO_REP)
    manager = identify(db, settings, client, DEMO_TEAM_ID, DEMO_MANAGER)
    answer(parse("me"), rep, deps, DmSurface(client, DEMO_REP))
    publish_home(client, rep, deps)
    answer(parse("team"), manager, deps, DmSurface(client, DEMO_MANAGER))
    publish_home(client, manager, deps)
    # A pairing round: invitations to mentors, one accepted (the group DM), peer groups.
    config = assessment_config(settings)
    round_ = pairing.run_round(db, DEMO_TEAM_ID, DEMO_AS_OF, clock.now(), config)
    lines = []
    invitations = [pairing_messages.invitation(client, db, p) for p in round_.invited]
    deliver_all(db, client, rep.workspace_id, invitations, clock.now)
    for pairing_id in round_.invited:
        d = pairing.pairing_details(db, pairing_id)
        lines.append(f"{d['mentor_name']} invited to mentor {d['mentee_name']} on {d['skill']}")
    if round_.invited:
        first = pairing.pairing_details(db, round_.invited[0])
        mentor = viewer_for_person(db, settings, DEMO_TEAM_ID, first["mentor_id"])
        pairing.respond(db, mentor, first["id"], True, clock.now())
        introduction = pairing_messages.introduction(
            client, db, first["id"], DEMO_AS_OF, DEMO_TEAM_ID
        )
        deps.deliver(client, rep.workspace_id, introduction)
    week = iso_week(clock.now())
    groups = [pairing_messages.group_introduction(client, db, g, week) for g in round_.groups]
    deliver_all(db, client, rep.workspace_id, groups, clock.now)
    for group_id in round_.groups:
        g = pairing.group_details(db, group_id)
        lines.append(
            f"peer group on {g['skill']} led by {g['leader_name']}: {len(g['members'])} reps"
        )
    for plan in plans.list_plans(db, DEMO_TEAM_ID):
        if plan["status"] == "draft":
            drafts = plan_messages.draft_messages(client, db, [plan["id"]])
            deliver_all(db, client, rep.workspace_id, drafts, clock.now)
        for checkpoint in plan["checkpoints"]:
            if checkpoint["decision"]:
                reviews = plan_messages.review_messages(client, db, checkpoint["id"])
                deliver_all(db, client, rep.workspace_id, reviews, clock.now)
    # The weekly cycle the worker runs: Friday's manager digests (15:00 in the managers'
    # timezones) and Monday's nudges (09:00 in each rep's).
    friday = datetime.combine(DEMO_AS_OF, time(23, 30), tzinfo=UTC)
    monday = datetime.combine(DEMO_AS_OF + timedelta(days=3), time(18, 0), tzinfo=UTC)
    lines.append(digests.run(JobContext(settings, db, client, friday)))
    lines.append(nudges.run(JobContext(settings, db, client, monday)))
    return client.write("coachbot preview: the Northwind demo org"), lines


def _names(db: Database) -> dict[str, str]:
    with db.begin() as session:
        rows = session.execute(select(Person.slack_user_id, Person.name, Person.role))
        return {r.slack_user_id: f"{r.name} ({r.role})" for r in rows if r.slack_user_id}
