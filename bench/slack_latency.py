"""Slack latency benchmark: the production HTTP server on loopback with a 5,000-rep database,
50 concurrent signed `/coach me` slash commands; p50/p99 time to the ack and to the answer.

    .venv/bin/python bench/slack_latency.py [--reps 5000] [--deals 1000000]
        [--activities 5000000] [--database-url URL] [--regenerate] [--concurrency 50]
        [--rounds 1] [--warmup 8] [--workers 2] [--threads 8] [--reuse-snapshots]

Quick: --reps 500 --deals 100000 --activities 500000.

1. The org comes from the benchmarks' generator (bench/_orgs.py, as in bench/assess.py), into
   bench/data/latency.db by default (other sizes: latency-REPS-DEALS-ACTIVITIES.db; not
   committed; reused while its parameters match and its data is at most a week old).
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
import itertools
import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from _harness import (
    COACHBOT,
    DATA,
    add_org_sizes,
    add_served_org,
    make_parser,
    sized_database_url,
    stop_on_sigterm,
)
from _orgs import TEAM_ID
from _report import ms, percentile, spread, verdict
from _served_org import (
    Rep,
    have_snapshots,
    link_slack_ids,
    pick_reps,
    prepare_org,
    snapshot_dates,
    snapshots_now,
    store_snapshots,
)
from _server import (
    ANSWER_TIMEOUT,
    DM_POST,
    QUIET,
    SLACK_ACK_LIMIT,
    send_at_once,
    serving,
)
from _slack_stub import Arrivals

from bot.store.engine import Database
from tests.slack import requests as slack
from tests.slack.stub import SlackStub

GOAL_ACK = 0.300
GOAL_ANSWER = 1.0
CLIENT_TIMEOUT = 10.0
CHART_DONE = "files.completeUploadExternal"
UPLOAD_CALLS = ("files.getUploadURLExternal", "files.upload_url", CHART_DONE)


@dataclass
class Result:
    rep: Rep
    sent: float
    ack: float
    status: int | None
    dm: str
    answer: float | None = None
    chart: float | None = None


_response_ids = itertools.count(1)


def fire(events_url: str, stub: SlackStub, arrivals: Arrivals, reps: list[Rep]) -> list[Result]:
    """One signed `/coach me` per rep, all sent at once; waits for their answers."""

    def request(rep: Rep) -> slack.SlackRequest:
        return slack.slash_command(
            "me",
            rep.slack_user_id,
            team_id=TEAM_ID,
            channel_id="C0BENCH",
            channel_name="bench",
            user_name=rep.email.split("@")[0],
            response_url=f"{stub.root_url}/response/{next(_response_ids)}",
        )

    sent = send_at_once(events_url, reps, request, CLIENT_TIMEOUT)
    results = [
        Result(rep, s.sent, s.ack, s.status, stub.dm_channel(rep.slack_user_id))
        for rep, s in zip(reps, sent, strict=True)
    ]
    arrivals.wait_until(
        lambda: all((DM_POST, r.dm) in arrivals.first for r in results),
        deadline=max(r.sent for r in results) + ANSWER_TIMEOUT,
        step=0.01,
    )
    arrivals.wait_quiet(QUIET, ANSWER_TIMEOUT)  # the charts follow the answers
    for r in results:
        if (posted := arrivals.first.get((DM_POST, r.dm))) is not None:
            r.answer = posted - r.sent
        if (charted := arrivals.first.get((CHART_DONE, r.dm))) is not None:
            r.chart = charted - r.sent
    return results


def parse_args() -> argparse.Namespace:
    parser = make_parser(__doc__)
    add_org_sizes(parser, reps=5_000, deals=1_000_000, activities=5_000_000)
    add_served_org(
        parser, "default: bench/data/latency.db (other sizes: latency-REPS-DEALS-ACTIVITIES.db)"
    )
    parser.add_argument("--concurrency", type=int, default=50, help="requests sent at once")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, each with new reps")
    parser.add_argument("--warmup", type=int, default=8, help="warm-up requests (other reps)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument("--coachbot", default=str(COACHBOT), help="the coachbot executable")
    args = parser.parse_args()
    if args.database_url is None:
        default = (args.reps, args.deals, args.activities) == (5_000, 1_000_000, 5_000_000)
        default_url = f"sqlite:///{DATA / 'latency.db'}"
        args.database_url = default_url if default else sized_database_url(args, "latency")
    if args.concurrency < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--concurrency and --rounds must be at least 1, --warmup at least 0")
    return args


def prepare_snapshots(args: argparse.Namespace, reps: list[Rep]) -> None:
    """Snapshots for the server's today (and the day before where a rep's date still is)."""
    dates = snapshot_dates(reps)
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


def report(
    args: argparse.Namespace,
    results: list[Result],
    calls: Counter[str],
    failed: Counter[str],
    load1: float,
    snapshots: tuple[tuple[int, str], tuple[int, str]],
) -> None:
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
    print(
        f"slack calls  : chat.postMessage {calls[DM_POST]}, files uploads "
        + ", ".join(f"{m} {calls[m]}" for m in UPLOAD_CALLS)
        + f", conversations.open {calls['conversations.open']}, "
        f"response_url {calls['response_url']}, users.info {calls['users.info']}"
        + (f"; failed: {dict(failed)}" if failed else "")
    )
    if load1 > (os.cpu_count() or 1) / 2:
        print(
            f"NOTE         : the machine was busy before measuring (load average {load1:.2f}): "
            "other processes share the CPUs, so these figures are pessimistic"
        )
    before, after = snapshots
    if after != before:
        print(
            f"WARNING      : the server wrote snapshots during the run ({before} -> {after}): "
            "some requests assessed the whole workspace instead of reading a snapshot"
        )
    ack99, answer99 = percentile(acks, 99), percentile(answers, 99)
    print(
        f"goals        : p99 ack {ms(ack99)} < {ms(GOAL_ACK)}: "
        f"{verdict(ack99 < GOAL_ACK and not bad)}; p99 answer {ms(answer99)} < "
        f"{ms(GOAL_ANSWER)}: {verdict(answer99 < GOAL_ANSWER and not missing)}; "
        f"missing {missing} (goal 0): {verdict(missing == 0)}"
    )


def main() -> None:
    args = parse_args()
    stop_on_sigterm()
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
    prepare_snapshots(args, reps)
    before = snapshots_now(args.database_url)

    users = {r.slack_user_id: {"email": r.email, "name": r.name, "tz": r.timezone} for r in reps}
    stub = SlackStub(users=users, team_id=TEAM_ID)
    log = DATA / "latency-server.log"
    results: list[Result] = []
    with serving(args, stub, log) as server:
        arrivals, events_url = server.arrivals, server.events_url
        print(
            f"server       : coachbot serve --http on {server.root}, {args.workers} workers x "
            f"{args.threads} threads (gunicorn gthread), healthy after "
            f"{server.healthy_after:.1f} s; log {log}"
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

    after = snapshots_now(args.database_url)
    calls = arrivals.methods - warm_calls
    report(args, results, calls, arrivals.failed, load1, (before, after))


if __name__ == "__main__":
    main()
