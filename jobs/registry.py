"""Every scheduled job: its name (the job id), its UTC cron schedule and what runs it. Jobs
run often and decide per recipient (in their own timezone) whether it is time, so a worker
that was down catches up and the delivery log keeps every message single."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger

from bot.config import Settings
from bot.slack.client import make_sending_client
from bot.slack.installs import BotTokens, installation_store, installed_teams
from bot.slack.outbox import finish, sending_client
from bot.slack.team import whoami
from bot.store import migrate
from bot.store.engine import Database
from bot.store.workspaces import people_by_team
from jobs import (
    coaching_requests,
    digests,
    directory_sync,
    mentoring_reminders,
    nudges,
    pairing_round,
    plan_drafts,
    recompute,
    reviews,
    roleplay_idle,
    webhooks,
)
from jobs.context import JobContext

logger = logging.getLogger("coachbot.jobs")
_warned: set[str] = set()  # token workspaces whose neighbours' data was reported


@dataclass(frozen=True)
class JobSpec:
    name: str
    cron: dict[str, str]  # APScheduler CronTrigger fields, UTC
    description: str
    run: Callable[[JobContext], str]
    # A job that sends nothing to Slack (webhooks) runs without a client, once for every
    # workspace: a Slack outage or a revoked token does not stop it.
    needs_slack: bool = True


JOBS: dict[str, JobSpec] = {
    spec.name: spec
    for spec in (
        JobSpec(
            "directory",
            {"hour": "2", "minute": "0"},
            "match people to Slack by email, welcome the newly matched",
            directory_sync.run,
        ),
        JobSpec("recompute", {"hour": "2", "minute": "30"}, "nightly assessments", recompute.run),
        JobSpec(
            "plan_drafts",
            {"hour": "13", "minute": "20"},
            "draft plans for credible gaps, a few a week per manager",
            plan_drafts.run,
        ),
        JobSpec("nudges", {"minute": "5"}, "weekly nudge, Monday 09:00 local", nudges.run),
        JobSpec("digests", {"minute": "10"}, "manager digest, Friday 15:00 local", digests.run),
        JobSpec("reviews", {"minute": "15"}, "30/60/90-day reviews due", reviews.run),
        JobSpec(
            "pairing",
            {"day_of_week": "tue", "hour": "14", "minute": "0"},
            "mentor pairing, every other week",
            pairing_round.run,
        ),
        JobSpec(
            "coaching_requests",
            {"minute": "*/5"},
            "coaching requests from the API, to managers now on Slack",
            coaching_requests.run,
        ),
        JobSpec("roleplay_idle", {"minute": "*/10"}, "close idle role-plays", roleplay_idle.run),
        JobSpec(
            "mentoring_reminders",
            {"hour": "13", "minute": "0"},
            "the day before each mentoring session",
            mentoring_reminders.run,
        ),
        JobSpec(
            "webhooks",
            {"minute": "*"},
            "post due webhook deliveries, signed, with back-off",
            webhooks.run,
            needs_slack=False,
        ),
    )
}


SCHEDULE_VARIABLE = "COACHBOT_SCHEDULE_{name}"
CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")


def configured_jobs(environ: Mapping[str, str] | None = None) -> dict[str, JobSpec]:
    """The jobs with any schedule overridden by COACHBOT_SCHEDULE_<NAME>: a UTC crontab
    ("m h dom mon dow"), e.g. COACHBOT_SCHEDULE_DIGESTS="10 * * * *". Every bad variable is
    reported at once, so a worker never starts with half its schedule."""
    env = os.environ if environ is None else environ
    jobs = dict(JOBS)
    problems = []
    for name, spec in JOBS.items():
        variable = SCHEDULE_VARIABLE.format(name=name.upper())
        raw = env.get(variable, "").strip()
        if not raw:
            continue
        problem = _crontab_problem(raw)
        if problem:
            problems.append(
                f"{variable} must be a crontab like '10 * * * *' (m h dom mon dow), "
                f"got {raw!r}: {problem}"
            )
            continue
        jobs[name] = replace(spec, cron=dict(zip(CRON_FIELDS, raw.split(), strict=True)))
    if problems:
        raise ValueError("\n".join(problems))
    return jobs


def _crontab_problem(raw: str) -> str | None:
    fields = raw.split()
    if len(fields) != len(CRON_FIELDS):
        return f"{len(fields)} fields instead of {len(CRON_FIELDS)}"
    try:
        CronTrigger(**dict(zip(CRON_FIELDS, fields, strict=True)), timezone=UTC)
    except ValueError as error:
        return str(error)
    return None


def run_job(name: str, settings: Settings, now: datetime) -> str:
    """Run one job now; safe to run twice (the delivery log keeps messages single). Installed
    through OAuth, it runs once per installed workspace, each with its own bot token."""
    if name not in JOBS:
        raise KeyError(f"unknown job {name!r}; jobs: {', '.join(JOBS)}")
    db = Database.from_url(settings.database_url)
    try:
        migrate.upgrade(db.engine)
        if not JOBS[name].needs_slack:
            return JOBS[name].run(JobContext(settings, db, None, now))
        if settings.oauth:
            return _run_per_workspace(JOBS[name], settings, db, now)
        client = sending_client(settings, db)
        # With one bot token, only the token's own workspace: its people are the only ones
        # that token may message, whatever else the database holds.
        team_id = token_team(settings, db) if settings.slack_bot_token else None
        summary = JOBS[name].run(JobContext(settings, db, client, now, team_id=team_id))
        page = finish(client, f"coachbot preview: {name}")
        return summary + (f" (preview: {page})" if page else "")
    finally:
        db.dispose()


def token_team(settings: Settings, db: Database) -> str:
    """The workspace the bot token belongs to (Slack's auth.test); data kept under other
    workspace ids is left alone, with a warning in the worker's log once per process."""
    team_id = whoami(settings).team_id
    others = {team: people for team, people in people_by_team(db).items() if team != team_id}
    if others and team_id not in _warned:
        _warned.add(team_id)
        logger.warning(
            "jobs run for %s only, the workspace of SLACK_BOT_TOKEN; they leave alone %s "
            "(`coachbot doctor` says how to move data to %s)",
            team_id,
            ", ".join(f"{people} people under {team}" for team, people in sorted(others.items())),
            team_id,
        )
    return team_id


def _run_per_workspace(spec: JobSpec, settings: Settings, db: Database, now: datetime) -> str:
    store = installation_store(settings, db.engine)
    tokens = BotTokens(store, settings)
    summaries = []
    for team_id in installed_teams(db.engine, settings):
        token = tokens(team_id)
        if token is None:  # uninstalled since we listed the teams
            continue
        client = make_sending_client(settings, token)  # one pace per workspace, as Slack limits
        summary = spec.run(JobContext(settings, db, client, now, team_id=team_id))
        summaries.append(f"{team_id}: {summary}")
    return "; ".join(summaries) or f"{spec.name}: no workspace has installed coachbot"
