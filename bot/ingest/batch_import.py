"""CRM records sent as JSON (the API's writes): the same checks, writers and all-or-nothing
transaction as a native CSV file of their kind. A batch reads like that file: its columns are
the kind's required ones and every field some record sets, each record is a row, and a
problem's row is the record's index in the batch (0 for the first)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.ingest.csvfile import CsvRow
from bot.ingest.importer import FilePlan, FileReport, write_plans
from bot.ingest.kinds import KINDS, Kind
from bot.ingest.mapping import native
from bot.ingest.problems import ImportRejected, Problem, ProblemLog
from bot.store.engine import Database
from bot.vocabulary import RECORD_KINDS

# One JSON record: field name -> a JSON scalar (text, number, true/false, null).
Record = Mapping[str, Any]


class JsonRecords:
    """A batch's records as FileImport reads a CSV file's rows (file_import.RowSource)."""

    def __init__(self, name: str, header: list[str], records: Sequence[Record]) -> None:
        self.name = name
        self.header = header
        self.size = len(records)  # counted in records, not bytes
        self._records = records
        self._read = 0

    @property
    def bytes_read(self) -> int:
        return self._read

    def rows(self, stop_at_blank_line: bool = False) -> Iterator[CsvRow]:
        """Every record, even an empty one (which then lacks its required fields): a batch
        has no blank lines or footers to skip, so `stop_at_blank_line` does not apply."""
        for index, record in enumerate(self._records):
            self._read = index + 1
            yield CsvRow(index, [cell(record.get(column)) for column in self.header])


def cell(value: Any) -> str:
    """A JSON value as the CSV cell that says the same: numbers as written (never in
    exponent form), true/false, null as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")
    return str(value)


def run_records_import(
    db: Database,
    settings: Settings,
    team_id: str,
    kind: str,
    records: Sequence[Record],
    clock: Clock,
) -> FileReport:
    """Import one batch of `kind` records for the workspace; raise ImportRejected (database
    unchanged) on any problem, each with the record's index as its row (None: the request)."""
    if kind not in KINDS:
        expected = f"one of {', '.join(RECORD_KINDS)}"
        raise ImportRejected.single(Problem(kind, None, None, kind, expected))
    plan = plan_records(KINDS[kind], records)
    write_plans(db, settings, team_id, [plan], clock)
    return plan.report


def plan_records(kind: Kind, records: Sequence[Record]) -> FilePlan:
    """The batch as a native file of `kind`, or ImportRejected for fields the kind does not
    have and values that are not single values."""
    log = ProblemLog()
    used: set[str] = set()
    for index, record in enumerate(records):
        for name, value in record.items():
            if name not in kind.names:
                known = ", ".join(c.name for c in kind.columns)
                log.add(Problem(kind.name, index, name, None, f"a field of {kind.name}: {known}"))
            elif isinstance(value, dict | list | tuple):
                log.add(Problem(kind.name, index, name, None, "a text, a number or true/false"))
            else:
                used.add(name)
    if log:
        raise ImportRejected(log)
    # Required columns are always there, so a record without one is told so by its index.
    header = [c.name for c in kind.columns if c.required or c.name in used]
    targets: list[str | None] = list(header)
    source = JsonRecords(kind.name, header, records)
    return FilePlan(source, kind, native(), targets, FileReport(kind.name, kind.name))
