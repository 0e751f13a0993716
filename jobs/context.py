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
    """One job run's account: what it did besides sending (`count`) and how each kind of
    message it sent went (`send`)."""

    def __init__(
        self, ctx: JobContext, title: str, counts: Sequence[str], sends: Sequence[str | None]
    ):
        self.ctx, self.title = ctx, title
        self.done: dict[str, int] = dict.fromkeys(counts, 0)
        self.tallies = {label: Tally(label) for label in sends}

    def count(self, what: str, n: int = 1) -> None:
        self.done[what] += n

    def send(
        self, workspace_id: int, messages: Sequence[Outgoing], label: str | None = None
    ) -> None:
        tally = self.tallies[label]
        for outcome in self.ctx.deliver(workspace_id, messages):
            tally.add(outcome.status)

    def __str__(self) -> str:
        parts = [f"{n} {what}" for what, n in self.done.items()]
        parts += [str(t) for t in self.tallies.values()]
        return f"{self.title}: " + "; ".join(parts)


Step = Callable[[JobContext, int, str, Run], None]


def each_workspace(
    title: str, counts: Sequence[str] = (), sends: Sequence[str | None] = (None,)
) -> Callable[[Step], Callable[[JobContext], str]]:
    """The job wrapper: `step(ctx, workspace_id, team_id, run)` once per workspace the run
    serves; the job's summary is `title`, then each count, then each kind of message sent."""

    def wrap(step: Step) -> Callable[[JobContext], str]:
        @functools.wraps(step)
        def run(ctx: JobContext) -> str:
            account = Run(ctx, title, counts, sends)
            for workspace_id, team_id in ctx.workspaces():
                step(ctx, workspace_id, team_id, account)
            return str(account)

        return run

    return wrap
