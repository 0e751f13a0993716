"""Load benchmark: 200 concurrent signed `/coach` slash commands, the mix real users send, to
`coachbot serve --http` run the way production runs it. Is every one acknowledged within
Slack's 3 seconds, and does every one get an answer?

    .venv/bin/python bench/load.py [--concurrency 200] [--reps 500] [--deals 100000]
        [--activities 500000] [--database-url URL] [--regenerate] [--reuse-snapshots]
        [--warmup 6] [--workers N] [--threads N] [--seed 1] [--without KIND]

Bigger: --reps 5000 --deals 1000000 --activities 5000000 (generated and assessed once, a few
minutes). Machinery (org, snapshots, stub, server, arrival times) comes from
bench/slack_latency.py, imported as a module.

1. The org: bench/assess.py's generator into bench/data/load-REPS-DEALS-ACTIVITIES.db (a file
   of its own: the load starts role-plays and writes them there), reused while its parameters
   match. Snapshots are stored first for the server's today (and for the day before when a
   user's local date still is that), as the nightly job keeps them; that is not timed.
2. The server: `coachbot serve --http` with the `--workers` and `--threads` of the Procfile's
   `web:` line (what the README recommends for production; 2 x 8 gthread today) on
   127.0.0.1, pointed at the Slack Web API stub (tests/slack/stub.py). One warm-up request of
   each kind first, from users the burst does not use.
3. The burst: --concurrency threads, each for a different user, build a signed `/coach` request
   and send it at the same moment (a barrier). The mix: `me` 40%, `plan` 15%, `roleplay
   discovery` 15%, `help` 10%, an unknown word 10% (from reps) and `team` 10% (from managers:
   team managers, directors, the VP). Every other one is typed in the user's DM with coachbot,
   the rest in a channel (where answers about performance go to the DM plus an ephemeral
   "sent to your DM").
4. Ack: from sending until the HTTP response (the client waits up to 30 s, so a late ack is
   measured instead of cut off at 3 s; non-200s and timeouts are in the percentiles). Answer:
   until the stub has the user's first chat.postMessage in their DM (me, team, roleplay, an
   approved plan) or the first post to that request's response_url (help, unknown words,
   notices), whichever comes first. Lost: neither within 30 s of sending. Answers that are
   coachbot's "Something went wrong" message are counted apart: heard back, but not answered.
   The server's output goes to bench/data/load-server.log; its errors are summarised.

Goals: all requests acknowledged (HTTP 200) within 3 s (after that Slack shows the user an
error), none lost.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import itertools
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
sys.path[:0] = [str(HERE), str(ROOT)]  # bench/slack_latency.py, coachbot and tests/ from anywhere

latency = importlib.import_module("slack_latency")  # bench/slack_latency.py: the machinery
org = latency.org  # bench/assess.py: the org generator

from bot.store.engine import Database  # noqa: E402
from tests.slack import requests as slack  # noqa: E402
from tests.slack.stub import SlackStub  # noqa: E402

User = latency.Rep  # a rep or a manager: person id, Slack id, email, name, timezone
# slack_latency.Arrivals: loaded at run time (bench/ is no package), so typed as Any.
Arrivals = Any
TEAM_ID = latency.TEAM_ID
PROCFILE = ROOT / "Procfile"
SLACK_ACK_LIMIT = latency.SLACK_ACK_LIMIT  # 3 s
ANSWER_TIMEOUT = latency.ANSWER_TIMEOUT  # 30 s
CLIENT_TIMEOUT = 30.0  # longer than Slack waits, so late acks are measured, not cut off
DM_POST = latency.DM_POST
RESPONSE = "response_url"  # the stub's method name for posts to a response_url
ERROR_TEXT = "Something went wrong on coachbot's side"  # templates/messages/error.json.j2
CHANNEL = "C0BENCH"


@dataclass(frozen=True)
class Kind:
    label: str
    text: str  # what the user types after /coach
    percent: int
    managers: bool = False  # sent by managers, not reps


# What real users send, and how often. The first takes the rounding remainder.
MIX: tuple[Kind, ...] = (
    Kind("me", "me", 40),
    Kind("plan", "plan", 15),
    Kind("roleplay", "roleplay discovery", 15),
    Kind("help", "help", 10),
    Kind("unknown", "stats", 10),
    Kind("team", "team", 10, managers=True),
)


@dataclass(frozen=True)
class Ask:
    kind: Kind
    user: User
    dm: str  # the user's DM with coachbot, as the stub names it
    channel_id: str  # where it was typed: the DM or a channel
    token: str  # names this request's response_url


@dataclass
class Outcome:
    ask: Ask
    sent: float
    ack: float
    status: int | None  # None: no HTTP response (timeout, connection refused or reset)
    answer: float | None = None
    reply: str = ""  # the first answer's text
    error: bool = False  # coachbot's "Something went wrong" reached the DM


# --- who sends what -------------------------------------------------------------------------


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


def split(count: int, mix: tuple[Kind, ...], seed: int) -> list[Kind]:
    """`count` requests in the mix's proportions (the first kind takes the rounding
    remainder), shuffled so that no kind is sent all in one go."""
    total = sum(kind.percent for kind in mix)
    counts = {kind: count * kind.percent // total for kind in mix}
    counts[mix[0]] += count - sum(counts.values())
    kinds = [kind for kind in mix for _ in range(counts[kind])]
    random.Random(seed).shuffle(kinds)
    return kinds


_tokens = itertools.count(1)  # unique over the run: warm-up and burst share one stub


def make_asks(
    kinds: list[Kind], reps: Iterator[User], managers: Iterator[User], stub: SlackStub
) -> list[Ask]:
    asks = []
    for number, kind in enumerate(kinds):
        user = next(managers if kind.managers else reps)
        dm = stub.dm_channel(user.slack_user_id)
        # Every other one typed in the DM: typed in a channel, answers also post a pointer.
        channel = dm if number % 2 else CHANNEL
        asks.append(Ask(kind, user, dm, channel, f"R{next(_tokens):05d}"))
    return asks


# --- sending and answers --------------------------------------------------------------------


def response_url(stub: SlackStub, ask: Ask) -> str:
    # The query's channel_id is recorded in the stub call's body, and Arrivals keys calls
    # without a channel by it: so each request's response_url posts are timed on their own.
    return f"{stub.root_url}/response/{ask.token}?channel_id={ask.token}"


def answered_at(arrivals: Arrivals, ask: Ask) -> float | None:
    """When the stub first saw a DM post for the user or a post to the request's response_url."""
    first = arrivals.first
    seen = [first.get((DM_POST, ask.dm)), first.get((RESPONSE, ask.token))]
    return min((t for t in seen if t is not None), default=None)


