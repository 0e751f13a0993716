"""Loading a workspace's CRM tables into pandas frames for the pure analytics."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.analytics.metrics import CrmData
from bot.store.models import Activity, Deal, Feedback, Person, StageEvent


def _frame(session: Session, query: Select) -> pd.DataFrame:
    result = session.execute(query)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


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


def deals_frame(session: Session, workspace_id: int) -> pd.DataFrame:
    query = select(
        Deal.id,
        Deal.external_id,
        Deal.owner_id,
        Deal.account,
        Deal.industry,
        Deal.segment,
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
        Deal.recording_url,
    ).where(Deal.workspace_id == workspace_id)
    frame = _frame(session, query)
    # Money is exact in the database; analytics work in floats.
    frame["amount"] = frame["amount"].astype(float)
    frame["discount_pct"] = pd.to_numeric(frame["discount_pct"], errors="coerce").astype(float)
    return frame


def stage_events_frame(session: Session, workspace_id: int) -> pd.DataFrame:
    query = select(StageEvent.deal_id, StageEvent.stage, StageEvent.entered_on).where(
        StageEvent.workspace_id == workspace_id
    )
    return _frame(session, query)


def activities_frame(session: Session, workspace_id: int) -> pd.DataFrame:
    query = select(
        Activity.id,
        Activity.owner_id,
        Activity.deal_id,
        Activity.kind,
        Activity.occurred_at,
        Activity.duration_minutes,
    ).where(Activity.workspace_id == workspace_id)
    frame = _frame(session, query)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame


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
