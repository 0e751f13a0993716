"""The Slack side of the directory sync: match one workspace's people (bot/services/directory),
then welcome each rep and manager found for the first time (once, through the delivery log)
and tell the admins what changed. Run by the nightly job, after `coachbot import` and after
an admin's CSV upload in Slack."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from bot.config import Settings
from bot.delivery.once import Outcome, Outgoing, deliver_all, direct_message
from bot.render.renderer import message
from bot.render.sentences import sentence
from bot.services import directory
from bot.services.directory import DirectoryError, PersonRef, SyncReport
from bot.store.engine import Database

logger = logging.getLogger(__name__)
SUMMARY = "directory_summary"


def sync_and_welcome(
    db: Database,
    settings: Settings,
    client: Any,
    workspace_id: int,
    clock: Callable[[], datetime],
    threads: int = 1,
) -> tuple[str, list[Outcome]]:
    """One workspace: the operator's one-line summary and what the messages came to."""
    try:
        report = directory.sync(db, client, workspace_id, clock(), settings.slack_lookup_rate)
    except DirectoryError as refused:
        logger.error("directory sync stopped: %s", refused)
        return str(refused), []
    outgoing = [_welcome(client, ref) for ref in directory.welcome_due(db, workspace_id)]
    if report.changed:
        admins = directory.admin_slack_ids(db, workspace_id, settings)
        outgoing += [_summary(client, admin, report, clock()) for admin in admins]
    return describe(report), deliver_all(db, client, workspace_id, outgoing, clock, threads)


def describe(report: SyncReport) -> str:
    """One line for operators (the worker's log, `coachbot import`)."""
    return sentence(
        "directory_report",
        checked=report.checked,
        method=report.method,
        matched=len(report.matched),
        unmatched=len(report.unmatched),
        deactivated=len(report.deactivated),
        left=report.left,
    )


def _welcome(client: Any, ref: PersonRef) -> Outgoing:
    assert ref.slack_user_id is not None
    build = partial(
        message, "messages/welcome.json.j2", role=ref.role, first_name=ref.name.split()[0]
    )
    return direct_message(client, directory.WELCOME, ref.slack_user_id, "first", build)


def _summary(client: Any, admin: str, report: SyncReport, now: datetime) -> Outgoing:
    # The same findings are told once; new ones (even later the same day) are told again.
    changes = "|".join(
        f"{kind}:{ref.person_id}"
        for kind, refs in (
            ("m", report.matched),
            ("d", report.deactivated),
            ("r", report.reactivated),
            ("u", report.newly_unmatched),
        )
        for ref in refs
    )
    digest = hashlib.sha1(changes.encode()).hexdigest()[:8]
    period = f"{now.date().isoformat()}:{digest}"
    build = partial(message, "messages/directory_summary.json.j2", report=report)
    return direct_message(client, SUMMARY, admin, period, build)
