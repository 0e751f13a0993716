"""`coachbot demo`: a fresh database with the demo org, and what coachbot makes of it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from bot.clock import Clock
from bot.coaching.assessment import AssessmentConfig
from bot.config import Settings
from bot.demo.generate import DEMO_AS_OF
from bot.ingest.importer import FileReport, ImportRequest
from bot.services.assessments import AssessmentRun, run_assessments
from bot.services.imports import import_files
from bot.store.engine import Database

DEMO_TEAM_ID = "T0DEMO"
DEMO_FILES = ("people.csv", "deals.csv", "stage_history.csv", "activities.csv", "feedback.csv")


@dataclass(frozen=True)
class DemoResult:
    database_path: Path
    imported: list[FileReport]
    assessed: AssessmentRun


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
    finally:
        db.dispose()
    return DemoResult(database_path, imported, assessed)
