"""The scheduler: APScheduler 3 with its job store in the app database, run by `jobs.worker`.

Every job's schedule comes from `jobs.registry.JOBS` (UTC cron triggers; each job decides per
recipient whether it is the right local time) and is stored in the ``apscheduler_jobs`` table,
so a restarted or standby worker picks up the next run times and runs a missed run once
(``coalesce``) if it is less than an hour late (``misfire_grace_time``).

Why the stored job is only ``"jobs.schedule:execute"`` plus a job NAME: APScheduler's
SQLAlchemy job store pickles each job, and unpickling runs whatever the pickle says. Whoever can
write that table can therefore make the worker run code. We keep job definitions in code and
persist only the schedule: the callable is a textual reference to the module-level `execute`
below and its only argument is a str, so a legitimately written row never holds a pickled
closure, bound method or object, and any row naming another callable or job is removed when the
scheduler starts. This limits what the table can make the worker do to our own functions;
it does not make the table safe to expose: only the app's database role may write it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobExecutionEvent,
    SchedulerEvent,
)
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.clock import SystemClock
from bot.config import Settings, load_settings
from bot.store.engine import make_engine

if TYPE_CHECKING:
    from jobs.registry import JobSpec

EXECUTE_REF = "jobs.schedule:execute"
JOBS_TABLE = "apscheduler_jobs"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}

log = logging.getLogger("coachbot.jobs")

# The runner `execute` uses in this process, installed by `build_scheduler`. It is never stored:
# only the job name reaches the database.
_runner: Callable[[str], str] | None = None


def _registry_runner(settings: Settings) -> Callable[[str], str]:
    def run(name: str) -> str:
        from jobs.registry import run_job

        return run_job(name, settings, SystemClock().now())

    return run


def execute(name: str) -> None:
    """Run one scheduled job by name and log its summary (the only callable ever stored).

    Uses the runner `build_scheduler` installed in this process; a process that has none
    loads settings from the environment and calls `jobs.registry.run_job`.
    """
    run = _runner or _registry_runner(load_settings())
    started = time.monotonic()
    try:
        summary = run(name)
    except Exception:
        log.exception("job %s failed after %.1fs", name, time.monotonic() - started)
        raise
    log.info("job %s done in %.1fs: %s", name, time.monotonic() - started, summary)


def build_scheduler(
    settings: Settings,
    run: Callable[[str], str] | None = None,
    jobs: dict[str, JobSpec] | None = None,
) -> BlockingScheduler:
    """A BlockingScheduler with one cron job per JobSpec, stored in the app database.

    Start it only while holding the leader lock (`bot.store.leader`): APScheduler does not
    support two schedulers sharing a job store. Jobs are written to the store on ``start()``,
    replacing the stored ones with the same ids; stored jobs that are no longer in ``jobs``
    (or that name another callable) are removed then too.
    """
    global _runner
    if jobs is None:
        from jobs.registry import configured_jobs

        jobs = configured_jobs()
    _runner = run or _registry_runner(settings)

    store = SQLAlchemyJobStore(engine=make_engine(settings.database_url), tablename=JOBS_TABLE)
    scheduler = BlockingScheduler(
        jobstores={"default": store}, job_defaults=dict(JOB_DEFAULTS), timezone="UTC"
    )
    for key, spec in jobs.items():
        if key != spec.name:
            raise ValueError(f"job registered as {key!r} is named {spec.name!r}")
        scheduler.add_job(
            EXECUTE_REF,
            trigger=CronTrigger(**spec.cron, timezone="UTC"),
            args=(spec.name,),
            id=spec.name,
            name=spec.description,
            replace_existing=True,
        )
    wanted = set(jobs)

    def prune(_event: SchedulerEvent) -> None:
        for job in scheduler.get_jobs():
            if job.id not in wanted or job.func_ref != EXECUTE_REF or job.args != (job.id,):
                log.warning("removing stored job %s (%s): not in the registry", job.id, job)
                scheduler.remove_job(job.id)

    scheduler.add_listener(prune, EVENT_SCHEDULER_STARTED)
    scheduler.add_listener(_log_run, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler


def _log_run(event: JobExecutionEvent) -> None:
    """Which scheduled run each job made (or missed): the line an operator (and the
    two-worker test) reads to see that every tick ran once."""
    scheduled = event.scheduled_run_time.isoformat()
    if event.code == EVENT_JOB_MISSED:
        log.warning("job %s missed its run for %s (worker down too long)", event.job_id, scheduled)
    else:
        outcome = "failed" if event.exception else "ran"
        log.info("job %s %s for %s", event.job_id, outcome, scheduled)
