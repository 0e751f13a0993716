"""Fan-out benchmark: the weekly nudge for 10,000 reps, built and then sent by the real job
(jobs/nudges.py with a real slack_sdk WebClient from make_client) to a local Slack stub that
enforces rate limits the way Slack does, answering 429 with Retry-After.

    .venv/bin/python bench/fanout.py [--reps 10000] [--rate 50] [--burst N] [--open-rate R]
                                     [--threads 8] [--overpace 1.5] [--database-url URL]
                                     [--regenerate]

Quick: --reps 1000 --rate 200.

What is modelled (bench/_slack_stub.py's RateLimitedStub, on 127.0.0.1:0, a subclass of
tests/slack/stub.py):
- chat.postMessage: a workspace-wide token bucket of --rate requests per second holding at
  most --burst tokens (default: one second's worth), plus Slack's "about one message per
  second per channel" (a second post to the same DM within 1 s is refused);
- conversations.open: a token bucket of its own at --open-rate (default: --rate). (Real
  Slack puts conversations.open in Tier 3, about 50 per minute with bursts; see the README.)
- a refused call gets HTTP 429 {"ok": false, "error": "ratelimited"} with Retry-After in
  whole seconds (at least 1, as Slack sends it) and is not executed.
Every accepted post is stored per DM channel, so duplicates (a rep's DM holding more than one
nudge) and losses (a due rep whose DM holds none) are counted from what the stub accepted.

Steps:
1. The org: the benchmarks' generator, bench/_orgs.py (people with Slack ids and timezones New York,
   London, Singapore; deals, activities, feedback so nudges have content) into
   bench/data/fanout-REPS.db, reused while its parameters match. The nightly assessment
   (run_assessments for the send date) is run once if its snapshots are missing: that is
   the nightly job's work, not the nudge's, and timed separately.
2. now = Monday 2026-11-23 15:00 UTC: Monday after 09:00 locally in all three timezones.
3. Build: jobs.nudges.nudge_message for every due rep, nothing sent.
4. Send: jobs.nudges.run(ctx) with the jobs' client (bot.slack.client.make_sending_client:
   posts paced through one gate at COACHBOT_SLACK_POST_RATE, a 429 holds every sender
   until its Retry-After and slows the pace) and --threads senders; the floor is posts /
   --rate. Then run again: exactly once means 0 new posts.
5. The same with the pace set --overpace times higher than the stub allows (an operator who
   guessed the workspace's limit too high), against a fresh stub and a cleared delivery log.

Goals (from the issue): send time within 1.2x of the floor, 0 duplicates, 0 losses.
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from _harness import DATA, make_parser
from _orgs import AS_OF, TEAM_ID, Sizes, prepare
from _slack_stub import RateLimitedStub
from sqlalchemy import delete, func, select

from bot.config import Settings
from bot.services.assessments import run_assessments
from bot.slack.client import make_sending_client
from bot.store.engine import Database
from bot.store.models import AssessmentSnapshot, Delivery, Person, Workspace
from jobs import nudges
from jobs.context import JobContext

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday: NY 10:00, London 15:00, SG 23:00
GOAL_RATIO = 1.2


# --- the org --------------------------------------------------------------------------------


def prepare_org(url: str, reps: int, regenerate: bool) -> tuple[float | None, str]:
    sizes = Sizes(
        reps=reps,
        deals=reps * 100,
        activities=reps * 100,
        feedback=reps // 2,
        seed=7,
        as_of=AS_OF.isoformat(),
    )
    took, _counts = prepare(url, sizes, regenerate)
    return took, TEAM_ID


def nightly_assessment(db: Database, team_id: str, settings: Settings) -> float | None:
    """The nightly job's snapshots for the send date, once; seconds spent, or None if stored."""
    today = NOW.date()
    with db.begin() as session:
        workspace_id = session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))
        stored = session.scalar(
            select(func.count())
            .select_from(AssessmentSnapshot)
            .where(
                AssessmentSnapshot.workspace_id == workspace_id,
                AssessmentSnapshot.as_of == today,
            )
        )
        reps = session.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.workspace_id == workspace_id, Person.role == "rep", Person.active)
        )
    if stored and stored >= reps:
        return None
    started = time.perf_counter()
    ctx = JobContext(settings, db, None, NOW)
    run_assessments(db, team_id, today, NOW, ctx.config)
    return time.perf_counter() - started


def clear_deliveries(db: Database) -> None:
    with db.begin() as session:
        session.execute(delete(Delivery).where(Delivery.kind == "nudge"))


def delivery_counts(db: Database) -> dict[str, int]:
    with db.begin() as session:
        rows = session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.kind == "nudge")
            .group_by(Delivery.status)
        ).all()
    return {status: count for status, count in rows}


# --- measurements ---------------------------------------------------------------------------


@dataclass
class SendResult:
    label: str
    seconds: float
    summary: str
    posts: int
    floor: float
    refused: Counter[str]
    duplicates: int
    losses: int
    deliveries: dict[str, int]
    gate: str = ""

    def print(self) -> None:
        ratio = self.seconds / self.floor if self.floor else math.inf
        met = ratio <= GOAL_RATIO and self.duplicates == 0 and self.losses == 0
        print(f"{self.label}:")
        print(f"  job summary       {self.summary}")
        print(f"  send time         {self.seconds:8.1f} s for {self.posts:,} accepted posts")
        print(f"  floor             {self.floor:8.1f} s (posts / rate)")
        print(f"  ratio             {ratio:8.2f}x  (goal <= {GOAL_RATIO}x)")
        print(f"  throughput        {self.posts / self.seconds:8.1f} posts/s")
        print(
            f"  429s              postMessage {self.refused['chat.postMessage']:,}, "
            f"conversations.open {self.refused['conversations.open']:,}"
        )
        print(f"  duplicates        {self.duplicates:,} (goal 0)")
        print(f"  losses            {self.losses:,} (goal 0)")
        print(f"  delivery log      {self.deliveries}")
        print(f"  gate              {self.gate}")
        print(f"  goal              {'MET' if met else 'NOT MET'}")


