"""The rep's trend chart on their App Home.

Slack shows an uploaded file in a view only to people the file was shared with, so the Home
shows the chart coachbot last shared in the rep's own DM (never one sent to their manager),
referenced by its file id. Nothing is uploaded for the Home itself: opening the Home must not
post files into the DM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from bot.services.visibility import Viewer
from bot.store.engine import Database
from bot.store.models import Person

# A chart older than this says little about this month: the Home leaves it out.
SHOWN_FOR = timedelta(days=35)
# Slack scans a new file before blocks may show it; a refusal in this time is not a reason to
# forget the chart.
SETTLING = timedelta(minutes=10)


@dataclass(frozen=True)
class HomeChart:
    file_id: str
    drawn_at: datetime
    alt_text: str


def remember(db: Database, viewer: Viewer, file_id: str, alt_text: str, now: datetime) -> None:
    """The chart just shared in the viewer's own DM becomes their Home chart."""
    if viewer.workspace_id is None or viewer.person_id is None:
        return
    with db.begin() as session:
        session.execute(
            update(Person)
            .where(Person.workspace_id == viewer.workspace_id, Person.id == viewer.person_id)
            .values(home_chart_file_id=file_id, home_chart_at=now, home_chart_alt=alt_text)
        )


def current(db: Database, viewer: Viewer, now: datetime) -> HomeChart | None:
    if viewer.workspace_id is None or viewer.person_id is None:
        return None
    with db.begin() as session:
        person = session.get(Person, viewer.person_id)
        if person is None or person.workspace_id != viewer.workspace_id:
            return None
        file_id, drawn_at = person.home_chart_file_id, person.home_chart_at
        if file_id is None or drawn_at is None or now - drawn_at > SHOWN_FOR:
            return None
        return HomeChart(file_id, drawn_at, person.home_chart_alt or "")


def forget(db: Database, viewer: Viewer, chart: HomeChart, now: datetime) -> bool:
    """Slack refused the file (the rep deleted it): stop showing it. Only this file, and only
    once it has settled; a newer chart remembered meanwhile stays. True when forgotten."""
    if viewer.workspace_id is None or viewer.person_id is None or now - chart.drawn_at < SETTLING:
        return False
    with db.begin() as session:
        result = session.execute(
            update(Person)
            .where(
                Person.workspace_id == viewer.workspace_id,
                Person.id == viewer.person_id,
                Person.home_chart_file_id == chart.file_id,
            )
            .values(home_chart_file_id=None, home_chart_at=None, home_chart_alt=None)
        )
        return bool(result.rowcount)
