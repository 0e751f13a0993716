"""The `worker` process: one active scheduler, any number of standbys.

A worker takes the leader lock (`bot.store.leader`) before it starts its scheduler; while
another worker leads it logs "standby" and polls. SIGTERM or SIGINT stops the scheduler (letting
running jobs finish) and releases the lock, so a standby takes over at once. If the leader
loses its lock (its database connection dropped), it stops scheduling and goes back to standby.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_SCHEDULER_STARTED, SchedulerEvent
from apscheduler.schedulers import SchedulerNotRunningError

from bot.config import Settings
from bot.store.leader import LeaderLock, wait_for_leadership
from jobs.schedule import build_scheduler

if TYPE_CHECKING:
    from jobs.registry import JobSpec

POLL_SECONDS = 5.0

log = logging.getLogger("coachbot.worker")


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set ``stop`` on SIGTERM/SIGINT while inside; signals only reach the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: Any) -> None:
        log.info("received %s, shutting down", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_worker(
    settings: Settings,
    stop: threading.Event | None = None,
    *,
    poll_seconds: float = POLL_SECONDS,
    run: Callable[[str], str] | None = None,
    jobs: dict[str, JobSpec] | None = None,
) -> None:
    """Lead (or wait to lead) and run the scheduler until ``stop`` is set or a signal arrives.

    ``poll_seconds`` is how often a standby retries the lock and a leader checks it still
    holds it; ``run`` and ``jobs`` are passed to `build_scheduler`.
    """
    stop = stop or threading.Event()
    lock = LeaderLock(settings.database_url)

    def standby() -> None:
        log.info(
            "standby: another worker leads (%s); retrying every %ss",
            lock.description,
            poll_seconds,
        )

    with _stop_on_signals(stop):
        try:
            while not stop.is_set():
                if not wait_for_leadership(lock, poll_seconds, stop, on_standby=standby):
                    break
                log.info("leader (%s): starting the scheduler", lock.description)
                _lead(settings, lock, stop, poll_seconds, run, jobs)
        finally:
            lock.release()
            log.info("worker stopped; leader lock released")


def _lead(
    settings: Settings,
    lock: LeaderLock,
    stop: threading.Event,
    poll_seconds: float,
    run: Callable[[str], str] | None,
    jobs: dict[str, JobSpec] | None,
) -> None:
    """Run the scheduler while holding the lock; return once stopped or the lock is lost."""
    scheduler = build_scheduler(settings, run=run, jobs=jobs)

    def watch() -> None:
        # Started once the scheduler runs, so shutdown() never races start().
        while not stop.wait(poll_seconds):
            if not lock.check():
                log.error("lost the leader lock; stopping the scheduler")
                break
        with suppress(SchedulerNotRunningError):
            scheduler.shutdown(wait=True)

    watcher = threading.Thread(target=watch, name="coachbot-leader-watch", daemon=True)

    def started(_event: SchedulerEvent) -> None:
        for job in scheduler.get_jobs():
            log.info("scheduled %s (%s), next run %s", job.id, job.trigger, job.next_run_time)
        watcher.start()

    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    scheduler.start()  # blocks until the watcher shuts the scheduler down
    watcher.join()
    lock.release()  # no-op if already lost; a leader that stopped must not keep the lock
