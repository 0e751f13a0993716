"""Daily, and after every import: match the CRM's people to Slack users by email, welcome
each rep and manager found for the first time (once, through the delivery log), and tell
the admins what changed: who was matched, who was not found (with their emails), who Slack
deactivated. Without it nobody gets a nudge or a digest until they type /coach."""

from __future__ import annotations

import hashlib
import logging
from functools import partial

from bot.delivery.once import Outgoing, direct_message
from bot.delivery.preview import PreviewClient
from bot.render.renderer import message
from bot.services import directory
from bot.services.directory import DirectoryError, PersonRef, SyncReport
from jobs.context import JobContext, Tally

logger = logging.getLogger(__name__)
SUMMARY = "directory_summary"


def run(ctx: JobContext) -> str:
    if isinstance(ctx.client, PreviewClient):
        return "directory: no Slack workspace configured, nobody to match"
    parts, tally = [], Tally("welcomes and summaries")
    for workspace_id, team_id in ctx.workspaces():
        try:
            report = directory.sync(
                ctx.db, ctx.client, workspace_id, ctx.now, ctx.settings.slack_lookup_rate
            )
        except DirectoryError as refused:
            logger.error("directory sync for %s stopped: %s", team_id, refused)
            parts.append(f"{team_id}: {refused}")
            continue
        outgoing = [_welcome(ctx, ref) for ref in directory.welcome_due(ctx.db, workspace_id)]
        if report.changed:
            admins = directory.admin_slack_ids(ctx.db, workspace_id, ctx.settings)
            outgoing += [_summary(ctx, admin, report) for admin in admins]
        for outcome in ctx.deliver(workspace_id, outgoing):
            tally.add(outcome.status)
        parts.append(f"{team_id}: {describe(report)}")
    return "directory: " + ("; ".join(parts) or "no workspaces") + f"; {tally}"


def describe(report: SyncReport) -> str:
    """One line for operators (the worker's log, `coachbot import`)."""
    left = f", {report.left} left for the next run" if report.left else ""
    return (
        f"{report.checked} looked up ({report.method}), {len(report.matched)} newly matched, "
        f"{len(report.unmatched)} not found in Slack, {len(report.deactivated)} deactivated"
        f"{left}"
    )


def _welcome(ctx: JobContext, ref: PersonRef) -> Outgoing:
    assert ref.slack_user_id is not None
    build = partial(
        message, "messages/welcome.json.j2", role=ref.role, first_name=ref.name.split()[0]
    )
    return direct_message(ctx.client, directory.WELCOME, ref.slack_user_id, "first", build)


def _summary(ctx: JobContext, admin: str, report: SyncReport) -> Outgoing:
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
    period = f"{ctx.now.date().isoformat()}:{digest}"
    build = partial(message, "messages/directory_summary.json.j2", report=report)
    return direct_message(ctx.client, SUMMARY, admin, period, build)
