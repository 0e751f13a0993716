"""Benchmarks and targets other systems send (a forecasting system, sales operations), per
team, segment or the whole workspace and metric: a batch is written all or nothing, listed
and deleted one at a time. Assessments show them beside the peer value (the pure side is
bot/coaching/external.py); every write re-runs today's assessments so they show at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, union
from sqlalchemy.orm import Session

from bot.coaching.external import metric_units
from bot.config import Settings
from bot.ingest.upsert import upsert
from bot.render.sentences import sentence
from bot.store.engine import Database
from bot.store.models import Deal, ExternalBenchmark, Person
from bot.store.workspaces import mark_crm_changed
from bot.vocabulary import BENCHMARK_KINDS, BENCHMARK_SCOPES

MAX_NAMES_SHOWN = 20  # known teams or segments named in a refusal
KEY = ("workspace_id", "kind", "metric", "scope", "scope_value")


@dataclass(frozen=True)
class BenchmarkRecord:
    """One benchmark or target as sent: `value` in the metric's unit (pct as 0-1)."""

    kind: str
    metric: str
    scope: str
    scope_value: str
    value: float
    source: str
    valid_from: date | None = None


@dataclass(frozen=True)
class RecordProblem:
    record: int  # index in the batch, 0 first
    field: str
    value: str | None
    expected: str


class BenchmarksRefused(Exception):
    """The batch has problems; nothing was written."""

    def __init__(self, problems: list[RecordProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True)
class Written:
    items: list[dict[str, Any]]  # the batch as stored, in the order sent
    created: int
    updated: int


@dataclass(frozen=True)
class BenchmarkPage:
    items: list[dict[str, Any]]
    next_after: int | None  # the last id of this page, when there are more


def write_benchmarks(
    db: Database,
    settings: Settings,
    workspace_id: int,
    records: Sequence[BenchmarkRecord],
    now: datetime,
) -> Written:
    """Insert or update the batch (a benchmark is keyed by kind, metric, scope and scope
    value), all or nothing: any problem refuses the whole batch with every problem named."""
    with db.begin() as session:
        problems = _problems(session, settings, workspace_id, records)
        if problems:
            raise BenchmarksRefused(problems)
        keys = [_key(workspace_id, r) for r in records]
        existing = set(_stored(session, workspace_id)) & set(keys)
        rows = [
            {
                "workspace_id": workspace_id,
                "kind": r.kind,
                "metric": r.metric,
                "scope": r.scope,
                "scope_value": r.scope_value,
                "value": float(r.value),
                "source": r.source.strip(),
                "valid_from": r.valid_from,
                "updated_at": now,
            }
            for r in records
        ]
        upsert(
            session,
            ExternalBenchmark.__table__,
            rows,
            key=KEY,
            update=["value", "source", "valid_from", "updated_at"],
        )
        stored = _stored(session, workspace_id)
        items = [as_dict(stored[key]) for key in keys]
        mark_crm_changed(session, workspace_id)  # the next read assesses with them
    return Written(items, created=len(keys) - len(existing), updated=len(existing))


def benchmark_page(db: Database, workspace_id: int, after: int, limit: int) -> BenchmarkPage:
    """The workspace's benchmarks and targets with id above `after`, in id order."""
    with db.begin() as session:
        rows = list(
            session.scalars(
                select(ExternalBenchmark)
                .where(ExternalBenchmark.workspace_id == workspace_id, ExternalBenchmark.id > after)
                .order_by(ExternalBenchmark.id)
                .limit(limit + 1)
            )
        )
        items = [as_dict(row) for row in rows[:limit]]
    return BenchmarkPage(items, rows[limit - 1].id if len(rows) > limit else None)


def delete_benchmark(db: Database, workspace_id: int, benchmark_id: int) -> dict[str, Any] | None:
    """Delete one benchmark or target and return it as it was; None when this workspace has
    none with that id (another workspace's is None too)."""
    with db.begin() as session:
        row = session.scalar(
            select(ExternalBenchmark).where(
                ExternalBenchmark.workspace_id == workspace_id,
                ExternalBenchmark.id == benchmark_id,
            )
        )
        if row is None:
            return None
        deleted = as_dict(row)
        session.execute(delete(ExternalBenchmark).where(ExternalBenchmark.id == row.id))
        mark_crm_changed(session, workspace_id)
    return deleted


def as_dict(row: ExternalBenchmark) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "metric": row.metric,
        "scope": row.scope,
        "scope_value": row.scope_value,
        "value": row.value,
        "source": row.source,
        "valid_from": row.valid_from,
        "updated_at": row.updated_at,
    }


