"""`coachbot demo`: a fresh database with the demo org, and what coachbot makes of it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from pathlib import Path

from sqlalchemy import select

from bot.clock import Clock, FixedClock
from bot.coaching.assessment import AssessmentConfig
from bot.commands import parse
from bot.config import Settings
from bot.delivery.preview import PreviewClient
from bot.demo.generate import DEMO_AS_OF
from bot.ingest.importer import FileReport, ImportRequest
from bot.services.assessments import AssessmentRun, run_assessments
from bot.services.identity import identify
from bot.services.imports import import_files
from bot.slack.answers import answer
from bot.slack.deps import Deps
from bot.slack.home import publish_home
from bot.slack.surfaces import DmSurface
from bot.store.engine import Database
from bot.store.models import Person

DEMO_TEAM_ID = "T0DEMO"
DEMO_FILES = ("people.csv", "deals.csv", "stage_history.csv", "activities.csv", "feedback.csv")


DEMO_REP = "U0DEMO016"  # Tyler Brooks, the rep weak at discovery
DEMO_MANAGER = "U0DEMO004"  # Rosa Delgado, his manager


@dataclass(frozen=True)
class DemoResult:
    database_path: Path
    imported: list[FileReport]
    assessed: AssessmentRun
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
        config = AssessmentConfig(stages=settings.stages)
        assessed = run_assessments(db, DEMO_TEAM_ID, DEMO_AS_OF, clock.now(), config)
        preview = write_slack_preview(db, settings, out_dir / "preview")
    finally:
        db.dispose()
    return DemoResult(database_path, imported, assessed, preview)


def write_slack_preview(db: Database, settings: Settings, folder: Path) -> Path:
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
    return client.write("coachbot preview: the Northwind demo org")


def _names(db: Database) -> dict[str, str]:
    with db.begin() as session:
        rows = session.execute(select(Person.slack_user_id, Person.name, Person.role))
        return {r.slack_user_id: f"{r.name} ({r.role})" for r in rows if r.slack_user_id}