def fire(events_url: str, stub: SlackStub, arrivals: Arrivals, asks: list[Ask]) -> list[Outcome]:
    """Every request signed, then all sent at once; waits for their answers."""
    barrier = threading.Barrier(len(asks))

    def one(ask: Ask) -> Outcome:
        request = slack.slash_command(
            ask.kind.text,
            ask.user.slack_user_id,
            team_id=TEAM_ID,
            channel_id=ask.channel_id,
            channel_name="directmessage" if ask.channel_id == ask.dm else "bench",
            user_name=ask.user.email.split("@")[0],
            response_url=response_url(stub, ask),
        )
        with contextlib.suppress(threading.BrokenBarrierError):  # a slow thread: send anyway
            barrier.wait(timeout=30)
        sent = time.perf_counter()
        try:
            status: int | None = slack.post(events_url, request, timeout=CLIENT_TIMEOUT)[0]
        except OSError:
            status = None
        return Outcome(ask, sent, time.perf_counter() - sent, status)

    with ThreadPoolExecutor(max_workers=len(asks), thread_name_prefix="slack") as pool:
        outcomes = list(pool.map(one, asks))
    deadline = max(o.sent for o in outcomes) + ANSWER_TIMEOUT
    while time.perf_counter() < deadline:
        if all(answered_at(arrivals, o.ask) is not None for o in outcomes):
            break
        time.sleep(0.05)
    # Pointers and charts follow the answers: let them land before the server is stopped.
    arrivals.wait_quiet(latency.QUIET, ANSWER_TIMEOUT)
    for o in outcomes:
        at = answered_at(arrivals, o.ask)
        if at is not None and at - o.sent <= ANSWER_TIMEOUT:
            o.answer = at - o.sent
    return outcomes


