"""Insert-or-update in batches, keyed by each kind's natural key, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    update: Sequence[str],
    keep_when_missing: Sequence[str] = (),
) -> None:
    """Write `rows`; where `key` already exists, overwrite only the `update` columns.

    Only the columns a file provides are updated, so re-importing a narrower export (say, a
    Salesforce report without contact counts) does not erase what a richer one set.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    columns = [c for c in update if c not in key]
    assignments: dict[str, Any] = {c: statement.excluded[c] for c in columns}
    for column in keep_when_missing:
        if column in assignments:
            assignments[column] = func.coalesce(statement.excluded[column], table.c[column])
    statement = statement.on_conflict_do_update(index_elements=list(key), set_=assignments)
    session.execute(statement, list(rows))