def _problems(
    session: Session, settings: Settings, workspace_id: int, records: Sequence[BenchmarkRecord]
) -> list[RecordProblem]:
    units = metric_units(settings.stages)
    known = {"team": _teams(session, workspace_id), "segment": _segments(session, workspace_id)}
    problems: list[RecordProblem] = []
    seen: set[tuple[str, str, str, str]] = set()
    for index, r in enumerate(records):

        def refuse(field: str, value: Any, expected: str, index: int = index) -> None:
            shown = None if value is None else str(value)
            problems.append(RecordProblem(index, field, shown, expected))

        if r.kind not in BENCHMARK_KINDS:
            refuse("kind", r.kind, sentence("benchmark_kind_expected", kinds=BENCHMARK_KINDS))
        if r.metric not in units:
            refuse("metric", r.metric, sentence("benchmark_metric_expected", metrics=list(units)))
        if r.scope not in BENCHMARK_SCOPES:
            refuse("scope", r.scope, sentence("benchmark_scope_expected", scopes=BENCHMARK_SCOPES))
        elif r.scope == "workspace" and r.scope_value:
            refuse("scope_value", r.scope_value, sentence("benchmark_workspace_scope_value"))
        elif r.scope != "workspace" and r.scope_value not in known[r.scope]:
            names = sorted(known[r.scope])
            expected = sentence(
                "benchmark_scope_value_expected",
                scope=r.scope,
                names=names[:MAX_NAMES_SHOWN],
                more=max(0, len(names) - MAX_NAMES_SHOWN),
            )
            refuse("scope_value", r.scope_value, expected)
        unit = units.get(r.metric)
        if unit == "pct" and not 0 <= r.value <= 1:
            refuse("value", r.value, sentence("benchmark_share_expected"))
        elif unit is not None and unit != "pct" and r.value < 0:
            refuse("value", r.value, sentence("benchmark_not_negative"))
        if not r.source.strip():
            refuse("source", r.source, sentence("benchmark_source_expected"))
        key = (r.kind, r.metric, r.scope, r.scope_value)
        if key in seen:
            refuse("metric", r.metric, sentence("benchmark_sent_twice"))
        seen.add(key)
    return problems


def _teams(session: Session, workspace_id: int) -> set[str]:
    query = select(Person.team).where(Person.workspace_id == workspace_id, Person.team.is_not(None))
    return {team for team in session.scalars(query.distinct()) if team}


def _segments(session: Session, workspace_id: int) -> set[str]:
    """Segments named in the people import or on deals: either is how a CRM names them."""
    people = select(Person.segment.label("segment")).where(
        Person.workspace_id == workspace_id, Person.segment.is_not(None)
    )
    deals = select(Deal.segment.label("segment")).where(
        Deal.workspace_id == workspace_id, Deal.segment.is_not(None)
    )
    return {segment for segment in session.scalars(union(people, deals)) if segment}


def _key(workspace_id: int, record: BenchmarkRecord) -> tuple[int, str, str, str, str]:
    return (workspace_id, record.kind, record.metric, record.scope, record.scope_value)


def _stored(
    session: Session, workspace_id: int
) -> dict[tuple[int, str, str, str, str], ExternalBenchmark]:
    """The workspace's rows by key: a workspace keeps a few per metric and scope, so all of
    them are read rather than a thousand keys matched in SQL."""
    query = select(ExternalBenchmark).where(ExternalBenchmark.workspace_id == workspace_id)
    return {
        (row.workspace_id, row.kind, row.metric, row.scope, row.scope_value): row
        for row in session.scalars(query.execution_options(populate_existing=True))
    }
