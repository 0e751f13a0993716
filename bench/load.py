"""Load benchmark: 200 concurrent signed `/coach` slash commands, the mix real users send, to
`coachbot serve --http` run the way production runs it. Is every one acknowledged within
Slack's 3 seconds, and does every one get an answer?

    .venv/bin/python bench/load.py [--concurrency 200] [--reps 500] [--deals 100000]
        [--activities 500000] [--database-url URL] [--regenerate] [--reuse-snapshots]
        [--warmup 6] [--workers N] [--threads N] [--seed 1] [--without KIND]

Bigger: --reps 5000 --deals 1000000 --activities 5000000 (generated and assessed once, a few
minutes). Machinery (org, snapshots, stub, server, arrival times) comes from the bench/_*.py
modules it shares with bench/slack_latency.py.

1. The org: the benchmarks' generator (bench/_orgs.py) into
   bench/data/load-REPS-DEALS-ACTIVITIES.db (a file of its own: the load starts role-plays and
   writes them there), reused while its parameters match. Snapshots are stored first for
   the server's today (and for the day before when a user's local date still is that), as
   the nightly job keeps them; that is not timed.
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
import os
from collections import Counter
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
from _load_report import report
from _load_requests import (
    MIX,
    Ask,
    Kind,
    Outcome,
    User,
    answered_at,
    make_asks,
    read_replies,
    response_url,
    split,
)
from _orgs import TEAM_ID
from _report import spread
from _served_org import (
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
    QUIET,
    as_in_procfile,
    procfile_web,
    send_at_once,
    serving,
)
from _slack_stub import Arrivals

from bot.store.engine import Database
from tests.slack import requests as slack
from tests.slack.stub import SlackStub

CLIENT_TIMEOUT = 30.0  # longer than Slack waits, so late acks are measured, not cut off


# --- sending and answers --------------------------------------------------------------------


def fire(events_url: str, stub: SlackStub, arrivals: Arrivals, asks: list[Ask]) -> list[Outcome]:
    """Every request signed, then all sent at once; waits for their answers."""

    def request(ask: Ask) -> slack.SlackRequest:
        return slack.slash_command(
            ask.kind.text,
            ask.user.slack_user_id,
            team_id=TEAM_ID,
            channel_id=ask.channel_id,
            channel_name="directmessage" if ask.channel_id == ask.dm else "bench",
            user_name=ask.user.email.split("@")[0],
            response_url=response_url(stub, ask),
        )

    sent = send_at_once(events_url, asks, request, CLIENT_TIMEOUT)
    outcomes = [Outcome(ask, s.sent, s.ack, s.status) for ask, s in zip(asks, sent, strict=True)]
    arrivals.wait_until(
        lambda: all(answered_at(arrivals, o.ask) is not None for o in outcomes),
        deadline=max(o.sent for o in outcomes) + ANSWER_TIMEOUT,
        step=0.05,
    )
    # Pointers and charts follow the answers: let them land before the server is stopped.
    arrivals.wait_quiet(QUIET, ANSWER_TIMEOUT)
    for o in outcomes:
        at = answered_at(arrivals, o.ask)
        if at is not None and at - o.sent <= ANSWER_TIMEOUT:
            o.answer = at - o.sent
    return outcomes


# --- setup ----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    workers, threads = procfile_web()
    parser = make_parser(__doc__)
    parser.add_argument("--concurrency", type=int, default=200, help="requests sent at once")
    add_org_sizes(
        parser, reps=500, deals=100_000, activities=500_000, seed_help="the org's and the mix's"
    )
    add_served_org(parser, "default: bench/data/load-REPS-DEALS-ACTIVITIES.db")
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
    parser.add_argument("--coachbot", default=str(COACHBOT), help="the executable")
    args = parser.parse_args()
    if args.concurrency < 1 or args.warmup < 0:
        parser.error("--concurrency must be at least 1, --warmup at least 0")
    if len(set(args.without)) == len(MIX):
        parser.error("--without leaves nothing to send")
    if args.database_url is None:
        args.database_url = sized_database_url(args, "load")
    return args


def prepare_snapshots(args: argparse.Namespace, reps: list[User], users: list[User]) -> None:
    """Today's snapshots (and yesterday's where a user's local date still is yesterday), as
    the nightly job keeps them: `me`, `plan` and `team` read them."""
    for as_of in snapshot_dates(users):
        if args.reuse_snapshots and have_snapshots(args.database_url, reps, as_of):
            print(f"snapshots    : as of {as_of} reused (--reuse-snapshots)")
            continue
        stored = store_snapshots(args.database_url, as_of)
        print(
            f"snapshots    : run_assessments(as of {as_of}) took {stored['seconds']:.1f} s "
            f"({stored['assessed']:,} reps), before measuring (not timed)"
        )


def pick_users(args: argparse.Namespace, kinds: list[Kind]) -> tuple[list[User], list[User]]:
    """Different reps and managers for every request, warm-up included."""
    db = Database.from_url(args.database_url)
    try:
        link_slack_ids(db)
        wanted = sum(k.managers for k in kinds)
        return pick_reps(db, len(kinds) - wanted), pick_reps(db, wanted, role="manager")
    finally:
        db.dispose()


def main() -> None:
    args = parse_args()
    stop_on_sigterm()
    prepare_org(args, datetime.now(UTC).date())
    mix = tuple(k for k in MIX if k.label not in args.without)
    warm_kinds = [mix[i % len(mix)] for i in range(args.warmup)]
    burst_kinds = split(args.concurrency, mix, args.seed)
    reps, managers = pick_users(args, warm_kinds + burst_kinds)
    users = reps + managers
    prepare_snapshots(args, reps, users)
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
    with serving(args, stub, log) as server:
        arrivals = server.arrivals
        print(
            f"server       : coachbot serve --http on {server.root}, {args.workers} workers x "
            f"{args.threads} threads (gunicorn gthread; {as_in_procfile(args)}), "
            f"healthy after {server.healthy_after:.1f} s; log {log}"
        )
        if warm_asks:
            warm = fire(server.events_url, stub, arrivals, warm_asks)
            print(
                f"warm-up      : {len(warm)} requests at once (each kind in turn), "
                f"{sum(o.answer is not None for o in warm)} answered; "
                f"acks {spread([o.ack for o in warm])}"
            )
        warm_calls = Counter(arrivals.methods)
        load1 = os.getloadavg()[0]
        outcomes = fire(server.events_url, stub, arrivals, asks)

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
