"""Native-format import: every kind round-trips, re-imports update instead of duplicating."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from bot.store.models import Activity, Deal, Feedback, Person, StageEvent
from tests.helpers import DEALS_CSV, run, snapshot, write, write_org


def _count(db, model) -> int:
    with db.begin() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_whole_org_round_trips(db, settings, clock, tmp_path: Path) -> None:
    reports = run(db, settings, clock, *write_org(tmp_path))

    assert [(r.kind, r.rows, r.created) for r in reports] == [
        ("people", 5, 5),
        ("deals", 4, 4),
        ("stage_history", 7, 7),
        ("activities", 4, 4),
        ("feedback", 3, 3),
    ]
    with db.begin() as session:
        people = {p.email: p for p in session.scalars(select(Person))}
        bob = people["bob@acme.example"]
        assert bob.manager_id == people["mia@acme.example"].id  # manager given by full name
        assert people["mia@acme.example"].manager_id == people["vp@acme.example"].id
        assert bob.timezone == "America/Chicago" and bob.slack_user_id is None
        assert bob.active is True and people["ann@acme.example"].hire_date == date(2022, 5, 2)
        assert people["ops@acme.example"].role == "admin"

        deals = {d.external_id: d for d in session.scalars(select(Deal))}
        won = deals["D-1"]
        assert won.owner_id == people["ann@acme.example"].id
        assert won.account == "Globex, Inc."
        assert won.amount == Decimal("42000.50") and won.currency == "USD"
        assert (won.created_on, won.closed_on) == (date(2026, 1, 5), date(2026, 3, 1))
        assert (won.furthest_stage, won.outcome) == ("negotiation", "won")
        assert won.contacts_engaged == 4 and won.discount_pct == Decimal("5.00")
        assert won.recording_url == "https://rec.example/1"
        assert deals["D-2"].owner_id == people["ann@acme.example"].id  # owner by full name
        assert deals["D-3"].account == "Müller GmbH" and deals["D-3"].closed_on is None
        assert deals["D-3"].currency == "EUR"
        assert deals["D-4"].furthest_stage is None  # unknown stays unknown
        assert deals["D-4"].currency == "USD"  # COACHBOT_CURRENCY default
        assert deals["D-4"].discount_pct == Decimal("12.50")
        assert deals["D-4"].competitor == "Contoso"

        stages = session.execute(select(StageEvent.stage).where(StageEvent.deal_id == won.id))
        assert len(stages.all()) == 5

        activities = {a.external_id: a for a in session.scalars(select(Activity))}
        assert activities["A-1"].occurred_at == datetime(2026, 1, 6, 15, 0, tzinfo=UTC)
        # No offset: read in COACHBOT_TIMEZONE (UTC in these settings).
        assert activities["A-2"].occurred_at == datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
        assert activities["A-3"].deal_id is None and activities["A-3"].duration_minutes is None
        assert activities["A-4"].occurred_at == datetime(2026, 2, 2, 15, 30, tzinfo=UTC)
        assert activities["A-4"].deal_id == deals["D-4"].id

        feedback = session.scalars(select(Feedback).order_by(Feedback.given_on)).all()
        customer = next(f for f in feedback if f.source == "customer")
        assert customer.author == "Dana Ruiz, CFO at Umbrella" and customer.author_id is None
        manager = next(f for f in feedback if f.note == "Held price well")
        assert manager.author_id == people["mia@acme.example"].id
        assert all(f.external_id for f in feedback)


def test_reimporting_the_same_files_changes_nothing(db, settings, clock, tmp_path) -> None:
    files = write_org(tmp_path)
    run(db, settings, clock, *files)
    before = snapshot(db)

    reports = run(db, settings, clock, *files)

    assert all(r.created == 0 and r.updated == r.rows for r in reports)
    after = snapshot(db)
    for table in ("people", "deals", "stage_events", "activities", "feedback"):
        assert len(after[table]) == len(before[table]), table


def test_an_updated_export_updates_rows_by_external_id(db, settings, clock, tmp_path) -> None:
    files = write_org(tmp_path)
    run(db, settings, clock, *files)
    updated = DEALS_CSV.replace(
        "D-3,bob@acme.example,Müller GmbH,manufacturing,mid_market,Add-on,9000,EUR,2026-03-10,,qualification,open",
        "D-3,bob@acme.example,Müller GmbH,manufacturing,mid_market,Add-on,9500,EUR,2026-03-10,2026-05-01,proposal,won",
    )
    updated += "D-5,ann@acme.example,Hooli,software,mid_market,Suite,5000,USD,2026-04-01,,prospecting,open,,,,,\n"

    [report] = run(db, settings, clock, write(tmp_path, "deals-v2.csv", updated))

    assert (report.created, report.updated) == (1, 4)
    assert _count(db, Deal) == 5
    with db.begin() as session:
        deal = session.scalar(select(Deal).where(Deal.external_id == "D-3"))
        assert (deal.outcome, deal.closed_on, deal.amount) == ("won", date(2026, 5, 1), 9500)
        assert deal.furthest_stage == "proposal"


def test_a_narrower_export_keeps_columns_it_does_not_have(db, settings, clock, tmp_path) -> None:
    run(db, settings, clock, *write_org(tmp_path))
    narrow = "external_id,owner,amount,created_on,closed_on,outcome\nD-1,ann@acme.example,43000,2026-01-05,2026-03-01,won\n"

    run(db, settings, clock, write(tmp_path, "narrow.csv", narrow))

    with db.begin() as session:
        deal = session.scalar(select(Deal).where(Deal.external_id == "D-1"))
        assert deal.amount == 43000
        assert deal.contacts_engaged == 4 and deal.furthest_stage == "negotiation"
        assert deal.account == "Globex, Inc."


def test_rows_without_an_id_are_keyed_by_content(db, settings, clock, tmp_path) -> None:
    files = write_org(tmp_path)
    run(db, settings, clock, *files)
    run(db, settings, clock, files[0], files[-1])

    assert _count(db, Feedback) == 3


def test_people_and_deals_can_come_in_separate_imports(db, settings, clock, tmp_path) -> None:
    people, deals, *_ = write_org(tmp_path)
    run(db, settings, clock, people)
    [report] = run(db, settings, clock, deals)
    assert report.created == 4


def test_files_are_imported_in_dependency_order(db, settings, clock, tmp_path) -> None:
    files = write_org(tmp_path)
    reports = run(db, settings, clock, *reversed(files))
    assert [r.kind for r in reports] == [
        "people",
        "deals",
        "stage_history",
        "activities",
        "feedback",
    ]
    assert _count(db, Activity) == 4


def test_excel_utf8_with_bom_crlf_and_semicolons(db, settings, clock, tmp_path) -> None:
    people = "\ufeffemail;name;role\r\nzoe@acme.example;Zoë Zimmer;rep\r\n"
    path = tmp_path / "excel.csv"
    path.write_bytes(people.encode("utf-8"))

    [report] = run(db, settings, clock, path)

    assert report.kind == "people" and report.created == 1
    with db.begin() as session:
        assert session.scalar(select(Person.name)) == "Zoë Zimmer"


def test_windows_1252_with_explicit_encoding(db, settings, clock, tmp_path) -> None:
    path = write(
        tmp_path, "cp.csv", "email,name,role\nrene@acme.example,René Café,rep\n".encode("cp1252")
    )
    run(db, settings, clock, path, encoding="cp1252")
    with db.begin() as session:
        assert session.scalar(select(Person.name)) == "René Café"


def test_quoted_fields_with_newlines_and_unknown_columns(db, settings, clock, tmp_path) -> None:
    people, *_ = write_org(tmp_path)
    run(db, settings, clock, people)
    feedback = (
        "about,source,rating,given_on,note,Sentiment Score\n"
        'ann@acme.example,peer,5,2026-04-01,"Great call.\nAsked about budget, timing.",0.9\n'
    )
    [report] = run(db, settings, clock, write(tmp_path, "fb.csv", feedback))
    assert report.ignored_columns == ["Sentiment Score"]
    with db.begin() as session:
        assert session.scalar(select(Feedback.note)) == "Great call.\nAsked about budget, timing."


def test_kind_can_be_forced(db, settings, clock, tmp_path) -> None:
    people = write(tmp_path, "p.csv", "email,name,role\nx@acme.example,X Y,rep\n")
    [report] = run(db, settings, clock, people, kind="people")
    assert report.kind == "people"


def test_progress_is_shown_on_request(db, settings, clock, tmp_path, capsys) -> None:
    run(db, settings, clock, *write_org(tmp_path), progress=True)
    shown = capsys.readouterr().err
    assert "deals.csv (deals)" in shown and "people.csv (people)" in shown
