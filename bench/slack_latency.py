"""Slack latency benchmark: the production HTTP server on loopback with a 5,000-rep database,
50 concurrent signed `/coach me` slash commands; p50/p99 time to the ack and to the answer.

    .venv/bin/python bench/slack_latency.py [--reps 5000] [--deals 1000000]
        [--activities 5000000] [--database-url URL] [--regenerate] [--concurrency 50]
        [--rounds 1] [--warmup 8] [--workers 2] [--threads 8] [--reuse-snapshots]

Quick: --reps 500 --deals 100000 --activities 500000.

1. The org comes from bench/assess.py's generator, into bench/data/latency.db by default (other
   sizes: latency-REPS-DEALS-ACTIVITIES.db; not committed; reused while its parameters match
   and its data is at most a week old).
   For PostgreSQL pass --database-url to a database of its own: the org's team id is the one
   bench/assess.py uses, and an org of other sizes under that team id is replaced.
2. Every person has a Slack user id (the generator sets them; any missing get one) and the
   requests carry the workspace's team id, so `/coach me` finds the rep without users.info.
3. run_assessments() stores one snapshot per rep for today, the date the server sees (its clock
   is the system clock, COACHBOT_TIMEZONE unset = UTC; and each rep's local date, which is what
   `/coach me` looks up, when that is a day earlier), in a child process, timed. `/coach me`
   then answers from stored snapshots, as in production where the nightly job keeps them fresh.
4. A local Slack Web API stub (tests/slack/stub.py) on 127.0.0.1, and `coachbot serve --http`
   (gunicorn, gthread) on 127.0.0.1 pointed at it; a few warm-up requests.
5. Per round, `--concurrency` threads each send one signed `/coach me` for a different rep at
   the same moment. Ack: until the HTTP response returns (non-200 ones are in the percentiles
   too, and counted). Answer: from sending until the stub has the chat.postMessage in that
   rep's DM (a thread polls the stub's calls every 2 ms and notes when it first sees each);
   answers missing after 30 s are counted, not in the percentiles. Also reported: the trend
   chart's upload (files.completeUploadExternal) and the Slack calls made.
   The server's output goes to bench/data/latency-server.log.

Goals (from the issue): p99 ack under 300 ms, p99 answer under 1 s, no answer missing.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import itertools
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
sys.path[:0] = [str(HERE), str(ROOT)]  # bench/assess.py, coachbot and tests/ from anywhere

org = importlib.import_module("assess")  # bench/assess.py: the org generator

from bot.coaching.assessment import AssessmentConfig  # noqa: E402
from bot.store.engine import Database, make_engine  # noqa: E402
from bot.store.models import AssessmentSnapshot, Person, Workspace  # noqa: E402
from bot.vocabulary import DEFAULT_STAGES  # noqa: E402
from tests.slack import requests as slack  # noqa: E402
from tests.slack.stub import SlackStub  # noqa: E402

TEAM_ID = org.TEAM_ID
COACHBOT = ROOT / ".venv" / "bin" / "coachbot"
GOAL_ACK = 0.300
GOAL_ANSWER = 1.0
ANSWER_TIMEOUT = 30.0  # an answer not in the stub by then is missing
SLACK_ACK_LIMIT = 3.0  # Slack shows the user an error when the ack takes longer
CLIENT_TIMEOUT = 10.0
POLL = 0.002  # how often the stub's calls are read
QUIET = 1.0  # a round is over when the stub saw no call for this long (charts come late)
MAX_DATA_AGE_DAYS = 7  # reuse a stored org whose data ends at most this long ago
DM_POST = "chat.postMessage"
CHART_DONE = "files.completeUploadExternal"
UPLOAD_CALLS = ("files.getUploadURLExternal", "files.upload_url", CHART_DONE)


@dataclass(frozen=True)
class Rep:
    person_id: int
    slack_user_id: str
    email: str
    name: str
    timezone: str


@dataclass
class Result:
    rep: Rep
    sent: float
    ack: float
    status: int | None
    dm: str
    answer: float | None = None
    chart: float | None = None


# --- the database ---------------------------------------------------------------------------


def stored_sizes(url: str) -> dict[str, Any] | None:
    """The parameters of the org already in the database, if any."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return None
    engine = make_engine(url)
    try:
        stored = org.stored_params(engine)
    finally:
        engine.dispose()
    return (stored or {}).get("sizes")


