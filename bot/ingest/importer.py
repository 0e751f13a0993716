"""`coachbot import`: check every file, write all of them in one transaction, or nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from tqdm import tqdm

from bot.clock import Clock
from bot.config import Settings
from bot.ingest.csvfile import CsvFile, CsvRow
from bot.ingest.directory import PeopleDirectory, deal_ids
from bot.ingest.kinds import (
    CONTENT_KEY_PREFIXES,
    KINDS,
    Kind,
    ReadContext,
    detect_kind,
    read_record,
)
from bot.ingest.mapping import Mapping, load_mapping, native, preset
from bot.ingest.problems import FieldError, ImportRejected, Problem, ProblemLog
from bot.ingest.upsert import upsert
from bot.store.engine import Database
from bot.store.models import Activity, Deal, Feedback, Person, StageEvent
from bot.store.workspaces import workspace_id_for
from bot.vocabulary import RECORD_KINDS

BATCH_ROWS = 2000


@dataclass
class FileReport:
    name: str
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    ignored_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportRequest:
    paths: list[Path]
    team_id: str
    format: str = "native"
    mapping: Path | None = None
    kind: str | None = None
    encoding: str = "utf-8"
    progress: bool = False


@dataclass
class _Plan:
    csv: CsvFile
    kind: Kind
    mapping: Mapping
    # For each CSV position, the coachbot column it feeds (None: ignored).
    targets: list[str | None]
    report: FileReport
    # Each column fed, with the file's own header for it: problems name what the user sees.
    sources: dict[str, str] = field(default_factory=dict)


def build_mapping(fmt: str, mapping_path: Path | None) -> Mapping:
    try:
        base = preset(fmt)
    except ValueError as error:
        raise ImportRejected.single(Problem("--format", None, None, fmt, str(error))) from None
    return base.layered(load_mapping(mapping_path)) if mapping_path else base


def run_import(
    db: Database, settings: Settings, request: ImportRequest, clock: Clock
) -> list[FileReport]:
    """Import the files of `request`; raise ImportRejected (database unchanged) on any problem."""
    if request.kind is not None and request.kind not in KINDS:
        expected = f"one of {', '.join(RECORD_KINDS)}"
        raise ImportRejected.single(Problem("--kind", None, None, request.kind, expected))
    mapping = build_mapping(request.format, request.mapping)
    log = ProblemLog()
    plans = [p for path in request.paths if (p := _plan(path, mapping, request, log)) is not None]
    if log:
        raise ImportRejected(log)
    plans.sort(key=lambda plan: RECORD_KINDS.index(plan.kind.name))
    context = ReadContext(
        stages=settings.stages, zone=settings.zone, default_currency=settings.currency
    )
    now = clock.now()
    with db.begin() as session:
        workspace_id = workspace_id_for(session, request.team_id, now)
        for plan in plans:
            _FileImport(session, workspace_id, plan, context, log, now, request.progress).run()
        if log:
            # Leaving the block by an exception rolls the whole import back.
            raise ImportRejected(log)
    return [plan.report for plan in plans]


def _plan(path: Path, mapping: Mapping, request: ImportRequest, log: ProblemLog) -> _Plan | None:
    try:
        csv_file = CsvFile(path, request.encoding)
        header = csv_file.read_header()
    except ImportRejected as rejected:
        for problem in rejected.log.shown:
            log.add(problem)
        return None
    mapping = _mapping_for(header, mapping, request.kind)
    # Several headers may feed one column (Salesforce orgs name their loss-reason field
    # differently); the first non-empty cell among them wins, row by row.
    targets: list[str | None] = [mapping.column_for(name) for name in header]
    present = {t for t in targets if t} | set(mapping.defaults)
    kind_name = request.kind or mapping.kind
    if kind_name is None:
        candidates = detect_kind(present)
        if len(candidates) != 1:
            found = ", ".join(h for h in header if h.strip()) or "nothing"
            expected = (
                "a header with the columns of one kind: "
                + "; ".join(f"{k.name} ({', '.join(k.required)})" for k in KINDS.values())
                + ", or name the kind with --kind"
            )
            if candidates:
                expected = f"one kind, but it could be {' or '.join(candidates)}: pass --kind"
            log.add(Problem(path.name, 1, None, found, expected))
            return None
        kind_name = candidates[0]
    kind = KINDS[kind_name]
    missing = [c for c in kind.required if c not in present]
    if kind.name == "deals" and not ({"outcome", "stage"} & present):
        missing.append("outcome (or stage)")
    for column in missing:
        log.add(_missing_column(path.name, column, kind, mapping))
    report = FileReport(path.name, kind.name)
    report.ignored_columns = [
        h for h, t in zip(header, targets, strict=True) if t not in kind.names
    ]
    targets = [t if t in kind.names else None for t in targets]
    sources: dict[str, str] = {}
    for name, target in zip(header, targets, strict=True):
        if target:
            sources.setdefault(target, name.strip())
    return None if missing else _Plan(csv_file, kind, mapping, targets, report, sources)


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


def _missing_column(file: str, column: str, kind: Kind, mapping: Mapping) -> Problem:
    needs = ", ".join(kind.required)
    header = mapping.headers.get(column.split(" ")[0])
    if mapping.is_native or header is None:
        return Problem(file, 1, column, None, f"missing: {kind.name} files need {needs}")
    return Problem(
        file,
        1,
        header,
        None,
        f"missing: the {mapping.source} export needs the column {header!r}; add it to the "
        f"report or export, or map your own column to {column} in a --mapping file",
        field=column,
    )


def _mapping_for(header: list[str], mapping: Mapping, forced_kind: str | None) -> Mapping:
    """The mapping for one file: a CRM preset for its export, native for our own files.

    A people file in native format may ride along with `--format hubspot deals.csv`, so both
    land in one transaction; it is recognised by its header being a native kind other than
    the one the mapping is for.
    """
    if forced_kind or mapping.kind is None or mapping.source == "native":
        return mapping
    native_columns = {native().column_for(name) for name in header}
    native_kinds = [k.name for k in KINDS.values() if k.signature <= native_columns]
    if len(native_kinds) == 1 and native_kinds[0] != mapping.kind:
        return native()
    return mapping


class _FileImport:
    """One file's rows: read in batches, checked, references resolved, upserted."""

    def __init__(
        self,
        session: Session,
        workspace_id: int,
        plan: _Plan,
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
        self.name = plan.csv.name
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
        writer = _WRITERS[self.plan.kind.name]
        table_model = _MODELS[self.plan.kind.name]
        before = self._count(table_model)
        with tqdm(
            total=self.plan.csv.size,
            unit="B",
            unit_scale=True,
            desc=f"{self.name} ({self.plan.kind.name})",
            disable=not self.progress,
            leave=False,
        ) as bar:
            for batch in self._batches():
                bar.update(self.plan.csv.bytes_read - bar.n)
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
        rows = self.plan.csv.rows(stop_at_blank_line=self.plan.mapping.skip_after_blank_line)
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


Records = list[tuple[int, dict[str, Any]]]


def _write_people(job: _FileImport, records: Records) -> None:
    rows, managers = [], []
    holders = _slack_id_holders(job, records)
    for number, record in records:
        if not job.first_time(("person", record["email"]), number, "email", record["email"]):
            continue
        slack_id = record.get("slack_user_id")
        if slack_id and not job.first_time(("slack", slack_id), number, "slack_user_id", slack_id):
            continue
        if slack_id and holders.get(slack_id, record["email"]) != record["email"]:
            # Two people with one Slack account: that user would see the other's numbers.
            job.problem(
                number,
                "slack_user_id",
                slack_id,
                f"a Slack user id nobody else has ({holders[slack_id]} has it)",
            )
            continue
        if manager := record.pop("manager_email", None):
            managers.append((number, record["email"], manager))
        record.setdefault("active", True)
        rows.append({**record, "workspace_id": job.workspace_id, "updated_at": job.now})
    update_columns = job.updated_columns("updated_at")
    update_columns = [c for c in update_columns if c not in ("manager_email", "email")]
    upsert(
        job.session,
        Person.__table__,
        job.full_rows(rows, Person),
        key=("workspace_id", "email"),
        update=[c for c in update_columns if c != "manager_id"],
    )
    job.people = PeopleDirectory.load(job.session, job.workspace_id)
    _link_managers(job, managers)


def _slack_id_holders(job: _FileImport, records: Records) -> dict[str, str]:
    """Who holds each Slack id once this file is in: people already stored keep theirs
    unless this file gives them another."""
    reassigned = {r["email"] for _, r in records if "slack_user_id" in r}
    stored = job.session.execute(
        select(Person.slack_user_id, Person.email).where(
            Person.workspace_id == job.workspace_id, Person.slack_user_id.is_not(None)
        )
    )
    return {slack_id: email for slack_id, email in stored if email not in reassigned}


def _link_managers(job: _FileImport, managers: list[tuple[int, str, str]]) -> None:
    links = []
    for number, email, reference in managers:
        manager_id = job.resolve_person(number, "manager_email", reference)
        if manager_id is not None:
            links.append({"id": job.people.by_email[email], "manager_id": manager_id})
    if links:
        job.session.execute(update(Person), links)  # bulk update by primary key
    rows = job.session.execute(
        select(Person.id, Person.manager_id).where(Person.workspace_id == job.workspace_id)
    )
    chains = {row.id: row.manager_id for row in rows}
    rows_by_id = {job.people.by_email[email]: number for number, email, _ in managers}
    for person_id, number in rows_by_id.items():
        seen, current = set(), person_id
        while current is not None and current not in seen:
            seen.add(current)
            current = chains.get(current)
        if current == person_id:
            job.problem(number, "manager_email", None, "a manager chain without a loop")


def _write_deals(job: _FileImport, records: Records) -> None:
    rows = []
    for number, record in records:
        if not _first(job, record, number):
            continue
        owner_id = job.resolve_person(number, "owner", record.pop("owner"))
        if owner_id is None:
            continue
        rows.append(
            {
                **record,
                "owner_id": owner_id,
                "workspace_id": job.workspace_id,
                "updated_at": job.now,
            }
        )
    provided = job.updated_columns(
        "updated_at", "outcome", "currency", renames={"owner": "owner_id"}
    )
    if "stage" in job.provided:
        provided.append("furthest_stage")
    columns = [c for c in provided if c in Deal.__table__.columns and c != "stage"]
    upsert(
        job.session,
        Deal.__table__,
        job.full_rows(rows, Deal),
        key=("workspace_id", "external_id"),
        update=columns,
        # A deal's furthest stage never goes back to unknown: a later export of a closed
        # deal no longer shows the stage it had reached.
        keep_when_missing=("furthest_stage",),
    )


def _write_stage_history(job: _FileImport, records: Records) -> None:
    known = deal_ids(job.session, job.workspace_id, (r["deal"] for _, r in records))
    rows = []
    for number, record in records:
        deal_id = known.get(record["deal"])
        if deal_id is None:
            job.problem(number, "deal", record["deal"], _UNKNOWN_DEAL)
            continue
        if job.first_time((deal_id, record["stage"]), number, "stage", record["stage"]):
            rows.append(
                {
                    "workspace_id": job.workspace_id,
                    "deal_id": deal_id,
                    "stage": record["stage"],
                    "entered_on": record["entered_on"],
                }
            )
    upsert(job.session, StageEvent.__table__, rows, ("deal_id", "stage"), ["entered_on"])


def _write_activities(job: _FileImport, records: Records) -> None:
    known = deal_ids(job.session, job.workspace_id, (r["deal"] for _, r in records if "deal" in r))
    rows = []
    for number, record in records:
        if not _first(job, record, number):
            continue
        owner_id = job.resolve_person(number, "owner", record.pop("owner"))
        deal = record.pop("deal", None)
        deal_id = known.get(deal) if deal else None
        if deal and deal_id is None:
            job.problem(number, "deal", deal, _UNKNOWN_DEAL)
            continue
        if owner_id is not None:
            rows.append(
                {
                    **record,
                    "owner_id": owner_id,
                    "deal_id": deal_id,
                    "workspace_id": job.workspace_id,
                }
            )
    columns = job.updated_columns(renames={"owner": "owner_id", "deal": "deal_id"})
    upsert(
        job.session,
        Activity.__table__,
        job.full_rows(rows, Activity),
        key=("workspace_id", "external_id"),
        update=[c for c in columns if c != "external_id"],
    )


def _write_feedback(job: _FileImport, records: Records) -> None:
    rows = []
    for number, record in records:
        if not _first(job, record, number):
            continue
        about_id = job.resolve_person(number, "about", record.pop("about"))
        if about_id is None:
            continue
        author = record.get("author")
        record["author_id"] = job.people.find(author) if author else None
        rows.append({**record, "about_id": about_id, "workspace_id": job.workspace_id})
    columns = job.updated_columns("author_id", renames={"about": "about_id"})
    upsert(
        job.session,
        Feedback.__table__,
        job.full_rows(rows, Feedback),
        key=("workspace_id", "external_id"),
        update=[c for c in columns if c != "external_id"],
    )


_UNKNOWN_DEAL = "expected the external_id of a deal in this import or already imported"

_WRITERS: dict[str, Callable[[_FileImport, Records], None]] = {
    "people": _write_people,
    "deals": _write_deals,
    "stage_history": _write_stage_history,
    "activities": _write_activities,
    "feedback": _write_feedback,
}
_MODELS: dict[str, Any] = {
    "people": Person,
    "deals": Deal,
    "stage_history": StageEvent,
    "activities": Activity,
    "feedback": Feedback,
}


def _first(job: _FileImport, record: dict[str, Any], number: int) -> bool:
    """The first time this activity or feedback appears in the file: by its external_id,
    or, for rows the export gave none, by its content."""
    key = record["external_id"]
    if key.startswith(CONTENT_KEY_PREFIXES):
        return job.first_copy(record, number)
    return job.first_time(key, number, "external_id", key)
