"""`coachbot serve --http` on loopback for the server benchmarks, pointed at a Slack Web API
stub; signed slash commands sent to it all at the same moment; the production command it is
compared with, and what went wrong in its log."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from _harness import DATA, ROOT
from _orgs import TEAM_ID
from _slack_stub import Arrivals

from tests.slack import requests as slack
from tests.slack.stub import SlackStub

Item = TypeVar("Item")

PROCFILE = ROOT / "Procfile"
SLACK_ACK_LIMIT = 3.0  # Slack shows the user an error when the ack takes longer
ANSWER_TIMEOUT = 30.0  # an answer not in the stub by then is missing
QUIET = 1.0  # a round is over when the stub saw no call for this long (charts come late)
DM_POST = "chat.postMessage"


@dataclass(frozen=True)
class Sent:
    """One request sent: when (perf_counter), how long until its HTTP response, and its
    status (None: no HTTP response, e.g. a timeout, a connection refused or reset)."""

    sent: float
    ack: float
    status: int | None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    args: argparse.Namespace, stub: SlackStub, port: int, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "COACHBOT_")) and k != "DATABASE_URL"
    }
    env |= {
        "DATABASE_URL": args.database_url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": slack.SIGNING_SECRET,
        "SLACK_API_URL": stub.base_url,
        "COACHBOT_WORKSPACE": TEAM_ID,
    }
    command = [args.coachbot, "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(args.workers), "--threads", str(args.threads)]
    with log.open("wb") as output:
        return subprocess.Popen(command, env=env, cwd=DATA, stdout=output, stderr=subprocess.STDOUT)


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"the server exited ({process.returncode}):\n{tail}")
        try:
            with opener.open(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server was not healthy within {seconds:.0f} s (log: {log})")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass(frozen=True)
class Serving:
    """A running server: its root URL, the Slack events URL, the stub's arrival times."""

    root: str
    events_url: str
    arrivals: Arrivals
    healthy_after: float  # seconds from starting the stub until the server was healthy


@contextlib.contextmanager
def serving(args: argparse.Namespace, stub: SlackStub, log: Path) -> Iterator[Serving]:
    """The stub and its Arrivals started, `coachbot serve --http` on a free port pointed at it
    and healthy; afterwards the server, the arrivals and the stub stopped, in that order."""
    process: subprocess.Popen[bytes] | None = None
    arrivals: Arrivals | None = None
    started = time.perf_counter()
    try:
        stub.start()
        arrivals = Arrivals(stub).start()
        port = free_port()
        process = start_server(args, stub, port, log)
        root = f"http://127.0.0.1:{port}"
        wait_healthy(f"{root}/healthz", process, log, seconds=120)
        yield Serving(root, f"{root}/slack/events", arrivals, time.perf_counter() - started)
    finally:
        if process is not None:
            stop_server(process)
        if arrivals is not None:
            arrivals.stop()
        stub.stop()


def send_at_once(
    events_url: str,
    items: list[Item],
    request_for: Callable[[Item], slack.SlackRequest],
    timeout: float,
) -> list[Sent]:
    """One thread per item signs its request, then all are sent at the same moment (a
    barrier); each waits up to `timeout` for its HTTP response. In the order of `items`."""
    barrier = threading.Barrier(len(items))

    def one(item: Item) -> Sent:
        request = request_for(item)
        with contextlib.suppress(threading.BrokenBarrierError):  # a slow thread: send anyway
            barrier.wait(timeout=30)
        sent = time.perf_counter()
        try:
            status: int | None = slack.post(events_url, request, timeout=timeout)[0]
        except OSError:
            status = None
        return Sent(sent, time.perf_counter() - sent, status)

    with ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="slack") as pool:
        return list(pool.map(one, items))


# --- the production command and the server's log ------------------------------------------


def procfile_web() -> tuple[int, int]:
    """--workers and --threads of the Procfile's `web:` line, the production command."""
    line = next((ln for ln in PROCFILE.read_text().splitlines() if ln.startswith("web:")), "")
    workers = re.search(r"--workers[ =](\d+)", line)
    threads = re.search(r"--threads[ =](\d+)", line)
    if not workers or not threads:
        raise SystemExit(f"no --workers/--threads in the Procfile's web: line: {line!r}")
    return int(workers.group(1)), int(threads.group(1))


def as_in_procfile(args: argparse.Namespace) -> str:
    workers, threads = procfile_web()
    if (args.workers, args.threads) == (workers, threads):
        return "as the Procfile's web: line runs it"
    return f"NOT as in production: the Procfile's web: line runs {workers} x {threads}"


# coachbot's log lines ("date time LEVEL logger message") and gunicorn's ("[date] [pid] [LEVEL]
# message"), warnings and worse; and the last line of a traceback ("module.SomeError: ...").
_APP_LINE = re.compile(r"^\S+ \S+ (WARNING|ERROR|CRITICAL) \S+ (.*)$")
_GUNICORN_LINE = re.compile(r"^\[[^]]+\] \[\d+\] \[(WARNING|ERROR|CRITICAL)\] (.*)$")
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout)(: .*)?$")
_IDS = re.compile(r"\b(ref [0-9a-f]{8}|U[A-Z0-9]{6,}|pid:? ?\d+|0x[0-9a-f]+)\b")
STARTUP_NOISE = "`token` will be unused"  # Bolt's note when given a client; every boot


def log_problems(log: Path) -> Counter[str]:
    """Warnings, errors and exceptions in the server's log, with ids blanked so alike ones add
    up (Bolt's "didn't call ack()" is a warning, and it is the one Slack users notice)."""
    found: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        match = _APP_LINE.match(line) or _GUNICORN_LINE.match(line)
        if match and STARTUP_NOISE not in line:
            found[f"{match[1]} {_IDS.sub('#', match[2])[:150]}"] += 1
        elif _EXCEPTION.match(line):
            found[f"exception {_IDS.sub('#', line)[:150]}"] += 1
    return found