def choose_sizes(args: argparse.Namespace, today: date) -> Any:
    """bench/assess.py's Sizes; the data ends today, or on the date of a stored org of the same
    sizes whose data is at most MAX_DATA_AGE_DAYS old (so a rerun does not regenerate it)."""

    def sizes(as_of: date) -> Any:
        feedback = args.feedback if args.feedback is not None else args.reps * 8 // 5
        return org.Sizes(
            args.reps, args.deals, args.activities, feedback, args.seed, as_of.isoformat()
        )

    if args.data_as_of:
        return sizes(date.fromisoformat(args.data_as_of))
    stored = None if args.regenerate else stored_sizes(args.database_url)
    if stored and stored.get("as_of"):
        ended = date.fromisoformat(stored["as_of"])
        candidate = sizes(ended)
        if 0 <= (today - ended).days <= MAX_DATA_AGE_DAYS and candidate.params() == stored:
            return candidate
    return sizes(today)


def workspace_id(session: Any) -> int:
    found = session.scalar(select(Workspace.id).where(Workspace.team_id == TEAM_ID))
    if found is None:
        raise SystemExit(f"no workspace {TEAM_ID} in the database")
    return int(found)


def link_slack_ids(db: Database) -> int:
    """Give every person without a Slack user id a deterministic one (one UPDATE); the
    generator sets them, so this normally changes nothing. Returns the rows changed."""
    with db.begin() as session:
        workspace = workspace_id(session)
        done = session.execute(
            update(Person)
            .where(Person.workspace_id == workspace, Person.slack_user_id.is_(None))
            .values(slack_user_id=literal("UL") + cast(Person.id, String))
        )
        return int(done.rowcount or 0)


