"""The scheduler and the worker: stored jobs name only our function, one worker leads."""

from __future__ import annotations

import logging
import os
import pickle
import pickletools
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import create_engine, text

from bot.config import Settings
from bot.store.leader import LeaderLock
from jobs import schedule
from jobs.registry import JOBS, JobSpec
from jobs.schedule import EXECUTE_REF, build_scheduler, execute
from jobs.worker import run_worker

ROOT = Path(__file__).resolve().parents[1]
MAX_POLLS = 100
PAUSE = threading.Event()  # never set: wait(x) is a pause that cannot be cut short


def spec(name: str, **cron: str) -> JobSpec:
    return JobSpec(name, cron, f"test job {name}", lambda _context: "unused")


FAKE = {s.name: s for s in (spec("nudges", minute="5"), spec("recompute", hour="2", minute="30"))}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'coachbot.db'}")


@pytest.fixture(autouse=True)
def _reset_runner() -> Iterator[None]:
    yield
    schedule._runner = None


def store_jobs(scheduler: BlockingScheduler, check: Any = None) -> None:
    """Start the scheduler paused (which writes its jobs to the store), then shut it down.

    ``check(scheduler)`` runs while it is started: its jobs are then read from the store.
    """
    started = threading.Event()
    scheduler.add_listener(lambda _event: started.set(), EVENT_SCHEDULER_STARTED)
    thread = threading.Thread(target=scheduler.start, kwargs={"paused": True}, daemon=True)
    thread.start()
    assert started.wait(30), "scheduler did not start"
    try:
        if check is not None:
            check(scheduler)
    finally:
        scheduler.shutdown()
    thread.join(30)
    assert not thread.is_alive()


def stored_rows(settings: Settings) -> dict[str, bytes]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, job_state FROM apscheduler_jobs")).all()
    finally:
        engine.dispose()
    return {row.id: row.job_state for row in rows}


def check_jobs(scheduler: BlockingScheduler, specs: dict[str, JobSpec], stored: bool) -> None:
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(specs)
    after = datetime(2026, 11, 20, 9, 1, tzinfo=UTC)
    for name, job_spec in specs.items():
        job = jobs[name]
        expected = CronTrigger(**job_spec.cron, timezone="UTC")
        assert isinstance(job.trigger, CronTrigger)
        assert str(job.trigger) == str(expected)
        assert str(job.trigger.timezone) == "UTC"
        assert job.trigger.get_next_fire_time(None, after) == expected.get_next_fire_time(
            None, after
        )
        assert job.func_ref == EXECUTE_REF
        assert job.args == (name,)
        assert job.kwargs == {}
        if stored:  # job defaults are applied when a job reaches the store
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 3600)


def test_build_scheduler_registers_every_registry_job(settings: Settings) -> None:
    scheduler = build_scheduler(settings, run=lambda name: name)
    assert str(scheduler.timezone) == "UTC"
    check_jobs(scheduler, JOBS, stored=False)
    store_jobs(scheduler, check=lambda started: check_jobs(started, JOBS, stored=True))


def test_jobs_are_stored_once_and_replaced_when_built_again(settings: Settings) -> None:
    store_jobs(build_scheduler(settings, run=lambda name: name, jobs=FAKE))
    assert set(stored_rows(settings)) == set(FAKE)

    changed = {**FAKE, "nudges": spec("nudges", minute="7")}
    again = build_scheduler(settings, run=lambda name: name, jobs=changed)
    store_jobs(again)
    rows = stored_rows(settings)
    assert sorted(rows) == sorted(FAKE)  # same ids, no duplicates
    stored_trigger = pickle.loads(rows["nudges"])["trigger"]  # our own test database: trusted
    assert str(stored_trigger) == str(CronTrigger(minute="7", timezone="UTC"))

    reread = build_scheduler(settings, run=lambda name: name, jobs=changed)
    store_jobs(reread, check=lambda started: check_jobs(started, changed, stored=True))


def test_jobs_no_longer_in_the_registry_are_removed(settings: Settings) -> None:
    store_jobs(build_scheduler(settings, run=lambda name: name, jobs=FAKE))
    fewer = {"nudges": FAKE["nudges"]}
    store_jobs(build_scheduler(settings, run=lambda name: name, jobs=fewer))
    assert set(stored_rows(settings)) == {"nudges"}


