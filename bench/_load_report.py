"""How bench/load.py reports its burst: acks and answers overall and per kind of request, the
Slack calls made, the server log's problems, and the goals."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from _load_requests import MIX, Outcome
from _report import ms, percentile, spread, verdict
from _server import ANSWER_TIMEOUT, SLACK_ACK_LIMIT, log_problems


def acked_in_time(o: Outcome) -> bool:
    return o.status == 200 and o.ack <= SLACK_ACK_LIMIT


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
            f"{ms(percentile(acks, 50)):>10}{ms(percentile(acks, 99)):>10}"
            f"{len(answers):>10}{len(mine) - len(answers):>6}{sum(o.error for o in mine):>8}"
            f"{ms(percentile(answers, 99)) if answers else '-':>12}"
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
    print(f"ack          : {spread(acks)}")
    print(
        f"acked in 3 s : {in_time} of {total} with HTTP 200; over 3 s "
        f"{sum(o.ack > SLACK_ACK_LIMIT for o in outcomes)}; non-200 {sum(bad.values())}"
        + (f" {dict(bad)}" if bad else "")
        + (" (None: no HTTP response)" if "None" in bad else "")
    )
    print(f"answer       : {spread(answers)} (sent -> first DM post or response_url post)")
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
        f"{verdict(in_time == total, loud=True)}; none lost: {lost} lost "
        f"{verdict(lost == 0, loud=True)}"
    )