def pick_reps(db: Database, count: int, role: str = "rep") -> list[Rep]:
    """`count` different active people of `role`, spread evenly over the org."""
    with db.begin() as session:
        rows = session.execute(
            select(Person.id, Person.slack_user_id, Person.email, Person.name, Person.timezone)
            .where(
                Person.workspace_id == workspace_id(session),
                Person.role == role,
                Person.active.is_(True),
            )
            .order_by(Person.id)
        ).all()
    if len(rows) < count:
        raise SystemExit(
            f"{count} requests need {count} different active people with the role {role}; "
            f"the org has {len(rows)}: ask for fewer requests or more --reps"
        )
    picked = [rows[i * len(rows) // count] for i in range(count)]
    return [Rep(r.id, r.slack_user_id, r.email, r.name, r.timezone or "UTC") for r in picked]


def snapshot_marker(db: Database) -> tuple[int, str]:
    """How many snapshots the workspace has and when the last was written: if the server
    assesses during the run (a snapshot missed), this changes."""
    with db.begin() as session:
        count, last = session.execute(
            select(func.count(), func.max(AssessmentSnapshot.created_at)).where(
                AssessmentSnapshot.workspace_id == workspace_id(session)
            )
        ).one()
    return int(count), str(last)


def have_snapshots(url: str, reps: list[Rep], as_of: date) -> bool:
    """Does every chosen rep have a snapshot for `as_of` already (--reuse-snapshots)?"""
    db = Database.from_url(url)
    try:
        with db.begin() as session:
            found = session.scalar(
                select(func.count()).where(
                    AssessmentSnapshot.workspace_id == workspace_id(session),
                    AssessmentSnapshot.person_id.in_([r.person_id for r in reps]),
                    AssessmentSnapshot.as_of == as_of,
                    AssessmentSnapshot.window_days == AssessmentConfig().window_days,
                )
            )
    finally:
        db.dispose()
    return found == len(reps)


def child_assess(url: str, as_of: date) -> dict[str, Any]:
    """run_assessments() as the nightly job runs it, in this (child) process."""
    from bot.services.assessments import run_assessments

    db = Database.from_url(url)
    started = time.perf_counter()
    run = run_assessments(
        db, TEAM_ID, as_of, datetime.now(UTC), AssessmentConfig(stages=DEFAULT_STAGES)
    )
    elapsed = time.perf_counter() - started
    db.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": elapsed, "assessed": len(run.assessments), "peak": peak}


def store_snapshots(url: str, as_of: date) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--database-url", url]
    command += ["--child-assess", as_of.isoformat()]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True, timeout=3600)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the Slack side -------------------------------------------------------------------------


class Arrivals:
    """Polls the stub's recorded calls and notes when each (method, channel) was first seen:
    the stub keeps no arrival times, so this is within POLL of the arrival."""

    def __init__(self, stub: SlackStub) -> None:
        self.stub = stub
        self.first: dict[tuple[str, str], float] = {}
        self.methods: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.last = time.perf_counter()
        self._seen = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="arrivals", daemon=True)

    def start(self) -> Arrivals:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(POLL)

    def poll(self) -> None:
        calls = self.stub.calls
        if len(calls) == self._seen:
            return
        now = time.perf_counter()
        for call in calls[self._seen :]:
            self.methods[call.method] += 1
            if not call.ok:
                self.failed[f"{call.method} {call.response.get('error', call.status)}"] += 1
            # The stub resolves a user id to that user's DM, as Slack does for chat.postMessage.
            channel = call.channel or str(call.body.get("channel_id") or "")
            self.first.setdefault((call.method, channel), now)
        self._seen = len(calls)
        self.last = now

    def wait_quiet(self, quiet: float, limit: float) -> None:
        """Until no call came for `quiet` seconds (bounded by `limit`)."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline and time.perf_counter() - self.last < quiet:
            time.sleep(0.05)


def prepare_org(args: argparse.Namespace, today: date) -> Any:
    """bench/assess.py's org of the sizes asked for, generated or reused; says which."""
    sizes = choose_sizes(args, today)
    generated, counts = org.prepare(args.database_url, sizes, args.regenerate)
    url = make_url(args.database_url)
    where = url.render_as_string()
    if url.get_backend_name() == "sqlite" and url.database:
        where += f" ({Path(url.database).stat().st_size / 2**20:,.0f} MiB)"
    print(
        f"org          : {counts['people']:,} people ({sizes.reps:,} reps), "
        f"{counts['deals']:,} deals, {counts['activities']:,} activities, "
        f"{counts['feedback']:,} feedback; data up to {sizes.as_of}"
    )
    print(f"database     : {where}")
    print(
        "generated    : "
        + (f"in {generated:.1f} s" if generated else "reused (--regenerate rebuilds it)")
    )
    return sizes


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


_response_ids = itertools.count(1)


def fire(events_url: str, stub: SlackStub, arrivals: Arrivals, reps: list[Rep]) -> list[Result]:
    """One signed `/coach me` per rep, all sent at once; waits for their answers."""
    barrier = threading.Barrier(len(reps))

    def one(rep: Rep) -> Result:
        request = slack.slash_command(
            "me",
            rep.slack_user_id,
            team_id=TEAM_ID,
            channel_id="C0BENCH",
            channel_name="bench",
            user_name=rep.email.split("@")[0],
            response_url=f"{stub.root_url}/response/{next(_response_ids)}",
        )
        with contextlib.suppress(threading.BrokenBarrierError):  # a slow thread: send anyway
            barrier.wait(timeout=30)
        sent = time.perf_counter()
        try:
            status: int | None = slack.post(events_url, request, timeout=CLIENT_TIMEOUT)[0]
        except OSError:
            status = None
        return Result(
            rep, sent, time.perf_counter() - sent, status, stub.dm_channel(rep.slack_user_id)
        )

    with ThreadPoolExecutor(max_workers=len(reps), thread_name_prefix="slack") as pool:
        results = list(pool.map(one, reps))
    deadline = max(r.sent for r in results) + ANSWER_TIMEOUT
    while time.perf_counter() < deadline:
        waiting = [r for r in results if (DM_POST, r.dm) not in arrivals.first]
        if not waiting:
            break
        time.sleep(0.01)
    arrivals.wait_quiet(QUIET, ANSWER_TIMEOUT)  # the charts follow the answers
    for r in results:
        if (posted := arrivals.first.get((DM_POST, r.dm))) is not None:
            r.answer = posted - r.sent
        if (charted := arrivals.first.get((CHART_DONE, r.dm))) is not None:
            r.chart = charted - r.sent
    return results


