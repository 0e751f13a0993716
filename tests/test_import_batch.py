"""A batch of JSON records imported as a native CSV file of its kind would be (the API's
writes call this): what it refuses without the API's models in front, and how values read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.ingest.batch_import import cell, run_records_import
from bot.ingest.problems import ImportRejected
from bot.store.models import Deal
from tests.helpers import TEAM, run, snapshot, write_org


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (42000, "42000"),
        (12500.5, "12500.5"),
        (1e20, "100000000000000000000"),  # never "1e+20", which no parser reads
        (Decimal("12.50"), "12.50"),
        (" as sent ", " as sent "),
    ],
)
def test_a_json_value_reads_as_the_cell_that_says_the_same(value, text) -> None:
    assert cell(value) == text


def test_fields_the_kind_lacks_and_nested_values_are_refused_by_record(
    db, settings, clock, tmp_path
) -> None:
    run(db, settings, clock, *write_org(tmp_path))
    before = snapshot(db)
    records = [
        {"deal": "D-1", "stage": "proposal", "entered_on": "2026-02-10"},
        {"deal": "D-1", "stage": "proposal", "entered_on": "2026-02-10", "colour": "red"},
        {"deal": ["D-1"], "stage": "proposal", "entered_on": "2026-02-10"},
    ]
    with pytest.raises(ImportRejected) as refused:
        run_records_import(db, settings, TEAM, "stage_history", records, clock)
    assert [(p.row, p.column, p.expected) for p in refused.value.log.shown] == [
        (1, "colour", "a field of stage_history: deal, stage, entered_on"),
        (2, "deal", "a text, a number or true/false"),
    ]
    with pytest.raises(ImportRejected) as unknown:
        run_records_import(db, settings, TEAM, "opportunities", records[:1], clock)
    (problem,) = unknown.value.log.shown
    assert problem.row is None and problem.value == "opportunities"
    assert snapshot(db) == before


def test_a_batch_updates_by_key_and_reports_its_counts(db, settings, clock, tmp_path) -> None:
    run(db, settings, clock, *write_org(tmp_path))
    deals = [
        {"external_id": "D-3", "owner": "Bob Baker", "amount": 9500, "created_on": "2026-03-10", "outcome": "open"},
        {"external_id": "D-9", "owner": "ann@acme.example", "amount": "USD 1,200.00", "created_on": "2026-05-01", "stage": "won", "closed_on": "2026-06-01"},
    ]  # fmt: skip
    report = run_records_import(db, settings, TEAM, "deals", deals, clock)
    assert (report.rows, report.created, report.updated) == (2, 1, 1)
    with db.begin() as session:
        stored = dict(session.execute(select(Deal.external_id, Deal.amount)).all())
        # A field no record sent keeps what the CSV import stored.
        account = session.scalar(select(Deal.account).where(Deal.external_id == "D-3"))
    assert stored["D-3"] == Decimal("9500.00") and stored["D-9"] == Decimal("1200.00")
    assert account == "Müller GmbH"
