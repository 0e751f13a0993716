"""Assessment snapshots: one per rep and as-of date; a rerun replaces, a new date adds."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.coaching.assessment import AssessmentConfig
from bot.services.assessments import current_payloads, run_assessments, snapshot_history
from bot.store.models import AssessmentSnapshot, Person
from tests.helpers import DEALS_CSV, TEAM, run, write, write_org


def test_snapshots_are_kept_per_date_and_replaced_on_rerun(db, settings, clock, tmp_path) -> None:
    run(db, settings, clock, *write_org(tmp_path))
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    config = AssessmentConfig()

    run_assessments(db, TEAM, date(2026, 4, 1), now, config)
    run_assessments(db, TEAM, date(2026, 4, 1), now, config)
    run_assessments(db, TEAM, date(2026, 5, 1), now, config)

    with db.begin() as session:
        rows = session.scalars(select(AssessmentSnapshot)).all()
        assert len(rows) == 4  # 2 reps x 2 dates
        ann = next(r for r in rows if r.payload["email"] == "ann@acme.example")
        history = snapshot_history(session, TEAM, ann.person_id)
    assert [h.as_of for h in history] == [date(2026, 4, 1), date(2026, 5, 1)]
    latest = history[-1]
    assert latest.status == "not_enough_data" and latest.closed_deals == 2
    assert latest.win_rate == 0.5 and latest.top_gap is None
    assert latest.payload["as_of"] == "2026-05-01"


def test_an_import_makes_the_snapshots_before_it_stale(db, settings, clock, tmp_path) -> None:
    """A CSV import or an API write bumps the workspace's CRM version: the snapshots computed
    from the data before are no longer served, and the next read assesses again, even on the
    same day (and at the same instant: no clock is compared)."""
    run(db, settings, clock, *write_org(tmp_path))
    today, config = date(2026, 5, 1), AssessmentConfig()
    with db.begin() as session:
        ann = session.scalar(select(Person.id).where(Person.email == "ann@acme.example"))
    first = current_payloads(db, TEAM, [ann], today, clock.now(), config)[ann]
    assert first["closed_deals"] == 2
    assert current_payloads(db, TEAM, [ann], today, clock.now(), config) == {ann: first}

    more = (
        "D-9,ann@acme.example,Hooli,software,mid_market,Suite,5000,USD,2026-03-01,2026-04-20,,won\n"
    )
    run(db, settings, clock, write(tmp_path, "deals.csv", DEALS_CSV + more))
    again = current_payloads(db, TEAM, [ann], today, clock.now(), config)[ann]
    assert again["closed_deals"] == 3
    with db.begin() as session:
        rows = session.scalars(
            select(AssessmentSnapshot).where(AssessmentSnapshot.person_id == ann)
        )
        assert [(r.as_of, r.crm_version) for r in rows] == [(today, 2)]  # replaced, not added
