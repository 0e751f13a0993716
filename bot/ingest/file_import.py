"""One file's import: its rows read in batches, checked, and handed to the writer for its kind,
with the problems named in the export's own words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from bot.ingest.csvfile import CsvRow
from bot.ingest.directory import PeopleDirectory
from bot.ingest.kinds import ReadContext, read_record
from bot.ingest.problems import FieldError, Problem, ProblemLog
from bot.ingest.writers import MODELS, WRITERS

if TYPE_CHECKING:
    from bot.ingest.importer import FilePlan

BATCH_ROWS = 2000


class RowSource(Protocol):
    """What FileImport reads its rows from: a CSV file (`CsvFile`), or the records of an API
    batch (`bot.ingest.batch_import.JsonRecords`), each row's values in the plan's column order."""

    name: str  # names the source in problems
    size: int  # how much there is to read, for the progress bar

    @property
    def bytes_read(self) -> int:
        """How much of `size` has been read so far."""
        ...

    def rows(self, stop_at_blank_line: bool = False) -> Iterator[CsvRow]: ...


def distinct_labels(labels: tuple[str, ...]) -> list[str]:
    """The labels a user would recognise, once each: spellings that differ only in case,
    spaces or a "(Pipeline)" suffix (HubSpot writes all of these) are shown once."""
    seen: set[str] = set()
    shown = []
    for label in labels:
        key = re.sub(r"\s*\(.*\)$", "", label).replace(" ", "").replace("-", "").casefold()
        if key not in seen:
            seen.add(key)
            shown.append(label)
    return shown


class FileImport:
    """One file's rows: read in batches, checked, references resolved, upserted."""

    def __init__(
        self,
        session: Session,
        workspace_id: int,
        plan: FilePlan,
        context: ReadContext,
        log: ProblemLog,
        now: datetime,
        progress: bool,
    ) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self.plan = plan
        self.context = replace(context, dates=plan.mapping.dates, decimal=plan.mapping.decimal)
        self.log = log
        self.now = now
        self.progress = progress
        self.name = plan.source.name
        self.provided = {t for t in plan.targets if t} | set(plan.mapping.defaults)
        self.seen_keys: dict[Any, int] = {}
        self.people = PeopleDirectory.load(session, workspace_id)

    def problem(self, row: int | None, column: str | None, value: Any, expected: str) -> None:
        """One problem, in the export's own words where a preset or mapping read it: the
        file's header for the column, and for values the mapping translates (stages), the
        labels it knows."""
        shown = None if value is None else str(value)
        mapping = self.plan.mapping
        header = self.plan.sources.get(column or "")
        if mapping.is_native or header is None:
            self.log.add(Problem(self.name, row, column, shown, expected))
            return
        labels = distinct_labels(mapping.labels.get(column or "", ()))
        if labels and shown is not None:
            expected = (
                f"expected one of the {header!r} values the {mapping.source} mapping knows: "
                f"{', '.join(labels)}; add yours under values.{column} in a --mapping file "
                "(docs/crm-presets.md)"
            )
        renamed = None if header.lower() == column else column
        self.log.add(Problem(self.name, row, header, shown, expected, field=renamed))

    def run(self) -> None:
        writer = WRITERS[self.plan.kind.name]
        table_model = MODELS[self.plan.kind.name]
        before = self._count(table_model)
        with tqdm(
            total=self.plan.source.size,
            unit="B",
            unit_scale=True,
            desc=f"{self.name} ({self.plan.kind.name})",
            disable=not self.progress,
            leave=False,
        ) as bar:
            for batch in self._batches():
                bar.update(self.plan.source.bytes_read - bar.n)
                records = [(row, rec) for row, rec in map(self._read, batch) if rec is not None]
                writer(self, records)
                self.plan.report.rows += len(batch)
        self.session.flush()
        self.plan.report.created = self._count(table_model) - before
        self.plan.report.updated = self.plan.report.rows - self.plan.report.created

    def _count(self, model: Any) -> int:
        query = select(func.count()).select_from(model)
        if hasattr(model, "workspace_id"):
            query = query.where(model.workspace_id == self.workspace_id)
        return self.session.scalar(query) or 0

    def _batches(self) -> Iterator[list[CsvRow]]:
        width = len(self.plan.targets)
        batch: list[CsvRow] = []
        rows = self.plan.source.rows(stop_at_blank_line=self.plan.mapping.skip_after_blank_line)
        for row in rows:
            if len(row.values) > width and any(v.strip() for v in row.values[width:]):
                self.problem(
                    row.number,
                    None,
                    None,
                    f"{width} fields like the header, but this row has {len(row.values)} "
                    "(a separator inside an unquoted value?)",
                )
                continue
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch = []
        if batch:
            yield batch

    def _read(self, row: CsvRow) -> tuple[int, dict[str, Any] | None]:
        mapping = self.plan.mapping
        cells: dict[str, str] = dict(mapping.defaults)
        filled: set[str] = set()
        # Exports drop trailing empty fields; a short row's missing cells are empty ones,
        # so a required column among them is reported as missing, like any empty cell.
        values = row.values + [""] * (len(self.plan.targets) - len(row.values))
        for target, raw in zip(self.plan.targets, values, strict=False):
            if target is None or target in filled:
                continue
            if raw.strip():
                cells[target] = mapping.translate(target, raw.strip())
                filled.add(target)
            else:
                cells.setdefault(target, raw)
        record, problems = read_record(self.plan.kind, cells, self.context)
        for column, value, expected in problems:
            self.problem(row.number, column, value, expected)
        return row.number, record

    def first_time(self, key: Any, row: int, column: str, shown: str) -> bool:
        """False (and a problem) when a key already appeared earlier in this file."""
        first = self.seen_keys.setdefault(key, row)
        if first != row:
            self.problem(row, column, shown, f"a value not used before in this file (row {first})")
            return False
        return True

    def first_copy(self, record: dict[str, Any], row: int) -> bool:
        """For rows without an id of their own (keyed by their content): False, and a
        problem, when the same row already appeared earlier in this file."""
        first = self.seen_keys.setdefault(record["external_id"], row)
        if first != row:
            self.problem(
                row,
                None,
                None,
                f"a row not repeated: this one is identical to row {first} (if both really "
                "happened, give each an external_id)",
            )
            return False
        return True

    def resolve_person(self, row: int, column: str, reference: str) -> int | None:
        try:
            return self.people.resolve(reference)
        except FieldError as error:
            self.problem(row, column, reference, f"expected {error}")
            return None

    def full_rows(self, rows: list[dict[str, Any]], model: Any) -> list[dict[str, Any]]:
        """Every row with the same keys, as one batched statement needs.

        Only the model's columns that some row provides: the rest keep their defaults (an
        import never touches what users set in Slack, such as paused nudges)."""
        provided = set().union(*(r.keys() for r in rows)) if rows else set()
        columns = [c.key for c in model.__table__.columns if c.key in provided and c.key != "id"]
        return [{c: r.get(c) for c in columns} for r in rows]

    def updated_columns(self, *always: str, renames: dict[str, str] | None = None) -> list[str]:
        renames = renames or {}
        return [*always, *(renames.get(c, c) for c in self.provided)]