def test_stored_rows_hold_only_a_reference_to_execute_and_the_job_name(
    settings: Settings,
) -> None:
    store_jobs(build_scheduler(settings, run=lambda name: name, jobs=FAKE))
    rows = stored_rows(settings)
    assert set(rows) == set(FAKE)
    for name, blob in rows.items():
        state = pickle.loads(blob)  # our own test database: trusted
        assert state["func"] == EXECUTE_REF
        assert state["args"] == (name,)
        assert state["kwargs"] == {}
        # Only trigger and time classes are pickled: no function, closure or app object.
        strings = {
            str(arg)
            for op, arg, _pos in pickletools.genops(blob)
            if op.name in ("GLOBAL", "SHORT_BINUNICODE", "BINUNICODE", "UNICODE")
        }
        ours = {v for v in strings if v.split(".")[0].split(" ")[0] in ("jobs", "bot", "tests")}
        assert ours <= {EXECUTE_REF}, ours
        assert any(v.startswith("apscheduler.triggers.cron") for v in strings)


def test_execute_runs_the_named_job_and_logs_its_summary(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def run(name: str) -> str:
        calls.append(name)
        return f"{name}: 3 sent"

    build_scheduler(settings, run=run, jobs=FAKE)
    with caplog.at_level(logging.INFO, logger="coachbot.jobs"):
        execute("nudges")
    assert calls == ["nudges"]
    assert "nudges: 3 sent" in caplog.text


def test_worker_waits_on_standby_then_leads_and_stops_cleanly(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="coachbot.worker")
    other = LeaderLock(settings.database_url)
    assert other.try_acquire()
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker,
        args=(settings, stop),
        kwargs={"poll_seconds": 0.02, "run": lambda name: name, "jobs": FAKE},
        daemon=True,
    )
    worker.start()
    try:
        assert poll(lambda: "standby" in caplog.text)
        assert not stored_rows_or_empty(settings)  # a standby never touches the job store
        other.release()
        assert poll(lambda: set(stored_rows_or_empty(settings)) == set(FAKE))
        assert "leader" in caplog.text
    finally:
        stop.set()
        worker.join(30)
    assert not worker.is_alive()
    with LeaderLock(settings.database_url) as after:
        assert after.held  # released on the way out


def stored_rows_or_empty(settings: Settings) -> dict[str, bytes]:
    try:
        return stored_rows(settings)
    except Exception:  # the job store creates its table when the scheduler starts
        return {}


def poll(condition: Any, polls: int = MAX_POLLS * 3) -> bool:
    for _ in range(polls):
        if condition():
            return True
        PAUSE.wait(0.05)
    return bool(condition())


WORKER = """
import logging, sys
from bot.config import Settings
from jobs.registry import JOBS
from jobs.worker import run_worker
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s %(message)s")
jobs = {"roleplay_idle": JOBS["roleplay_idle"]}
run_worker(Settings(database_url=sys.argv[1]), poll_seconds=0.05, run=str, jobs=jobs)
"""


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def read_until(child: subprocess.Popen[str], needle: str, lines: int = 200) -> list[str]:
    assert child.stdout is not None
    seen: list[str] = []
    for _ in range(lines):
        line = child.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip())
        if needle in line:
            return seen
    pytest.fail(f"{needle!r} never appeared in the worker's log:\n" + "\n".join(seen))


def test_worker_process_shuts_down_on_sigterm_and_releases_the_lock(settings: Settings) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", WORKER, settings.database_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env=child_env(),
    )
    try:
        read_until(child, "scheduled roleplay_idle")
        child.send_signal(signal.SIGTERM)
        log = read_until(child, "leader lock released")
        assert child.wait(30) == 0
        assert any("SIGTERM" in line for line in log)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        assert child.stdout is not None
        child.stdout.close()
    with LeaderLock(settings.database_url) as lock:
        assert lock.held


CANDIDATE = """
import sys, time
from bot.store.leader import LeaderLock
lock = LeaderLock(sys.argv[1])
if lock.try_acquire():
    print("leader 0", flush=True)
else:
    print("standby", flush=True)
    sys.stdin.readline()  # the test says when the leader is dead; count polls from there
    polls = 1
    while not lock.try_acquire():
        if polls >= int(sys.argv[2]):
            print("gave up", flush=True)
            sys.exit(1)
        polls += 1
        time.sleep(0.05)
    print(f"leader {polls}", flush=True)
time.sleep(600)
"""


