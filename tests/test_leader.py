"""The leader lock: one holder at a time, free again when the holder releases it or dies."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store.engine import make_engine
from bot.store.leader import ADVISORY_KEY, LeaderLock, wait_for_leadership

ROOT = Path(__file__).resolve().parents[1]
MAX_POLLS = 100  # x 0.05 s: the dead holder's lock must be free within a few seconds at most

HOLD = """
import sys, time
from bot.store.leader import LeaderLock
lock = LeaderLock(sys.argv[1])
print("held" if lock.try_acquire() else "busy", flush=True)
time.sleep(600)
"""


def start_holder(url: str) -> subprocess.Popen[str]:
    """A child process that takes the lock, says so, and holds it until killed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, url], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
    )
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    if line != "held":
        child.kill()
        child.wait()
        pytest.fail(f"child could not take a free lock: {line!r}")
    return child


def kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.stdout is not None
    child.stdout.close()


def acquires_within(lock: LeaderLock, polls: int) -> bool:
    """Whether ``lock`` is taken within ``polls`` attempts, 0.05 s apart."""
    pause = threading.Event()
    for _ in range(polls):
        if lock.try_acquire():
            return True
        pause.wait(0.05)
    return False


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'coachbot.db'}"


@pytest.fixture
def locks() -> Iterator[list[LeaderLock]]:
    made: list[LeaderLock] = []
    yield made
    for lock in made:
        lock.release()


def two(url: str, locks: list[LeaderLock]) -> tuple[LeaderLock, LeaderLock]:
    first, second = LeaderLock(url), LeaderLock(url)
    locks += [first, second]
    return first, second


def check_one_holder(first: LeaderLock, second: LeaderLock) -> None:
    assert first.try_acquire()
    assert first.held
    assert first.try_acquire()  # re-entrant for the holder
    assert not second.try_acquire()
    assert not second.held
    first.release()
    assert not first.held
    assert second.try_acquire()
    assert not first.try_acquire()
    second.release()
    second.release()  # idempotent


def test_sqlite_one_holder_at_a_time(sqlite_url: str, locks: list[LeaderLock]) -> None:
    check_one_holder(*two(sqlite_url, locks))


def test_sqlite_lock_file_sits_next_to_the_database(sqlite_url: str, tmp_path: Path) -> None:
    with LeaderLock(sqlite_url) as lock:
        assert lock.held
        assert (tmp_path / "coachbot.db.scheduler.lock").exists()
    assert not lock.held
    with LeaderLock(sqlite_url) as again:
        assert again.held


def test_in_memory_sqlite_is_always_leader(locks: list[LeaderLock]) -> None:
    first, second = two("sqlite://", locks)
    assert first.try_acquire()
    assert second.try_acquire()


def test_sqlite_lock_of_a_killed_process_is_free(sqlite_url: str, locks: list[LeaderLock]) -> None:
    child = start_holder(sqlite_url)
    lock, _ = two(sqlite_url, locks)
    try:
        assert not lock.try_acquire()
    finally:
        kill(child)
    assert lock.try_acquire()  # the kernel dropped the dead process's flock


def test_wait_for_leadership_stops_when_asked(sqlite_url: str, locks: list[LeaderLock]) -> None:
    leader, standby = two(sqlite_url, locks)
    assert leader.try_acquire()
    stop = threading.Event()
    calls: list[str] = []

    def on_standby() -> None:
        calls.append("standby")
        stop.set()

    assert not wait_for_leadership(standby, 0.01, stop, on_standby=on_standby)
    assert calls == ["standby"]
    leader.release()
    assert wait_for_leadership(standby, 0.01, threading.Event())
    assert standby.held


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="mysql"):
        LeaderLock("mysql://user@localhost/coachbot")


def test_postgres_one_holder_at_a_time(pg_url: str, locks: list[LeaderLock]) -> None:
    check_one_holder(*two(pg_url, locks))


def test_postgres_lock_of_a_killed_process_is_free(pg_url: str, locks: list[LeaderLock]) -> None:
    child = start_holder(pg_url)
    lock, _ = two(pg_url, locks)
    try:
        assert not lock.try_acquire()
    finally:
        kill(child)
    # The server releases the session lock once it sees the connection close.
    assert acquires_within(lock, MAX_POLLS)


def test_postgres_lost_connection_means_lost_lock(pg_url: str, locks: list[LeaderLock]) -> None:
    leader, standby = two(pg_url, locks)
    assert leader.try_acquire()
    assert leader.check()
    # Kill exactly the backend holding our advisory lock (found through pg_locks).
    high, low = (ADVISORY_KEY >> 32) & 0xFFFFFFFF, ADVISORY_KEY & 0xFFFFFFFF
    engine = make_engine(pg_url)
    try:
        with engine.begin() as connection:
            terminated = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND classid = :high AND objid = :low AND objsubid = 1 AND granted"
                ),
                {"high": high, "low": low},
            ).all()
    finally:
        engine.dispose()
    assert terminated
    assert not leader.check()
    assert not leader.held
    assert acquires_within(standby, MAX_POLLS)


def test_advisory_key_is_derived_from_the_lock_name() -> None:
    digest = hashlib.sha256(b"coachbot-scheduler").digest()
    assert int.from_bytes(digest[:8], "big", signed=True) == ADVISORY_KEY
