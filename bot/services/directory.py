"""The Slack directory sync: people from the CRM roster matched to Slack users by email, up
front, so nudges, digests and reviews reach them before they ever type `/coach`.

Small rosters are looked up one email at a time (users.lookupByEmail, Tier 3: paced at
COACHBOT_SLACK_LOOKUP_RATE); large ones read the workspace's member list instead
(users.list, 200 a page), which costs one call per 200 members instead of one per person.
Each person's result is committed as it comes, oldest check first, so a sync that is stopped
(a crash, a deploy, the call budget) resumes where it left off on its next run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery import slack_api
from bot.delivery.pacing import SendGate
from bot.delivery.slack_api import Refused
from bot.render.sentences import sentence, sentences_by_code
from bot.services import people
from bot.store.engine import Database
from bot.store.models import Delivery, Person

# Matched people are looked up again weekly: Slack may have deactivated them meanwhile.
RECHECK_MATCHED = timedelta(days=7)
# Past this many lookups one users.list pass is cheaper (a page holds 200 members).
LIST_WHEN_MORE_THAN = 100
LIST_PAGE_SIZE = 200


class DirectoryError(RuntimeError):
    """Slack refused the lookups for a reason retrying will not fix; says the fix."""


@dataclass(frozen=True)
class PersonRef:
    person_id: int
    name: str
    email: str
    role: str
    slack_user_id: str | None


@dataclass
class SyncReport:
    """What one sync found. `matched`, `deactivated` and `reactivated` are changes made by this
    run; `unmatched` is everyone active still without a Slack account after it."""

    method: str  # "lookup" (one call per person), "list" (users.list pages) or "none"
    checked: int = 0
    matched: list[PersonRef] = field(default_factory=list)
    deactivated: list[PersonRef] = field(default_factory=list)
    reactivated: list[PersonRef] = field(default_factory=list)
    unmatched: list[PersonRef] = field(default_factory=list)
    newly_unmatched: list[PersonRef] = field(default_factory=list)  # looked up for the first time
    active: int = 0  # active people in the CRM data
    on_slack: int = 0  # of them, matched and not deactivated, after the run
    left: int = 0  # people due a lookup that the call budget left for the next run

    @property
    def changed(self) -> bool:
        """Worth telling an admin: someone new matched, went missing or was deactivated."""
        return bool(self.matched or self.deactivated or self.reactivated or self.newly_unmatched)


def due_for_lookup(session: Session, workspace_id: int, now: datetime) -> list[Person]:
    """Active people to look up, never-checked first, then the longest unchecked: everyone
    without a Slack id, and matched people whose last check is older than a week."""
    people = session.scalars(
        select(Person).where(Person.workspace_id == workspace_id, Person.active.is_(True))
    ).all()
    due = [
        p
        for p in people
        if p.slack_user_id is None
        or p.slack_checked_at is None
        or now - p.slack_checked_at >= RECHECK_MATCHED
    ]
    return sorted(due, key=lambda p: (p.slack_checked_at is not None, p.slack_checked_at, p.id))


def sync(
    db: Database,
    client: Any,
    workspace_id: int,
    now: datetime,
    lookup_rate: float,
    max_calls: int | None = None,
    gate: SendGate | None = None,
) -> SyncReport:
    """Match this workspace's people to Slack by email; see the module doc. `max_calls`
    bounds the Slack calls of one run (None: all that are due); `gate` paces the lookups
    (by default at `lookup_rate` per second, in real time)."""
    with db.begin() as session:
        due = [(p.id, p.email) for p in due_for_lookup(session, workspace_id, now)]
    if not due:
        report = SyncReport("none")
    elif len(due) > LIST_WHEN_MORE_THAN:
        report = SyncReport("list")
        members = _members_by_email(client, max_calls)
        if members is None:  # the budget ran out before the whole list was read
            report.left = len(due)
        else:
            for person_id, email in due:
                _apply(db, workspace_id, person_id, members.get(email), now, report)
    else:
        report = SyncReport("lookup")
        gate = gate or SendGate(lookup_rate)
        budget = len(due) if max_calls is None else min(max_calls, len(due))
        for person_id, email in due[:budget]:
            gate.acquire()
            _apply(db, workspace_id, person_id, _lookup(client, email), now, report)
        report.left = len(due) - budget
    _summarise(db, workspace_id, report)
    return report


def unmatched(db: Database, workspace_id: int) -> list[PersonRef]:
    """Active people with no Slack account found, by name: `coachbot people unmatched`."""
    with db.begin() as session:
        people = session.scalars(
            select(Person)
            .where(
                Person.workspace_id == workspace_id,
                Person.active.is_(True),
                Person.slack_user_id.is_(None),
            )
            .order_by(Person.name)
        ).all()
        return [_ref(p) for p in people]


WELCOME = "welcome"  # the delivery kind of the one welcome each person gets


def welcome_due(db: Database, workspace_id: int) -> list[PersonRef]:
    """Reps and managers reachable on Slack who have not been welcomed yet."""
    welcomed = select(Delivery.recipient).where(
        Delivery.workspace_id == workspace_id, Delivery.kind == WELCOME, Delivery.status == "sent"
    )
    with db.begin() as session:
        found = session.scalars(
            select(Person)
            .where(
                Person.workspace_id == workspace_id,
                Person.role.in_(("rep", "manager")),
                people.reachable_on_slack(),
                Person.slack_user_id.not_in(welcomed),
            )
            .order_by(Person.id)
        ).all()
        return [_ref(p) for p in found]


def admin_slack_ids(db: Database, workspace_id: int, settings: Settings) -> list[str]:
    """Who hears about the sync: people with the admin role, and COACHBOT_ADMINS (by Slack
    id, or by email when that person is matched)."""
    with db.begin() as session:
        found = session.scalars(
            select(Person).where(Person.workspace_id == workspace_id, people.reachable_on_slack())
        ).all()
        ids = {
            p.slack_user_id
            for p in found
            if p.slack_user_id and (p.role == "admin" or settings.is_admin(None, p.email))
        }
    ids |= {entry for entry in settings.admins if entry[:1] in ("U", "W")}
    return sorted(ids)


def _lookup(client: Any, email: str) -> dict[str, Any] | None:
    try:
        return slack_api.user_by_email(client, email)
    except Refused as refused:
        raise _refused(refused) from refused


def _members_by_email(client: Any, max_calls: int | None) -> dict[str, dict[str, Any]] | None:
    members: dict[str, dict[str, Any]] = {}
    for calls, page in enumerate(_member_pages(client), start=1):
        for member in page:
            email = ((member.get("profile") or {}).get("email") or "").lower()
            if email and not member.get("is_bot"):
                members[email] = member
        if max_calls is not None and calls >= max_calls:
            return None
    return members


def _member_pages(client: Any) -> Iterator[list[dict[str, Any]]]:
    try:
        yield from slack_api.member_pages(client, LIST_PAGE_SIZE)
    except Refused as refused:
        raise _refused(refused) from refused


def _refused(refused: Refused) -> DirectoryError:
    code, method = refused.code, refused.method
    # Refusals no retry heals: the sync stops and says what the admin must fix.
    fixes = sentences_by_code("directory_fixes")
    fix = fixes.get(code or "", sentence("directory_fix_unknown"))
    return DirectoryError(sentence("slack_refused", method=method, code=code, fix=fix))


def _apply(
    db: Database,
    workspace_id: int,
    person_id: int,
    user: dict[str, Any] | None,
    now: datetime,
    report: SyncReport,
) -> None:
    """One person's result, committed on its own (what makes a stopped sync resumable)."""
    with db.begin() as session:
        person = session.get(Person, person_id)
        if person is None or person.workspace_id != workspace_id:
            return  # removed by an import meanwhile
        first_check = person.slack_checked_at is None
        person.slack_checked_at = now
        report.checked += 1
        if user is None:
            if person.slack_user_id is None and first_check:
                report.newly_unmatched.append(_ref(person))
            return
        if user.get("deleted"):
            person.slack_user_id = person.slack_user_id or user["id"]  # found, not missing
            if not person.slack_deactivated:
                person.slack_deactivated = True
                report.deactivated.append(_ref(person))
            return
        if person.slack_deactivated:
            person.slack_deactivated = False
            report.reactivated.append(_ref(person))
        if person.slack_user_id != user["id"]:
            newly = person.slack_user_id is None
            person.slack_user_id = user["id"]
            if newly:
                report.matched.append(_ref(person))
        if not person.timezone and user.get("tz"):
            person.timezone = user["tz"]  # the CRM gave none: send at their Slack hour


def _summarise(db: Database, workspace_id: int, report: SyncReport) -> None:
    with db.begin() as session:
        people = session.scalars(
            select(Person).where(Person.workspace_id == workspace_id, Person.active.is_(True))
        ).all()
        report.unmatched = sorted(
            (_ref(p) for p in people if p.slack_user_id is None), key=lambda r: r.name
        )
        report.active = len(people)
        report.on_slack = sum(1 for p in people if p.slack_user_id and not p.slack_deactivated)


def _ref(person: Person) -> PersonRef:
    return PersonRef(person.id, person.name, person.email, person.role, person.slack_user_id)
