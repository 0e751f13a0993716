"""What a repeated click is told: the first one already did it, so nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy.orm import Session

from bot.render.sentences import sentence
from bot.store.engine import Database
from bot.store.handled import Repeated, handled_at


class AlreadyDone(Exception):
    """An earlier or concurrent click (or Slack's re-delivery) made this change already; the
    message says what was decided and when. Not a refusal: the user's wish holds."""


def already_done(what: str, when: date | None) -> AlreadyDone:
    return AlreadyDone(sentence("already_done", what=what, when=when))


@contextmanager
def once_per_request(db: Database, request: str | None, what: str) -> Iterator[Session]:
    """A transaction whose request key (`record_handled` inside it) turns a repeat of the
    request into AlreadyDone: "Already done: {what} on {the first one's day}"."""
    try:
        with db.begin() as session:
            yield session
    except Repeated:
        assert request is not None
        with db.begin() as session:
            raise already_done(what, handled_at(session, request)) from None
