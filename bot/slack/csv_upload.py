"""Admins drop CRM CSV files into coachbot's DM: they are imported with the same checks and
messages as `coachbot import`, all files or nothing."""

from __future__ import annotations

import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from slack_sdk import WebClient

from bot.ingest.importer import ImportRequest, run_import
from bot.ingest.problems import ImportRejected, Problem
from bot.render.renderer import message
from bot.services.deps import Deps
from bot.services.directory_messages import sync_and_welcome
from bot.services.visibility import Viewer
from bot.store.workspaces import find_workspace_id

MAX_BYTES = 50 * 1024 * 1024
SLACK_FILE_HOSTS = {"files.slack.com"}
TOO_LARGE = "larger than 50 MB: import it on the server coachbot runs on"


class Replies(Protocol):
    def reply(self, payload: dict[str, Any]) -> None: ...


def import_uploaded_files(
    files: list[dict[str, Any]], viewer: Viewer, deps: Deps, client: WebClient, surface: Replies
) -> None:
    if not viewer.is_admin:
        surface.reply(message("messages/import_help.json.j2", is_admin=False))
        return
    with tempfile.TemporaryDirectory(prefix="coachbot-upload-") as folder:
        try:
            paths = [_download(f, Path(folder), client, deps) for f in files]
            reports = run_import(
                deps.db,
                deps.settings,
                ImportRequest(paths=paths, team_id=viewer.team_id),
                deps.clock,
            )
        except ImportRejected as rejected:
            log = rejected.log
            surface.reply(
                message(
                    "messages/import_result.json.j2",
                    problems=[str(p) for p in log.shown],
                    total=log.total,
                    reports=[],
                )
            )
            return
    surface.reply(message("messages/import_result.json.j2", problems=[], total=0, reports=reports))
    if any(r.kind == "people" for r in reports):
        _match_people(deps, client, viewer.team_id)


def _match_people(deps: Deps, client: WebClient, team_id: str) -> None:
    """New people are matched to Slack and welcomed now, not at the next nightly run."""
    with deps.db.begin() as session:
        workspace_id = find_workspace_id(session, team_id)
    if workspace_id is not None:
        sync_and_welcome(deps.db, deps.settings, client, workspace_id, deps.clock.now)


def _download(file: dict[str, Any], folder: Path, client: WebClient, deps: Deps) -> Path:
    """Fetch one uploaded file with the bot token, only from Slack's own file hosts."""
    name = Path(str(file.get("name") or file.get("id") or "upload.csv")).name
    url = file.get("url_private_download") or file.get("url_private") or ""
    allowed = SLACK_FILE_HOSTS | {urlparse(deps.settings.slack_api_url).netloc}
    if urlparse(url).netloc not in allowed:
        raise ImportRejected.single(Problem(name, None, None, None, "not a file uploaded to Slack"))
    if int(file.get("size") or 0) > MAX_BYTES:
        raise ImportRejected.single(Problem(name, None, None, None, TOO_LARGE))
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    with urllib.request.urlopen(request, timeout=60) as response:  # host checked above
        data = response.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportRejected.single(Problem(name, None, None, None, TOO_LARGE))
    path = folder / name
    path.write_bytes(data)
    return path
