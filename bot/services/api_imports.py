"""CRM records sent through the API (people, deals, stage events, activities, feedback): one
batch of one kind, checked and written like a CSV file of that kind, all or nothing.

After a write the workspace's assessments are stale (the import bumps its CRM version), so
the next assessment read computes them again from the new data; nothing is assessed here, as
a large workspace takes minutes and a neighbouring system may send batch after batch. New
people are matched to their Slack accounts by the nightly directory sync, which holds the
Slack client; the CSV upload in Slack matches them at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.ingest.batch_import import run_records_import
from bot.ingest.problems import ImportRejected, ProblemLog
from bot.store.engine import Database


class RecordsRefused(Exception):
    """The batch had problems and nothing was written. `problems` are the first ones, word
    for word, as {record, field, value, expected}; `total` counts them all."""

    def __init__(self, problems: list[dict[str, Any]], total: int) -> None:
        super().__init__(total)
        self.problems = problems
        self.total = total


def import_records(
    db: Database,
    settings: Settings,
    team_id: str,
    kind: str,
    records: Sequence[Mapping[str, Any]],
    clock: Clock,
) -> dict[str, Any]:
    """Write the batch into the workspace of `team_id`: how many records came, how many were
    new and how many updated what was there. Raises RecordsRefused."""
    try:
        report = run_records_import(db, settings, team_id, kind, records, clock)
    except ImportRejected as rejected:
        raise RecordsRefused(plain_problems(rejected.log), rejected.log.total) from None
    return {
        "kind": kind,
        "received": len(records),
        "created": report.created,
        "updated": report.updated,
    }


def plain_problems(log: ProblemLog) -> list[dict[str, Any]]:
    """The problems the log kept, in record order: the record's index (None: the request as
    a whole), the field, the value as sent and what was expected."""
    shown = sorted(log.shown, key=lambda p: -1 if p.row is None else p.row)
    return [
        {
            "record": problem.row,
            "field": problem.field or problem.column,
            "value": problem.value,
            "expected": problem.expected,
        }
        for problem in shown
    ]
