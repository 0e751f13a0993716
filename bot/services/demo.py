"""`coachbot demo`: a fresh database with the demo org, and what coachbot makes of it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd

from bot.analytics.headline import headline_metrics
from bot.clock import Clock
from bot.config import Settings
from bot.demo.generate import DEMO_AS_OF
from bot.ingest.importer import FileReport, ImportRequest
from bot.services import frames
from bot.services.imports import import_files
from bot.store.engine import Database
from bot.store.workspaces import find_workspace_id

DEMO_TEAM_ID = "T0DEMO"
DEMO_FILES = ("people.csv", "deals.csv", "stage_history.csv", "activities.csv", "feedback.csv")


@dataclass(frozen=True)
class DemoResult:
    database_path: Path
    imported: list[FileReport]
    as_of: date
    headline: pd.DataFrame


def run_demo(examples: Path, out_dir: Path, settings: Settings, clock: Clock) -> DemoResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    database_path = out_dir / "demo.db"
    for leftover in out_dir.glob("demo.db*"):
        leftover.unlink()
    settings = replace(settings, database_url=f"sqlite:///{database_path}")
    db = Database.from_url(settings.database_url)
    try:
        request = ImportRequest(paths=[examples / f for f in DEMO_FILES], team_id=DEMO_TEAM_ID)
        imported = import_files(db, settings, request, clock)
        with db.begin() as session:
            workspace_id = find_workspace_id(session, DEMO_TEAM_ID)
            assert workspace_id is not None
            headline = headline_metrics(
                frames.people_frame(session, workspace_id),
                frames.deals_frame(session, workspace_id),
                frames.activities_frame(session, workspace_id),
                today=DEMO_AS_OF,
            )
    finally:
        db.dispose()
    return DemoResult(database_path, imported, DEMO_AS_OF, headline)
