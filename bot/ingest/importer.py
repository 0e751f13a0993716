"""`coachbot import`: check every file, write all of them in one transaction, or nothing.

This module reads each file's header, picks its kind and mapping and reports every problem
it can find before writing anything (the plan); `bot.ingest.file_import` then imports each
planned file's rows, with the writers of `bot.ingest.writers`. Records sent to the API take the
same road from their plan on (`bot.ingest.batch_import`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.clock import Clock
from bot.config import Settings
from bot.ingest.csvfile import CsvFile
from bot.ingest.file_import import FileImport, RowSource
from bot.ingest.kinds import KINDS, Kind, ReadContext, detect_kind
from bot.ingest.mapping import Mapping, load_mapping, native, preset
from bot.ingest.problems import ImportRejected, Problem, ProblemLog
from bot.store.engine import Database
from bot.store.workspaces import mark_crm_changed, workspace_id_for
from bot.vocabulary import RECORD_KINDS


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
class FilePlan:
    """A file whose header checked out: its kind, its mapping and where each column goes."""

    source: RowSource
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
    write_plans(db, settings, request.team_id, plans, clock, request.progress)
    return [plan.report for plan in plans]


def write_plans(
    db: Database,
    settings: Settings,
    team_id: str,
    plans: list[FilePlan],
    clock: Clock,
    progress: bool = False,
) -> None:
    """Import every planned source in one transaction; raise ImportRejected (database
    unchanged) when any row has a problem."""
    context = ReadContext(
        stages=settings.stages, zone=settings.zone, default_currency=settings.currency
    )
    log = ProblemLog()
    now = clock.now()
    with db.begin() as session:
        workspace_id = workspace_id_for(session, team_id, now)
        for plan in plans:
            FileImport(session, workspace_id, plan, context, log, now, progress).run()
        if log:
            # Leaving the block by an exception rolls the whole import back.
            raise ImportRejected(log)
        # The assessments computed until now no longer describe the data: the next read
        # assesses again (bot/services/assessments.py fresh_snapshots).
        mark_crm_changed(session, workspace_id)


def _plan(path: Path, mapping: Mapping, request: ImportRequest, log: ProblemLog) -> FilePlan | None:
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
    return None if missing else FilePlan(csv_file, kind, mapping, targets, report, sources)


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