def test_two_worker_processes_on_postgres_one_leads_the_other_takes_over(pg_url: str) -> None:
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CANDIDATE, pg_url, str(MAX_POLLS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=child_env(),
        )
        for _ in range(2)
    ]
    try:
        first = [child.stdout.readline().strip() for child in children if child.stdout]
        assert sorted(first) == ["leader 0", "standby"], first
        leader = children[first.index("leader 0")]
        standby = children[first.index("standby")]

        leader.send_signal(signal.SIGKILL)
        leader.wait()
        assert standby.stdin is not None and standby.stdout is not None
        standby.stdin.write("go\n")
        standby.stdin.flush()
        taken = standby.stdout.readline().strip()
        assert taken.startswith("leader "), taken
        assert 1 <= int(taken.split()[1]) <= MAX_POLLS
        assert not LeaderLock(pg_url).try_acquire()  # the new leader holds it
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
            child.wait()
            for stream in (child.stdin, child.stdout):
                if stream:
                    stream.close()


def test_schedules_can_be_configured_with_a_crontab() -> None:
    from jobs.registry import JOBS, configured_jobs

    jobs = configured_jobs({"COACHBOT_SCHEDULE_DIGESTS": "20 */2 * * *"})
    assert jobs["digests"].cron == {
        "minute": "20",
        "hour": "*/2",
        "day": "*",
        "month": "*",
        "day_of_week": "*",
    }
    assert jobs["nudges"] == JOBS["nudges"]
    with pytest.raises(ValueError, match="COACHBOT_SCHEDULE_NUDGES must be a crontab"):
        configured_jobs({"COACHBOT_SCHEDULE_NUDGES": "every monday"})


def test_every_bad_schedule_is_named_with_its_value_and_what_is_wrong() -> None:
    from jobs.registry import configured_jobs

    with pytest.raises(ValueError) as raised:
        configured_jobs(
            {
                "COACHBOT_SCHEDULE_DIGESTS": "61 * * * *",
                "COACHBOT_SCHEDULE_NUDGES": "5 * * * funday",
                "COACHBOT_SCHEDULE_REVIEWS": "5 * * *",
            }
        )
    said = {line.split()[0]: line for line in str(raised.value).splitlines()}
    assert set(said) == {
        "COACHBOT_SCHEDULE_DIGESTS",
        "COACHBOT_SCHEDULE_NUDGES",
        "COACHBOT_SCHEDULE_REVIEWS",
    }
    assert "'61 * * * *'" in said["COACHBOT_SCHEDULE_DIGESTS"]
    assert "higher than the maximum value (59)" in said["COACHBOT_SCHEDULE_DIGESTS"]
    assert 'Invalid weekday name "funday"' in said["COACHBOT_SCHEDULE_NUDGES"]
    assert "4 fields instead of 5" in said["COACHBOT_SCHEDULE_REVIEWS"]


TICKER = """
import logging, sys
from bot.config import Settings
from jobs.registry import JobSpec
from jobs.worker import run_worker
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s %(message)s")
jobs = {"tick": JobSpec("tick", {"second": "*"}, "every second", lambda _context: "unused")}
run_worker(Settings(database_url=sys.argv[1]), poll_seconds=0.1, run=lambda name: name, jobs=jobs)
"""
TICKS_EACH = 3


class WorkerLog:
    """A worker process whose log lines are collected by a thread as they come."""

    def __init__(self, url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-c", TICKER, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
            env=child_env(),
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def ticks(self) -> list[str]:
        """The scheduled times of the ticks this worker ran."""
        prefix = "coachbot.jobs job tick ran for "
        return [line.removeprefix(prefix) for line in list(self.lines) if line.startswith(prefix)]

    def said(self, needle: str) -> bool:
        return any(needle in line for line in list(self.lines))

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(10)
        assert self.process.stdout is not None
        self.process.stdout.close()


def test_two_worker_processes_on_postgres_run_each_tick_once(pg_url: str) -> None:
    """Two real workers share one job store: while one leads, the standby runs nothing; when
    the leader is killed the standby takes over from the next tick, and no tick runs twice."""
    first = WorkerLog(pg_url)
    second: WorkerLog | None = None
    try:
        assert poll(lambda: first.said("leader ("), polls=MAX_POLLS * 6), first.lines
        second = WorkerLog(pg_url)
        assert poll(lambda: second.said("standby"), polls=MAX_POLLS * 6), second.lines
        assert poll(lambda: len(first.ticks()) >= TICKS_EACH, polls=MAX_POLLS * 6)
        assert second.ticks() == []
        first.stop(signal.SIGKILL)
        assert poll(lambda: len(second.ticks()) >= TICKS_EACH, polls=MAX_POLLS * 6), second.lines
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            second.stop()
    assert second is not None
    led, took_over = first.ticks(), second.ticks()
    everything = led + took_over
    assert len(everything) == len(set(everything)), everything  # no tick ran twice
    assert max(led) < min(took_over)  # the standby ran only ticks after the leader's
