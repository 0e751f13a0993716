"""Assessment snapshots: one per rep and as-of date; a rerun replaces, a new date adds."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.coaching.assessment import AssessmentConfig
from bot.services.assessments import run_assessments, snapshot_history
from bot.store.models import AssessmentSnapshot
from tests.helpers import TEAM, run, write_org


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
