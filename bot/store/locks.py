"""Row locks that hold on both backends, for the read-check-write of a guarded transition."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

Row = TypeVar("Row")


def locked(session: Session, model: type[Row], row_id: int) -> Row | None:
    """The row with `row_id`, read after taking its write lock, so two clicks that change it
    at once run one after the other and the second sees what the first decided.

    PostgreSQL locks the row with `FOR UPDATE`. SQLite has no row locks and ignores that
    clause, and its driver opens a transaction only at the first write, so a plain read would
    come from before a concurrent writer commits; a write that changes nothing takes the
    database's write lock first (waiting out the busy timeout) and the read then sees the
    latest commit."""
    column: Any = model.id  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(model)
            .where(column == row_id)
            .values(id=column)
            .execution_options(synchronize_session=False)
        )
    return session.scalar(
        select(model)
        .where(column == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
