"""Bulk inserts from numpy arrays for the generated org: each column a function from a slice of
rows to that slice's Python values (None where not valid), written CHUNK rows at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, Table, func, insert, select

CHUNK = 50_000  # rows per executemany

ColumnValues = Callable[[slice], list[Any]]


def _py(values: np.ndarray, valid: np.ndarray | None) -> list[Any]:
    out = values.tolist()
    if valid is not None:
        for i in np.flatnonzero(~valid).tolist():
            out[i] = None
    return out


def ints(values: np.ndarray, valid: np.ndarray | None = None) -> ColumnValues:
    return lambda part: _py(values[part], None if valid is None else valid[part])


def numbers(values: np.ndarray, valid: np.ndarray | None = None) -> ColumnValues:
    return lambda part: _py(values[part].round(2), None if valid is None else valid[part])


def dates(days: np.ndarray, valid: np.ndarray | None = None) -> ColumnValues:
    """Days since 1970-01-01 as datetime.date."""
    return lambda part: _py(
        days[part].astype("datetime64[D]"), None if valid is None else valid[part]
    )


def instants(seconds: np.ndarray) -> ColumnValues:
    """Seconds since the epoch as aware UTC datetimes."""
    return lambda part: [
        moment.replace(tzinfo=UTC) for moment in seconds[part].astype("datetime64[s]").tolist()
    ]


def labels(
    codes: np.ndarray, names: tuple[str, ...], valid: np.ndarray | None = None
) -> ColumnValues:
    table = np.array(names, dtype=object)
    return lambda part: _py(table[codes[part]], None if valid is None else valid[part])


def const(value: Any) -> ColumnValues:
    return lambda part: [value] * (part.stop - part.start)


def numbered(prefix: str, width: int, numbers: np.ndarray | None = None) -> ColumnValues:
    if numbers is None:
        return lambda part: [f"{prefix}{i + 1:0{width}d}" for i in range(part.start, part.stop)]
    return lambda part: [f"{prefix}{i:0{width}d}" for i in numbers[part].tolist()]


def ids(first: int) -> ColumnValues:
    """Consecutive ids from `first`."""
    return lambda part: list(range(first + part.start, first + part.stop))


def bulk_insert(engine: Engine, table: Table, size: int, columns: dict[str, ColumnValues]) -> None:
    """Insert `size` rows, CHUNK at a time, each chunk its own transaction."""
    statement = insert(table)
    names = list(columns)
    with engine.connect() as connection:
        for start in range(0, size, CHUNK):
            part = slice(start, min(start + CHUNK, size))
            values = [column(part) for column in columns.values()]
            connection.execute(
                statement, [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
            )
            connection.commit()


def pick(rng: np.random.Generator, probabilities: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One category per row, from per-row probabilities `probabilities[rows]` (vectorised)."""
    cumulative = probabilities.cumsum(axis=1)
    draws = rng.random(len(rows)) * cumulative[rows, -1]
    return (draws[:, None] > cumulative[rows]).sum(axis=1)


EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_date(number: int) -> date:
    return EPOCH + timedelta(days=number)


def next_id(connection: Connection, table: Table) -> int:
    return int(connection.scalar(select(func.coalesce(func.max(table.c.id), 0)))) + 1
