"""What bench/load.py sends and how it knows each request was answered: the mix of `/coach`
commands real users send, who types each and where, and the first answer each one got."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from _served_org import Rep
from _server import DM_POST
from _slack_stub import Arrivals

from tests.slack.stub import SlackStub

User = Rep  # a rep or a manager: person id, Slack id, email, name, timezone
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


def response_url(stub: SlackStub, ask: Ask) -> str:
    # The query's channel_id is recorded in the stub call's body, and Arrivals keys calls
    # without a channel by it: so each request's response_url posts are timed on their own.
    return f"{stub.root_url}/response/{ask.token}?channel_id={ask.token}"


def answered_at(arrivals: Arrivals, ask: Ask) -> float | None:
    """When the stub first saw a DM post for the user or a post to the request's response_url."""
    first = arrivals.first
    seen = [first.get((DM_POST, ask.dm)), first.get((RESPONSE, ask.token))]
    return min((t for t in seen if t is not None), default=None)


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