def read_replies(stub: SlackStub, arrivals: Arrivals, outcomes: list[Outcome]) -> None:
    """Each outcome's first answer text, and whether coachbot's error message reached the DM
    (also after a first answer: a role-play can fail after its intro was posted)."""
    texts: dict[tuple[str, str], str] = {}
    failed: set[str] = set()
    for call in stub.calls:
        if call.method == DM_POST:
            key = (DM_POST, call.channel)
        elif call.method == RESPONSE:
            key = (RESPONSE, str(call.body.get("channel_id", "")))
        else:
            continue
        text = str(call.body.get("text") or "")
        texts.setdefault(key, text)
        if call.method == DM_POST and text.startswith(ERROR_TEXT):
            failed.add(call.channel)
    first = arrivals.first
    for o in outcomes:
        dm, response = (DM_POST, o.ask.dm), (RESPONSE, o.ask.token)
        candidates = [k for k in (dm, response) if k in first]
        if candidates:
            o.reply = texts.get(min(candidates, key=first.__getitem__), "")
        o.error = o.ask.dm in failed


# --- the server's log -----------------------------------------------------------------------

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


# --- report ---------------------------------------------------------------------------------


def met(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def acked_in_time(o: Outcome) -> bool:
    return o.status == 200 and o.ack <= SLACK_ACK_LIMIT


def pctl(values: list[float], q: int) -> float:
    return float(np.percentile(values, q)) if values else float("inf")


def per_kind(outcomes: list[Outcome]) -> None:
    print(
        f"  {'kind':<9}{'sent':>5}{'ack<3s':>8}{'ack p50':>10}{'ack p99':>10}"
        f"{'answered':>10}{'lost':>6}{'errors':>8}{'answer p99':>12}  most common first answer"
    )
    for kind in MIX:
        mine = [o for o in outcomes if o.ask.kind == kind]
        if not mine:
            continue
        acks = [o.ack for o in mine]
        answers = [o.answer for o in mine if o.answer is not None]
        common = Counter(o.reply[:60] for o in mine if o.answer is not None).most_common(1)
        print(
            f"  {kind.label:<9}{len(mine):>5}{sum(map(acked_in_time, mine)):>8}"
            f"{latency.ms(pctl(acks, 50)):>10}{latency.ms(pctl(acks, 99)):>10}"
            f"{len(answers):>10}{len(mine) - len(answers):>6}{sum(o.error for o in mine):>8}"
            f"{latency.ms(pctl(answers, 99)) if answers else '-':>12}"
            f"  {common[0][0] if common else '-'!r}"
        )


def report(
    outcomes: list[Outcome], calls: Counter[str], log: Path, load1: float, failed: Counter[str]
) -> None:
    total = len(outcomes)
    acks = [o.ack for o in outcomes]  # late and failed ones too: leaving them out hides the tail
    answers = [o.answer for o in outcomes if o.answer is not None]
    in_time = sum(map(acked_in_time, outcomes))
    bad = Counter(str(o.status) for o in outcomes if o.status != 200)
    lost = total - len(answers)
    errors = sum(o.error for o in outcomes)
    sent = Counter(o.ask.kind.label for o in outcomes)
    mix = ", ".join(f"{k.label} {sent[k.label]}" for k in MIX if sent[k.label])
    print(
        f"load         : {total} concurrent signed /coach ({mix}), each from a different "
        f"user, half typed in the DM (load average before: {load1:.2f} on {os.cpu_count()} CPUs)"
    )
    print(f"ack          : {latency.spread(acks)}")
    print(
        f"acked in 3 s : {in_time} of {total} with HTTP 200; over 3 s "
        f"{sum(o.ack > SLACK_ACK_LIMIT for o in outcomes)}; non-200 {sum(bad.values())}"
        + (f" {dict(bad)}" if bad else "")
        + (" (None: no HTTP response)" if "None" in bad else "")
    )
    print(f"answer       : {latency.spread(answers)} (sent -> first DM post or response_url post)")
    print(
        f"lost         : {lost} (no answer within {ANSWER_TIMEOUT:.0f} s); coachbot's error "
        f"message reached {errors} users"
    )
    per_kind(outcomes)
    print(
        "slack calls  : "
        + ", ".join(f"{m} {n}" for m, n in calls.most_common())
        + (f"; failed: {dict(failed)}" if failed else "")
    )
    problems = log_problems(log)
    print(f"server log   : {sum(problems.values())} warnings, errors and exceptions in {log}")
    for line, count in problems.most_common(8):
        print(f"  {count:>4} x {line}")
    if load1 > (os.cpu_count() or 1) / 2:
        print(
            f"NOTE         : the machine was busy before measuring (load average {load1:.2f}, "
            "this script's own setup included): figures are pessimistic"
        )
    print(
        f"goals        : all {total} acknowledged (HTTP 200) within 3 s: {in_time}/{total} "
        f"{met(in_time == total)}; none lost: {lost} lost {met(lost == 0)}"
    )


# --- setup ----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    workers, threads = procfile_web()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, default=200, help="requests sent at once")
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=500_000)
    parser.add_argument("--feedback", type=int, help="feedback rows (default: 1.6 per rep)")
    parser.add_argument("--seed", type=int, default=1, help="the org's and the mix's")
    parser.add_argument("--data-as-of", help="the day the generated CRM data ends (default today)")
    parser.add_argument("--database-url", help="default: bench/data/load-REPS-DEALS-ACTIVITIES.db")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the org")
    parser.add_argument(
        "--reuse-snapshots",
        action="store_true",
        help="skip run_assessments when the reps already have today's snapshots",
    )
    parser.add_argument(
        "--warmup", type=int, default=len(MIX), help="warm-up requests (default: one of each kind)"
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        choices=[k.label for k in MIX],
        help="leave a kind out of the mix (repeatable; the others keep their proportions), "
        "to see which one the server struggles with",
    )
    parser.add_argument(
        "--workers", type=int, default=workers, help=f"gunicorn workers (Procfile: {workers})"
    )
    parser.add_argument(
        "--threads", type=int, default=threads, help=f"threads per worker (Procfile: {threads})"
    )
    parser.add_argument("--coachbot", default=str(latency.COACHBOT), help="the executable")
    args = parser.parse_args()
    if args.concurrency < 1 or args.warmup < 0:
        parser.error("--concurrency must be at least 1, --warmup at least 0")
    if len(set(args.without)) == len(MIX):
        parser.error("--without leaves nothing to send")
    if args.database_url is None:
        name = f"load-{args.reps}-{args.deals}-{args.activities}.db"
        args.database_url = f"sqlite:///{DATA / name}"
    return args


