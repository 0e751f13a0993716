"""A listener that fails is logged, recorded under the reference the user is told, and the
user hears about it; the nightly job forgets old failures."""

from __future__ import annotations

import socket
from datetime import timedelta

from sqlalchemy import select

from bot.slack.errors import FORGET_AFTER, forget_old_failures, recent_failures
from bot.store.models import ListenerFailure
from tests.slackapp import running_app, text_of

USERS = {"U0ANN": {"email": "ann@acme.example", "name": "Ann"}}


def closed_port() -> int:
    """A loopback port nobody listens on: Slack's response_url as it is when Slack is away."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_failing_listener_is_recorded_under_the_reference_the_user_gets(
    db, settings, clock
) -> None:
    with running_app(settings, db, clock, USERS) as app:
        unreachable = f"http://127.0.0.1:{closed_port()}/response/gone"
        assert app.command("help", "U0ANN", response_url=unreachable) == 200  # acked first
        [told] = app.dms_to("U0ANN")
    with db.begin() as session:
        [failure] = session.scalars(select(ListenerFailure)).all()
    assert failure.reference in text_of(told)
    assert (failure.team_id, failure.user_id, failure.kind) == ("T0TEST", "U0ANN", "/coach")
    assert "URLError" in failure.error or "ConnectionRefused" in failure.error

    # What the admin finds from the reference the user passes on.
    [found] = recent_failures(db, f"`{failure.reference}`", 20)
    assert found.id == failure.id and recent_failures(db, "nope", 20) == []

    assert forget_old_failures(db, clock.now() + FORGET_AFTER - timedelta(hours=1)) == 0
    assert forget_old_failures(db, clock.now() + FORGET_AFTER + timedelta(hours=1)) == 1