# --- report ---------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def spread(values: list[float]) -> str:
    if not values:
        return "no samples"
    p50, p90, p99 = np.percentile(values, [50, 90, 99]).tolist()
    return f"p50 {ms(p50)}, p90 {ms(p90)}, p99 {ms(p99)}, max {ms(max(values))}"


def p99(values: list[float]) -> float:
    return float(np.percentile(values, 99)) if values else float("inf")


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def server_today(now: datetime) -> date:
    """The date the server's clock shows: COACHBOT_TIMEZONE is not passed on, so UTC."""
    return now.astimezone(ZoneInfo("UTC")).date()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=5_000)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--activities", type=int, default=5_000_000)
    parser.add_argument("--feedback", type=int, help="feedback rows (default: 1.6 per rep)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-as-of", help="the day the generated CRM data ends (default today)")
    parser.add_argument(
        "--database-url",
        help="default: bench/data/latency.db (other sizes: latency-REPS-DEALS-ACTIVITIES.db)",
    )
    parser.add_argument("--regenerate", action="store_true", help="rebuild the org")
    parser.add_argument(
        "--reuse-snapshots",
        action="store_true",
        help="skip run_assessments when the reps already have today's snapshots",
    )
    parser.add_argument("--concurrency", type=int, default=50, help="requests sent at once")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, each with new reps")
    parser.add_argument("--warmup", type=int, default=8, help="warm-up requests (other reps)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument("--coachbot", default=str(COACHBOT), help="the coachbot executable")
    parser.add_argument("--child-assess", metavar="AS_OF", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.database_url is None:
        default = (args.reps, args.deals, args.activities) == (5_000, 1_000_000, 5_000_000)
        name = "latency.db" if default else f"latency-{args.reps}-{args.deals}-{args.activities}.db"
        args.database_url = f"sqlite:///{DATA / name}"
    if args.child_assess:
        result = child_assess(args.database_url, date.fromisoformat(args.child_assess))
        print(json.dumps(result))
        return
    if args.concurrency < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--concurrency and --rounds must be at least 1, --warmup at least 0")

    # A SIGTERM (a timeout) unwinds like Ctrl-C, so the server and the stub are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    now = datetime.now(UTC)
    prepare_org(args, now.date())

    db = Database.from_url(args.database_url)
    try:
        linked = link_slack_ids(db)
        total = args.warmup + args.rounds * args.concurrency
        reps = pick_reps(db, total)
    finally:
        db.dispose()
    if linked:
        print(f"slack ids    : {linked:,} people had none and got one")

    # Snapshots for the server's today; `/coach me` looks for one no later than the rep's own
    # date, so when a rep's zone is still on the day before, that date is stored too.
    today = server_today(datetime.now(UTC))
    local = {datetime.now(ZoneInfo(r.timezone)).date() for r in reps}
    dates = sorted({today} | {d for d in local if d < today})
    for as_of in dates:
        if args.reuse_snapshots and have_snapshots(args.database_url, reps, as_of):
            print(f"snapshots    : as of {as_of} reused (--reuse-snapshots; not timed)")
            continue
        stored = store_snapshots(args.database_url, as_of)
        print(
            f"snapshots    : run_assessments(as of {as_of}) took {stored['seconds']:.1f} s "
            f"({stored['assessed']:,} reps, peak memory {stored['peak'] / 2**20:,.0f} MiB), "
            "before measuring"
        )
    print(
        "               /coach me answers from these stored snapshots, as in production where "
        "the nightly job keeps them fresh"
    )
    if len(dates) > 1:
        print(f"               (a day earlier too: some reps' local date is still {dates[0]})")
    db = Database.from_url(args.database_url)
    try:
        before = snapshot_marker(db)
    finally:
        db.dispose()

    users = {r.slack_user_id: {"email": r.email, "name": r.name, "tz": r.timezone} for r in reps}
    stub = SlackStub(users=users, team_id=TEAM_ID)
    log = DATA / "latency-server.log"
    process: subprocess.Popen[bytes] | None = None
    arrivals: Arrivals | None = None
    results: list[Result] = []
    warm_calls: Counter[str] = Counter()
    started = time.perf_counter()
    try:
        stub.start()
        arrivals = Arrivals(stub).start()
        port = free_port()
        process = start_server(args, stub, port, log)
        root = f"http://127.0.0.1:{port}"
        wait_healthy(f"{root}/healthz", process, log, seconds=120)
        events_url = f"{root}/slack/events"
        print(
            f"server       : coachbot serve --http on {root}, {args.workers} workers x "
            f"{args.threads} threads (gunicorn gthread), healthy after "
            f"{time.perf_counter() - started:.1f} s; log {log}"
        )
        if args.warmup:
            warm = fire(events_url, stub, arrivals, reps[: args.warmup])
            answered = sum(r.answer is not None for r in warm)
            print(
                f"warm-up      : {len(warm)} requests at once, {answered} answered; "
                f"acks {spread([r.ack for r in warm])}"
            )
        load1 = os.getloadavg()[0]
        warm_calls = Counter(arrivals.methods)
        for round_number in range(args.rounds):
            first = args.warmup + round_number * args.concurrency
            results += fire(events_url, stub, arrivals, reps[first : first + args.concurrency])
    finally:
        if process is not None:
            stop_server(process)
        if arrivals is not None:
            arrivals.stop()
        stub.stop()

    db = Database.from_url(args.database_url)
    try:
        after = snapshot_marker(db)
    finally:
        db.dispose()
    assert arrivals is not None
    acks = [r.ack for r in results]  # failed acks too: leaving them out would hide the tail
    answers = [r.answer for r in results if r.answer is not None]
    charts = [r.chart for r in results if r.chart is not None]
    missing = sum(r.answer is None for r in results)
    bad = Counter(str(r.status) for r in results if r.status != 200)
    late = sum(r.ack > SLACK_ACK_LIMIT for r in results)
    print(
        f"load         : {args.concurrency} concurrent signed /coach me x {args.rounds} "
        f"round(s) = {len(results)} requests, each for a different rep "
        f"(load average before: {load1:.2f} on {os.cpu_count()} CPUs)"
    )
    print(f"ack          : {spread(acks)}")
    print(f"answer       : {spread(answers)} (request sent -> chat.postMessage in the DM)")
    print(f"chart        : {spread(charts)} (request sent -> trend chart uploaded; no goal)")
    print(
        f"missing      : {missing} answers after {ANSWER_TIMEOUT:.0f} s; non-200 acks "
        f"{sum(bad.values())}{f' {dict(bad)}' if bad else ''}; "
        f"acks over {SLACK_ACK_LIMIT:.0f} s (Slack gives up) {late}"
    )
    calls = arrivals.methods - warm_calls
    print(
        f"slack calls  : chat.postMessage {calls[DM_POST]}, files uploads "
        + ", ".join(f"{m} {calls[m]}" for m in UPLOAD_CALLS)
        + f", conversations.open {calls['conversations.open']}, "
        f"response_url {calls['response_url']}, users.info {calls['users.info']}"
        + (f"; failed: {dict(arrivals.failed)}" if arrivals.failed else "")
    )
    if load1 > (os.cpu_count() or 1) / 2:
        print(
            f"NOTE         : the machine was busy before measuring (load average {load1:.2f}): "
            "other processes share the CPUs, so these figures are pessimistic"
        )
    if after != before:
        print(
            f"WARNING      : the server wrote snapshots during the run ({before} -> {after}): "
            "some requests assessed the whole workspace instead of reading a snapshot"
        )
    print(
        f"goals        : p99 ack {ms(p99(acks))} < {ms(GOAL_ACK)}: "
        f"{verdict(p99(acks) < GOAL_ACK and not bad)}; p99 answer {ms(p99(answers))} < "
        f"{ms(GOAL_ANSWER)}: {verdict(p99(answers) < GOAL_ANSWER and not missing)}; "
        f"missing {missing} (goal 0): {verdict(missing == 0)}"
    )


if __name__ == "__main__":
    main()
