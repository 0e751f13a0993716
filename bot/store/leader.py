"""One active scheduler: a leader lock in the database, so a second worker waits on standby.

APScheduler 3 does not support two schedulers sharing one job store (both would run every
job), so only the worker holding this lock may start its scheduler.

- PostgreSQL: a session-level advisory lock held on a dedicated connection for the worker's
  lifetime. When the process dies its connection closes and the server releases the lock.
- SQLite file: an exclusive OS file lock (``flock``) on ``<db>.scheduler.lock`` next to the
  database file; the kernel releases it when the process dies.
- In-memory SQLite: only one process can see the database, so the holder is always leader.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from contextlib import suppress
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from bot.store.engine import make_engine

LOCK_NAME = "coachbot-scheduler"
# pg advisory locks take a signed 64-bit key: the first 8 bytes of the name's SHA-256.
ADVISORY_KEY = int.from_bytes(hashlib.sha256(LOCK_NAME.encode()).digest()[:8], "big", signed=True)

log = logging.getLogger("coachbot.leader")


def _sqlite_lock_path(database: str | None) -> str | None:
    """The lock file for a SQLite database, or None for an in-memory database."""
    if not database or database == ":memory:" or "mode=memory" in database:
        return None
    if database.startswith("file:"):
        database = database[len("file:") :].split("?", 1)[0]
    return os.path.abspath(database) + ".scheduler.lock"


class LeaderLock:
    """The scheduler's leader lock for one database URL; at most one holder at a time.

    ``try_acquire`` never blocks. Used as a context manager it tries once on entry (check
    ``held``) and always releases on exit.
    """

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        url = make_url(database_url)
        self._backend = url.get_backend_name()
        self._lock_path: str | None = None
        self._fd: int | None = None
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        self._held = False
        self._mutex = threading.Lock()
        if self._backend == "sqlite":
            self._lock_path = _sqlite_lock_path(url.database)
        elif self._backend != "postgresql":
            raise ValueError(f"no leader lock for {self._backend} databases")

    @property
    def held(self) -> bool:
        return self._held

    @property
    def description(self) -> str:
        if self._backend == "postgresql":
            return f"PostgreSQL advisory lock {ADVISORY_KEY}"
        return f"file lock {self._lock_path}" if self._lock_path else "in-memory database"

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True if this object holds it afterwards.

        Database errors propagate: the caller decides whether to retry.
        """
        with self._mutex:
            if self._held:
                return True
            if self._backend == "postgresql":
                self._held = self._acquire_postgres()
            elif self._lock_path is None:
                self._held = True
            else:
                self._held = self._acquire_file(self._lock_path)
            return self._held

    def check(self) -> bool:
        """Whether the lock is still held; for PostgreSQL, that its connection is alive.

        A lost connection means a lost lock (the server released it), so the holder must stop
        scheduling: another worker may already lead.
        """
        with self._mutex:
            if not self._held or self._connection is None:
                return self._held
            try:
                self._connection.execute(text("SELECT 1"))
            except DBAPIError:
                log.error("leader lock connection lost; %s is no longer held", self.description)
                self._close_postgres()
                self._held = False
            return self._held

    def release(self) -> None:
        """Give the lock up (idempotent); a standby worker can then take over."""
        with self._mutex:
            if self._connection is not None:
                if self._held:
                    # If this fails, closing the connection below releases the lock anyway.
                    with suppress(DBAPIError):
                        self._connection.execute(
                            text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
                        )
                self._close_postgres()
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
                self._fd = None
            self._held = False

    def __enter__(self) -> LeaderLock:
        self.try_acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<LeaderLock {self.description} held={self._held}>"

    def _acquire_postgres(self) -> bool:
        if self._connection is None:
            # NullPool: closing the connection really closes it, and with it the session lock.
            self._engine = make_engine(
                self.database_url,
                poolclass=NullPool,
                pool_pre_ping=False,
                connect_args={"application_name": LOCK_NAME},
            )
            try:
                # Autocommit: the lock is session-level, so no transaction stays open for hours.
                self._connection = self._engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT"
                )
            except BaseException:
                self._close_postgres()
                raise
        try:
            acquired = self._connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
            ).scalar_one()
        except BaseException:
            self._close_postgres()
            raise
        if not acquired:
            self._close_postgres()  # a standby holds no connection between polls
        return bool(acquired)

    def _close_postgres(self) -> None:
        if self._connection is not None:
            with suppress(DBAPIError):
                self._connection.close()
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _acquire_file(self, path: str) -> bool:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True


def wait_for_leadership(
    lock: LeaderLock,
    poll_seconds: float,
    stop: threading.Event,
    on_standby: Callable[[], Any] | None = None,
) -> bool:
    """Poll until ``lock`` is held (True) or ``stop`` is set (False).

    ``on_standby`` is called once, the first time the lock is found taken. A database error
    while polling is logged and retried: a standby must outlive a database restart.
    """
    waiting = False
    while not stop.is_set():
        try:
            if lock.try_acquire():
                return True
        except DBAPIError as error:
            log.warning("could not poll the leader lock: %s", str(error).splitlines()[0])
        else:
            if not waiting and on_standby is not None:
                on_standby()
            waiting = True
        if stop.wait(poll_seconds):
            break
    return False
