"""Column types and checks the model modules share."""

from __future__ import annotations

from sqlalchemy import Numeric

MONEY = Numeric(18, 2)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint's SQL: `column` holds one of `values`."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"
