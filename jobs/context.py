"""What every job gets (settings, the database, a Slack or preview client, the time) and the
one job wrapper: `each_workspace` loops over the workspaces a run may serve, sends what
each step hands it through the delivery log and tallies the outcomes into the one-line
summary operators read. Jobs hold no SQL and no decisions: a step calls services."""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.clock import local
from bot.config import Settings
from bot.delivery.once import Outcome, Outgoing, deliver_all
from bot.delivery.preview import PreviewClient
from bot.services.assessments import assessment_config
from bot.store.engine import Database
from bot.store.workspaces import workspaces

if TYPE_CHECKING:  # jobs pass the config on to services; they never assess themselves
    from bot.coaching.assessment import AssessmentConfig


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    db: Database
    client: Any  # a slack_sdk WebClient, or the preview client without a workspace
    now: datetime  # aware, UTC: when the run began
    started: float = field(default_factory=time.monotonic, compare=False, repr=False)
    team_id: str | None = None  # only this workspace (many installed through OAuth)

    @property
    def config(self) -> AssessmentConfig:
        return assessment_config(self.settings)

    def moment(self) -> datetime:
        """The run's clock moving on in real time: `now` plus how long the run has taken.
        A claim on a message is stamped with this, so a long fan-out's claims stay fresh."""
        return self.now + timedelta(seconds=time.monotonic() - self.started)

    @property
    def send_threads(self) -> int:
        """How many messages are built and sent at once. One for the preview, whose page
        keeps the order things were sent in."""
        return 1 if isinstance(self.client, PreviewClient) else self.settings.send_threads

    def deliver(self, workspace_id: int, messages: Sequence[Outgoing]) -> list[Outcome]:
        return deliver_all(
            self.db, self.client, workspace_id, messages, self.moment, self.send_threads
        )

    def local(self, timezone: str | None) -> datetime:
        return local(self.now, timezone or self.settings.timezone)

    def workspaces(self) -> list[tuple[int, str]]:
        return workspaces(self.db, self.team_id)


@dataclass
class Tally:
    """What a job's deliveries came to, as the one-line summary operators read."""

    name: str | None
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, status: str) -> None:
        self.counts[status] += 1

    def __str__(self) -> str:
        c = self.counts
        busy = f", {c['busy']} being sent by another run" if c["busy"] else ""
        label = "" if self.name is None else f"{self.name}: "
        return f"{label}{c['sent']} sent, {c['skipped']} already sent, {c['failed']} failed{busy}"


class Run:
    """One job run's account: a line per workspace (`line`), what it did besides sending
    (`count`), how each kind of message it sent went (`send`, `record`) and what it did once
    after every workspace (`note`)."""

    def __init__(
        self,
        ctx: JobContext,
        title: str,
        counts: Sequence[str],
        sends: Sequence[str | None],
        lines_joined_by: str | None,
    ):
        self.ctx, self.title, self.joiner = ctx, title, lines_joined_by
        self.lines: list[str] = []
        self.done: dict[str, int] = dict.fromkeys(counts, 0)
        self.tallies = {label: Tally(label) for label in sends}
        self.notes: list[str] = []

    def line(self, text: str) -> None:
        self.lines.append(text)

    def count(self, what: str, n: int = 1) -> None:
        self.done[what] += n

    def send(
        self, workspace_id: int, messages: Sequence[Outgoing], label: str | None = None
    ) -> None:
        self.record(self.ctx.deliver(workspace_id, messages), label)

    def record(self, outcomes: Sequence[Outcome], label: str | None = None) -> None:
        """Outcomes of messages a service delivered itself (the directory's welcomes)."""
        for outcome in outcomes:
            self.tallies[label].add(outcome.status)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def __str__(self) -> str:
        parts = [] if self.joiner is None else [self.joiner.join(self.lines) or "no workspaces"]
        parts += [f"{n} {what}" for what, n in self.done.items()]
        parts += [str(t) for t in self.tallies.values()]
        return f"{self.title}: " + "; ".join(parts + self.notes)


Step = Callable[[JobContext, int, str, Run], None]


def each_workspace(
    title: str,
    counts: Sequence[str] = (),
    sends: Sequence[str | None] = (None,),
    lines_joined_by: str | None = None,
    after: Callable[[JobContext, Run], None] | None = None,
) -> Callable[[Step], Callable[[JobContext], str]]:
    """The job wrapper: `step(ctx, workspace_id, team_id, run)` once per workspace the run
    serves, then `after(ctx, run)` once; the job's summary is `title`, then the workspaces'
    lines (when the job writes them), each count, each kind of message sent, and the notes."""

    def wrap(step: Step) -> Callable[[JobContext], str]:
        @functools.wraps(step)
        def run(ctx: JobContext) -> str:
            account = Run(ctx, title, counts, sends, lines_joined_by)
            for workspace_id, team_id in ctx.workspaces():
                step(ctx, workspace_id, team_id, account)
            if after is not None:
                after(ctx, account)
            return str(account)

        return run

    return wrap