def build(ctx: JobContext, team_id: str, due: list[dict[str, Any]]) -> tuple[float, Counter]:
    kinds: Counter[str] = Counter()
    started = time.perf_counter()
    for rep in due:
        payload = nudges.nudge_message(ctx, team_id, rep, ctx.local(rep["timezone"]))
        kinds["onboarding" if payload["text"].startswith("Welcome") else "focus"] += 1
    return time.perf_counter() - started, kinds


def outcome(
    label: str,
    stub: RateLimitedStub,
    db: Database,
    users: list[str],
    seconds: float,
    summary: str,
    rate: float,
) -> SendResult:
    per_user = stub.posts_per_user(users)
    posts = stub.accepted["chat.postMessage"]
    return SendResult(
        label=label,
        seconds=seconds,
        summary=summary,
        posts=posts,
        floor=len(users) / rate,
        refused=Counter(stub.refused),
        duplicates=sum(max(0, n - 1) for n in per_user.values()),
        losses=sum(1 for n in per_user.values() if n == 0),
        deliveries=delivery_counts(db),
    )


def send(
    args: argparse.Namespace,
    settings: Settings,
    db: Database,
    users: list[str],
    pace: float,
    label: str,
) -> tuple[SendResult, str, float, int]:
    """The production path: jobs.nudges.run(ctx) with the jobs' client (make_sending_client,
    paced at `pace` per second) and COACHBOT_SEND_THREADS senders; then once more."""
    clear_deliveries(db)
    with make_stub(args) as stub:
        configured = replace(
            settings,
            slack_api_url=stub.base_url,
            slack_post_rate=pace,
            send_threads=args.threads,
        )
        client = make_sending_client(configured, token="xoxb-bench")
        started = time.perf_counter()
        summary = nudges.run(JobContext(configured, db, client, NOW))
        seconds = time.perf_counter() - started
        first = outcome(label, stub, db, users, seconds, summary, args.rate)
        before = stub.accepted["chat.postMessage"]
        started = time.perf_counter()
        again = nudges.run(JobContext(configured, db, client, NOW))
        again_seconds = time.perf_counter() - started
        new = stub.accepted["chat.postMessage"] - before
        print(
            f"  gate              pace {client.gate.rate:.1f}/s at the end, "
            f"{client.gate.refusals:,} refusal(s) seen"
        )
    return first, again, again_seconds, new


def make_stub(args: argparse.Namespace) -> RateLimitedStub:
    return RateLimitedStub(rate=args.rate, burst=args.burst, open_rate=args.open_rate)


def main() -> None:
    parser = make_parser(__doc__, first_paragraph=True)
    parser.add_argument("--reps", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0, help="chat.postMessage per second")
    parser.add_argument("--burst", type=float, help="bucket size (default: one second's worth)")
    parser.add_argument("--open-rate", type=float, help="conversations.open/s (default --rate)")
    parser.add_argument("--threads", type=int, default=8, help="COACHBOT_SEND_THREADS (8)")
    parser.add_argument(
        "--overpace",
        type=float,
        default=1.5,
        help="second run with COACHBOT_SLACK_POST_RATE this many times --rate (0 to skip)",
    )
    parser.add_argument("--database-url")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    if args.reps < 1 or args.rate <= 0:
        parser.error("--reps and --rate must be positive")
    args.burst = args.burst or max(1.0, args.rate)
    args.open_rate = args.open_rate or args.rate

    DATA.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{DATA / f'fanout-{args.reps}.db'}"
    took, team_id = prepare_org(url, args.reps, args.regenerate)
    print(f"org: {url} ({'reused' if took is None else f'generated in {took:.1f} s'})")
    settings = Settings(database_url=url, slack_bot_token="xoxb-bench")
    db = Database.from_url(url)
    try:
        nightly = nightly_assessment(db, team_id, settings)
        print(
            "nightly assessment (prep, not timed as build): "
            + ("snapshots reused" if nightly is None else f"{nightly:.1f} s")
        )
        clear_deliveries(db)
        ctx = JobContext(settings, db, None, NOW)
        due = [rep for ws, _team in ctx.workspaces() for rep in nudges._due_reps(ctx, ws)]
        users = [rep["slack_user_id"] for rep in due]
        print(
            f"now {NOW.isoformat()}: {len(due):,} due reps; rate {args.rate:g}/s "
            f"(burst {args.burst:g}), conversations.open {args.open_rate:g}/s, "
            f"1 post/s per channel"
        )
        build_seconds, kinds = build(ctx, team_id, due)
        print(
            f"build: {build_seconds:.1f} s for {len(due):,} nudges "
            f"({build_seconds / len(due) * 1000:.1f} ms each; {dict(kinds)})"
        )
        runs = [(args.rate, "COACHBOT_SLACK_POST_RATE = the workspace's limit")]
        if args.overpace > 0:
            runs.append((args.rate * args.overpace, f"set {args.overpace:g}x too high"))
        for pace, why in runs:
            label = f"send: jobs.nudges.run, {args.threads} thread(s), pace {pace:g}/s ({why})"
            first, again, again_seconds, new = send(args, settings, db, users, pace, label)
            first.print()
            print(f"second run: {again} in {again_seconds:.1f} s; new posts: {new} (goal 0)")
    finally:
        db.dispose()


if __name__ == "__main__":
    main()