def prepare_org(args: argparse.Namespace) -> None:
    """bench/assess.py's org, generated or reused, as slack_latency prepares it."""
    latency.prepare_org(args, datetime.now(UTC).date())


def store_snapshots(args: argparse.Namespace, reps: list[User], users: list[User]) -> None:
    """Today's snapshots (and yesterday's where a user's local date still is yesterday), as
    the nightly job keeps them: `me`, `plan` and `team` read them."""
    today = latency.server_today(datetime.now(UTC))
    local = {datetime.now(ZoneInfo(u.timezone)).date() for u in users}
    for as_of in sorted({today} | {d for d in local if d < today}):
        if args.reuse_snapshots and latency.have_snapshots(args.database_url, reps, as_of):
            print(f"snapshots    : as of {as_of} reused (--reuse-snapshots)")
            continue
        stored = latency.store_snapshots(args.database_url, as_of)
        print(
            f"snapshots    : run_assessments(as of {as_of}) took {stored['seconds']:.1f} s "
            f"({stored['assessed']:,} reps), before measuring (not timed)"
        )


def pick_users(args: argparse.Namespace, kinds: list[Kind]) -> tuple[list[User], list[User]]:
    """Different reps and managers for every request, warm-up included."""
    db = Database.from_url(args.database_url)
    try:
        latency.link_slack_ids(db)
        wanted = sum(k.managers for k in kinds)
        return latency.pick_reps(db, len(kinds) - wanted), latency.pick_reps(
            db, wanted, role="manager"
        )
    finally:
        db.dispose()


