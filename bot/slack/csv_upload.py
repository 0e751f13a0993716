"""Admins drop CRM CSV files into coachbot's DM: they are imported with the same checks and
messages as `coachbot import`, all files or nothing."""

from __future__ import annotations

import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from slack_sdk import WebClient

from bot.render.renderer import message
from bot.render.sentences import sentence
from bot.services import imports
from bot.services.deps import Deps
from bot.services.visibility import Viewer

MAX_BYTES = 50 * 1024 * 1024
SLACK_FILE_HOSTS = {"files.slack.com"}


class Replies(Protocol):
    def reply(self, payload: dict[str, Any]) -> None: ...


class UploadRefused(Exception):
    """A file not taken from Slack (another host, too large): said before anything is read."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(reason)
        self.name, self.reason = name, reason


def import_uploaded_files(
    files: list[dict[str, Any]], viewer: Viewer, deps: Deps, client: WebClient, surface: Replies
) -> None:
    if not viewer.is_admin:
        surface.reply(message("messages/import_help.json.j2", is_admin=False))
        return
    with tempfile.TemporaryDirectory(prefix="coachbot-upload-") as folder:
        try:
            paths = [_download(f, Path(folder), client, deps) for f in files]
        except UploadRefused as refused:
            surface.reply(imports.refused_upload(refused.name, refused.reason))
            return
        answer, reports = imports.import_uploads(
            deps.db, deps.settings, deps.clock, viewer.team_id, paths
        )
    surface.reply(answer)
    if any(r.kind == "people" for r in reports):
        imports.match_new_people(deps.db, deps.settings, client, viewer.team_id, deps.clock.now)


def _download(file: dict[str, Any], folder: Path, client: WebClient, deps: Deps) -> Path:
    """Fetch one uploaded file with the bot token, only from Slack's own file hosts."""
    name = Path(str(file.get("name") or file.get("id") or "upload.csv")).name
    url = file.get("url_private_download") or file.get("url_private") or ""
    allowed = SLACK_FILE_HOSTS | {urlparse(deps.settings.slack_api_url).netloc}
    if urlparse(url).netloc not in allowed:
        raise UploadRefused(name, sentence("not_a_slack_file"))
    if int(file.get("size") or 0) > MAX_BYTES:
        raise UploadRefused(name, sentence("upload_too_large"))
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    with urllib.request.urlopen(request, timeout=60) as response:  # host checked above
        data = response.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UploadRefused(name, sentence("upload_too_large"))
    path = folder / name
    path.write_bytes(data)
    return path
