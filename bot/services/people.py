"""Queries about people: who someone is, and who reports to whom. Take a session, never commit."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from bot.store.models import Person


def reachable_on_slack() -> ColumnElement[bool]:
    """Active, matched to a Slack user, and not deactivated in Slack: who jobs may message."""
    return and_(
        Person.active.is_(True),
        Person.slack_user_id.is_not(None),
        Person.slack_deactivated.is_(False),
    )


def by_slack_id(session: Session, workspace_id: int, slack_user_id: str) -> Person | None:
    return session.scalar(
        select(Person).where(
            Person.workspace_id == workspace_id, Person.slack_user_id == slack_user_id
        )
    )


def by_email(session: Session, workspace_id: int, email: str) -> Person | None:
    return session.scalar(
        select(Person).where(Person.workspace_id == workspace_id, Person.email == email.lower())
    )


def by_id(session: Session, workspace_id: int, person_id: int) -> Person | None:
    """A person, only if they belong to this workspace."""
    return session.scalar(
        select(Person).where(Person.workspace_id == workspace_id, Person.id == person_id)
    )


def reports_under(session: Session, workspace_id: int, manager_id: int) -> list[Person]:
    """Everyone below a manager in the hierarchy (direct and indirect), by name."""
    people = session.scalars(select(Person).where(Person.workspace_id == workspace_id)).all()
    children: dict[int, list[Person]] = {}
    for person in people:
        if person.manager_id is not None:
            children.setdefault(person.manager_id, []).append(person)
    found: dict[int, Person] = {}
    stack = [manager_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child.id not in found and child.id != manager_id:
                found[child.id] = child
                stack.append(child.id)
    return sorted(found.values(), key=lambda p: p.name)


def line_managers(
    session: Session, workspace_id: int, person_ids: list[int]
) -> dict[int, tuple[int | None, str | None]]:
    """Each person's direct manager: {person id: (manager id, manager name)}."""
    found = session.execute(
        select(Person.id, Person.manager_id).where(
            Person.workspace_id == workspace_id, Person.id.in_(person_ids)
        )
    ).all()
    manager_ids = {m for _, m in found if m is not None}
    names = dict(
        session.execute(
            select(Person.id, Person.name).where(
                Person.workspace_id == workspace_id, Person.id.in_(manager_ids)
            )
        ).all()
    )
    return {pid: (mid, names.get(mid) if mid is not None else None) for pid, mid in found}