def snapshots_now(url: str) -> tuple[int, str]:
    db = Database.from_url(url)
    try:
        return latency.snapshot_marker(db)
    finally:
        db.dispose()


def main() -> None:
    args = parse_args()
    # A SIGTERM (a timeout) unwinds like Ctrl-C, so the server and the stub are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    prepare_org(args)
    mix = tuple(k for k in MIX if k.label not in args.without)
    warm_kinds = [mix[i % len(mix)] for i in range(args.warmup)]
    burst_kinds = split(args.concurrency, mix, args.seed)
    reps, managers = pick_users(args, warm_kinds + burst_kinds)
    users = reps + managers
    store_snapshots(args, reps, users)
    before = snapshots_now(args.database_url)

    # users.info answers, should the server ask (it should not: every user has a Slack id).
    profiles = {
        u.slack_user_id: {"email": u.email, "name": u.name, "tz": u.timezone} for u in users
    }
    stub = SlackStub(users=profiles, team_id=TEAM_ID)
    rep_iter, manager_iter = iter(reps), iter(managers)
    warm_asks = make_asks(warm_kinds, rep_iter, manager_iter, stub)
    asks = make_asks(burst_kinds, rep_iter, manager_iter, stub)
    log = DATA / "load-server.log"
    process: subprocess.Popen[bytes] | None = None
    arrivals: Arrivals | None = None
    started = time.perf_counter()
    try:
        stub.start()
        arrivals = latency.Arrivals(stub).start()
        port = latency.free_port()
        process = latency.start_server(args, stub, port, log)
        root = f"http://127.0.0.1:{port}"
        latency.wait_healthy(f"{root}/healthz", process, log, seconds=120)
        print(
            f"server       : coachbot serve --http on {root}, {args.workers} workers x "
            f"{args.threads} threads (gunicorn gthread; {as_in_procfile(args)}), "
            f"healthy after {time.perf_counter() - started:.1f} s; log {log}"
        )
        if warm_asks:
            warm = fire(f"{root}/slack/events", stub, arrivals, warm_asks)
            print(
                f"warm-up      : {len(warm)} requests at once (each kind in turn), "
                f"{sum(o.answer is not None for o in warm)} answered; "
                f"acks {latency.spread([o.ack for o in warm])}"
            )
        warm_calls = Counter(arrivals.methods)
        load1 = os.getloadavg()[0]
        outcomes = fire(f"{root}/slack/events", stub, arrivals, asks)
    finally:
        if process is not None:
            latency.stop_server(process)
        if arrivals is not None:
            arrivals.stop()
        stub.stop()

    read_replies(stub, arrivals, outcomes)
    report(outcomes, arrivals.methods - warm_calls, log, load1, arrivals.failed)
    after = snapshots_now(args.database_url)
    if after != before:
        print(
            f"WARNING      : the server wrote snapshots during the run ({before} -> {after}): "
            "some requests assessed live instead of reading a snapshot"
        )


if __name__ == "__main__":
    main()
