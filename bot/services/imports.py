"""The import use case: migrate, then run the importer in one transaction."""

from __future__ import annotations

from bot.clock import Clock
from bot.config import Settings
from bot.ingest.importer import FileReport, ImportRequest, run_import
from bot.store import migrate
from bot.store.engine import Database


def import_files(
    db: Database, settings: Settings, request: ImportRequest, clock: Clock
) -> list[FileReport]:
    migrate.upgrade(db.engine)
    return run_import(db, settings, request, clock)
