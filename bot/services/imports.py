"""The import use case: migrate, then run the importer in one transaction; and the same for
files an admin drops into coachbot's DM, with the message that reports the result."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.ingest.importer import FileReport, ImportRequest, run_import
from bot.ingest.problems import ImportRejected, Problem
from bot.render.renderer import message
from bot.services.directory_messages import sync_and_welcome
from bot.store import migrate
from bot.store.engine import Database
from bot.store.workspaces import find_workspace_id


def import_files(
    db: Database, settings: Settings, request: ImportRequest, clock: Clock
) -> list[FileReport]:
    migrate.upgrade(db.engine)
    return run_import(db, settings, request, clock)


def import_uploads(
    db: Database, settings: Settings, clock: Clock, team_id: str, paths: list[Path]
) -> tuple[dict[str, Any], list[FileReport]]:
    """Import files uploaded in Slack, all or nothing: the message that reports it (every
    problem with its file, row and column) and what was imported (nothing when refused)."""
    try:
        reports = run_import(db, settings, ImportRequest(paths=paths, team_id=team_id), clock)
    except ImportRejected as rejected:
        return _rejected(rejected), []
    return message("messages/import_result.json.j2", problems=[], total=0, reports=reports), reports


def refused_upload(name: str, reason: str) -> dict[str, Any]:
    """The message for an uploaded file refused before it is read (not from Slack, too big)."""
    return _rejected(ImportRejected.single(Problem(name, None, None, None, reason)))


def _rejected(rejected: ImportRejected) -> dict[str, Any]:
    log = rejected.log
    return message(
        "messages/import_result.json.j2",
        problems=[str(p) for p in log.shown],
        total=log.total,
        reports=[],
    )


def match_new_people(
    db: Database, settings: Settings, client: Any, team_id: str, clock: Callable[[], datetime]
) -> None:
    """New people are matched to Slack and welcomed now, not at the next nightly run."""
    with db.begin() as session:
        workspace_id = find_workspace_id(session, team_id)
    if workspace_id is not None:
        sync_and_welcome(db, settings, client, workspace_id, clock)
