"""Loading a workspace's CRM tables into pandas frames for the pure analytics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
from sqlalchemy import Select, String, select, type_coerce
from sqlalchemy.orm import Session

from bot.analytics.metrics import CrmData
from bot.coaching.external import ExternalFigure
from bot.store.models import Activity, Deal, ExternalBenchmark, Feedback, Person, StageEvent
from bot.vocabulary import ACTIVITY_KINDS

CHUNK_ROWS = 200_000


def _frame(
    session: Session, query: Select, compact: Callable[[pd.DataFrame], pd.DataFrame] | None = None
) -> pd.DataFrame:
    """Rows streamed in chunks, each made compact before the next is read: loading five
    million activities must not hold five million row objects at once."""
    result = session.execute(query.execution_options(stream_results=True, yield_per=CHUNK_ROWS))
    columns = list(result.keys())
    parts = []
    for rows in result.partitions():
        part = pd.DataFrame.from_records(rows, columns=columns)
        parts.append(compact(part) if compact else part)
    if not parts:
        empty = pd.DataFrame(columns=columns)
        return compact(empty) if compact else empty
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def people_frame(session: Session, workspace_id: int) -> pd.DataFrame:
    query = select(
        Person.id,
        Person.email,
        Person.name,
        Person.role,
        Person.manager_id,
        Person.team,
        Person.region,
        Person.segment,
        Person.timezone,
        Person.slack_user_id,
        Person.hire_date,
        Person.active,
    ).where(Person.workspace_id == workspace_id)
    frame = _frame(session, query)
    frame["active"] = frame["active"].astype(bool)
    return frame


def deals_frame(
    session: Session,
    workspace_id: int,
    owner_id: int | None = None,
    created_after: date | None = None,
) -> pd.DataFrame:
    """The deal columns the analytics use (names, accounts and links stay in the database);
    one owner's, created after a date, when given (read in SQL, not filtered in memory)."""
    query = select(
        Deal.id,
        Deal.owner_id,
        Deal.industry,
        Deal.product,
        Deal.amount,
        Deal.currency,
        Deal.created_on,
        Deal.closed_on,
        Deal.furthest_stage,
        Deal.outcome,
        Deal.loss_reason,
        Deal.competitor,
        Deal.contacts_engaged,
        Deal.discount_pct,
    ).where(Deal.workspace_id == workspace_id)
    if owner_id is not None:
        query = query.where(Deal.owner_id == owner_id)
    if created_after is not None:
        query = query.where(Deal.created_on > created_after)

    def compact(part: pd.DataFrame) -> pd.DataFrame:
        # Money is exact in the database; analytics work in floats.
        part["amount"] = part["amount"].astype(float)
        part["discount_pct"] = pd.to_numeric(part["discount_pct"], errors="coerce").astype(float)
        part["contacts_engaged"] = pd.to_numeric(part["contacts_engaged"], errors="coerce")
        return part

    return _frame(session, query, compact)


def stage_events_frame(session: Session, workspace_id: int) -> pd.DataFrame:
    query = select(StageEvent.deal_id, StageEvent.stage, StageEvent.entered_on).where(
        StageEvent.workspace_id == workspace_id
    )
    return _frame(session, query)


def activities_frame(session: Session, workspace_id: int) -> pd.DataFrame:
    # The instant is read as stored (UTC) and converted by pandas in bulk, not row by row.
    query = select(
        Activity.owner_id,
        Activity.deal_id,
        Activity.kind,
        type_coerce(Activity.occurred_at, String).label("occurred_at"),
        Activity.duration_minutes,
    ).where(Activity.workspace_id == workspace_id)

    def compact(part: pd.DataFrame) -> pd.DataFrame:
        part["owner_id"] = part["owner_id"].astype("int64")
        part["deal_id"] = pd.to_numeric(part["deal_id"], errors="coerce").astype("float64")
        part["kind"] = pd.Categorical(part["kind"], categories=list(ACTIVITY_KINDS))
        part["occurred_at"] = pd.to_datetime(part["occurred_at"], utc=True, format="ISO8601")
        part["duration_minutes"] = pd.to_numeric(part["duration_minutes"], errors="coerce").astype(
            "float32"
        )
        return part

    return _frame(session, query, compact)


def feedback_frame(session: Session, workspace_id: int) -> pd.DataFrame:
    query = select(
        Feedback.id,
        Feedback.about_id,
        Feedback.author,
        Feedback.author_id,
        Feedback.source,
        Feedback.skill,
        Feedback.rating,
        Feedback.note,
        Feedback.given_on,
    ).where(Feedback.workspace_id == workspace_id)
    return _frame(session, query)


def load_crm_data(session: Session, workspace_id: int) -> CrmData:
    """Every CRM table of one workspace, as the pure analytics take them."""
    return CrmData(
        people=people_frame(session, workspace_id),
        deals=deals_frame(session, workspace_id),
        stage_events=stage_events_frame(session, workspace_id),
        activities=activities_frame(session, workspace_id),
        feedback=feedback_frame(session, workspace_id),
    )


def external_figures(session: Session, workspace_id: int) -> list[ExternalFigure]:
    """The benchmarks and targets other systems sent, as the assessment takes them."""
    query = select(ExternalBenchmark).where(ExternalBenchmark.workspace_id == workspace_id)
    return [
        ExternalFigure(
            metric=row.metric,
            kind=row.kind,
            scope=row.scope,
            scope_value=row.scope_value,
            value=row.value,
            source=row.source,
            valid_from=row.valid_from,
        )
        for row in session.scalars(query.order_by(ExternalBenchmark.id))
    ]
