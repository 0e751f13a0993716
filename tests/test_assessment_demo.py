"""The demo org's planted patterns, found where examples/README.md says they are.

The whole path runs: CSV import into the test database (SQLite or PostgreSQL), loading
frames, the assessment, and the stored snapshots.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.analytics import catalog as c
from bot.coaching.assessment import Assessment, AssessmentConfig, Status
from bot.config import Settings
from bot.demo.generate import DEMO_AS_OF
from bot.demo.run import DEMO_FILES
from bot.services.assessments import run_assessments
from bot.store.engine import Database
from bot.store.models import AssessmentSnapshot
from tests.conftest import fresh_database
from tests.helpers import run

EXAMPLES = Path(__file__).parents[1] / "examples"
NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(database_backend, tmp_path_factory) -> dict[str, Assessment]:
    from bot.clock import FixedClock

    url = fresh_database(database_backend, tmp_path_factory.mktemp("demo"))
    db = Database.from_url(url)
    try:
        run(db, Settings(database_url=url), FixedClock(NOW), *(EXAMPLES / f for f in DEMO_FILES))
        result = run_assessments(db, "T0TEST", DEMO_AS_OF, NOW, AssessmentConfig())
        with db.begin() as session:
            stored = session.scalar(select(func.count()).select_from(AssessmentSnapshot))
    finally:
        db.dispose()
    assert stored == len(result.assessments) == 30
    return {a.name: a for a in result.assessments}


def _gap(assessment: Assessment, skill: str):
    return next(g for g in assessment.gaps if g.skill == skill)


def _metric(finding, metric: str):
    return next(e for e in finding.evidence if e.metric == metric)


def test_weak_discovery_is_the_top_gap_with_its_evidence(demo) -> None:
    tyler = demo["Tyler Brooks"]
    assert tyler.gaps[0].skill == "discovery"
    gap = tyler.gaps[0]
    conversion = _metric(gap, c.conversion_name("discovery", "qualification"))
    assert conversion.value < 0.4 and conversion.benchmark > 0.65
    assert conversion.sample_size >= 30 and conversion.benchmark_sample_size > 200
    assert conversion.interval[1] < conversion.benchmark
    assert gap.revenue_at_stake > 0
    feedback = next(e for e in gap.evidence if e.kind == "feedback")
    assert feedback.value <= 2.5 and feedback.notes


def test_weak_negotiation_is_the_top_gap(demo) -> None:
    jasmine = demo["Jasmine Patel"]
    gap = jasmine.gaps[0]
    assert gap.skill == "negotiation"
    assert _metric(gap, c.conversion_name("negotiation", "won")).value < 0.45
    discount = _metric(gap, c.DISCOUNT)
    assert discount.value > 20 and discount.benchmark < 10


def test_single_threaded_rep_gets_stakeholder_engagement(demo) -> None:
    marcus = demo["Marcus Greene"]
    gap = marcus.gaps[0]
    assert gap.skill == "stakeholder_engagement"
    multithreaded = _metric(gap, c.MULTITHREADED)
    assert multithreaded.value < 0.2 and multithreaded.benchmark > 0.8
    assert any(e.metric == c.loss_reason_name("lost_champion") for e in gap.evidence)


def test_improving_and_declining_reps(demo) -> None:
    assert demo["Aisha Bello"].trend.direction == "improving"
    assert demo["Greg Novak"].trend.direction == "declining"
    assert demo["Aisha Bello"].trend.low > 0 and demo["Greg Novak"].trend.high < 0


def test_new_hire_gets_not_enough_data_yet(demo) -> None:
    lena = demo["Lena Fischer"]
    assert lena.status == Status.NOT_ENOUGH_DATA
    assert lena.gaps == () and lena.strengths == ()
    assert lena.trend.direction == "not_enough_data"


@pytest.mark.parametrize("name", ["Priya Raman", "Diego Alvarez"])
def test_top_performers_show_strengths_and_no_gaps(demo, name: str) -> None:
    top = demo[name]
    assert top.gaps == ()
    assert len(top.strengths) >= 2
    win_rate = next(e for e in top.comparisons if e.metric == c.WIN_RATE)
    assert win_rate.value > win_rate.benchmark + 0.15
    # Both edges hold against the peers' own uncertainty, even on Priya's 29 closed deals.
    assert win_rate.verdict == "strength"


def test_ordinary_reps_are_mostly_left_alone(demo) -> None:
    planted = {"Tyler Brooks", "Jasmine Patel", "Marcus Greene", "Greg Novak", "Lena Fischer"}
    flagged = [
        name
        for name, a in demo.items()
        if name not in planted and any(g.revenue_at_stake > 0 for g in a.gaps)
    ]
    # Ordinary reps have small random tilts; a few may be credible but none is large.
    assert len(flagged) <= 8, flagged
    for name in flagged:
        assert demo[name].revenue_at_stake < demo["Tyler Brooks"].revenue_at_stake


def test_every_finding_explains_itself(demo) -> None:
    for assessment in demo.values():
        for finding in (*assessment.gaps, *assessment.strengths):
            assert finding.evidence, (assessment.name, finding.skill)
            for item in finding.evidence:
                assert item.label and item.sample_size > 0
                if item.kind == "metric":
                    assert item.benchmark is not None and item.benchmark_sample_size
