"""Pairing rounds: mentors strong in a skill invited for reps who need it, answers to the
invitations, expiries that pass the mentee to the next best mentor, and peer groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.coaching.assessment import AssessmentConfig
from bot.coaching.matching import (
    DEFAULT_CAPACITY,
    Mentee,
    Mentor,
    match,
    may_mentor,
    priority_gaps,
)
from bot.render.sentences import sentence
from bot.services.assessments import current_payloads
from bot.services.outcomes import already_done
from bot.services.roleplays import content
from bot.services.visibility import Viewer, visible_reports
from bot.store.engine import Database
from bot.store.models import Pairing, PeerGroup, Person
from bot.store.workspaces import require_workspace_id

EXPIRY_DAYS = 5
OPEN_STATUSES = ("invited", "accepted")
GROUP_MIN, GROUP_MAX = 3, 5
SESSIONS = 3  # 30 minutes every other week for six weeks
SESSION_EVERY_DAYS = 14


class PairingError(ValueError):
    """A pairing action that cannot be done; the message says why in user terms."""


@dataclass(frozen=True)
class Round:
    invited: list[int]  # new pairing ids
    groups: list[int]  # new peer group ids


def run_round(
    db: Database,
    team_id: str,
    today: date,
    now: datetime,
    config: AssessmentConfig,
    capacity: int = DEFAULT_CAPACITY,
    expiry_days: int = EXPIRY_DAYS,
    only_mentees: set[int] | None = None,
) -> Round:
    """Invite the best available mentors for every rep with a priority gap and no open
    pairing (or only those in `only_mentees`), and form peer groups for shared gaps."""
    workspace_id = _workspace(db, team_id)
    with db.begin() as session:
        people = {
            p.id: p
            for p in session.scalars(
                select(Person).where(
                    Person.workspace_id == workspace_id,
                    Person.role == "rep",
                    Person.active.is_(True),
                )
            )
        }
        existing = session.scalars(
            select(Pairing).where(Pairing.workspace_id == workspace_id)
        ).all()
        facts = {
            p.id: (p.timezone, p.segment, p.manager_id, p.mentor_opt_out, p.peer_groups_opt_out)
            for p in people.values()
        }
    payloads = current_payloads(db, team_id, list(people), today, now, config)
    load: dict[int, int] = {}
    busy_mentees: set[int] = set()
    excluded: set[tuple[int, int, str]] = set()
    for pairing in existing:
        if pairing.status in OPEN_STATUSES:
            load[pairing.mentor_id] = load.get(pairing.mentor_id, 0) + 1
            busy_mentees.add(pairing.mentee_id)
        if pairing.status in ("declined", "expired"):
            excluded.add((pairing.mentor_id, pairing.mentee_id, pairing.skill))
    mentors, mentees = _candidates(
        payloads, facts, load, busy_mentees, capacity, today, only_mentees
    )
    pairs = match(mentors, mentees, excluded)
    invited = []
    with db.begin() as session:
        for pair in pairs:
            row = Pairing(
                workspace_id=workspace_id,
                skill=pair.skill,
                mentor_id=pair.mentor_id,
                mentee_id=pair.mentee_id,
                status="invited",
                benefit=pair.benefit,
                evidence=_strength_evidence(payloads.get(pair.mentor_id, {}), pair.skill),
                invited_on=today,
                expires_on=today + timedelta(days=expiry_days),
                created_at=now,
            )
            session.add(row)
            session.flush()
            invited.append(row.id)
    groups = [] if only_mentees else _form_groups(db, workspace_id, payloads, facts, today)
    return Round(invited, groups)


def _candidates(
    payloads: dict[int, dict[str, Any]],
    facts: dict[int, tuple[str | None, str | None, int | None, bool, bool]],
    load: dict[int, int],
    busy: set[int],
    capacity: int,
    today: date,
    only: set[int] | None,
) -> tuple[list[Mentor], list[Mentee]]:
    mentors, mentees = [], []
    for rep_id, payload in payloads.items():
        timezone, segment, manager_id, opted_out, _no_groups = facts[rep_id]
        offset = _utc_offset(timezone, today)
        strengths = {
            s["skill"]: max(float(s["priority"]), 0.05) for s in payload.get("strengths", [])
        }
        free = capacity - load.get(rep_id, 0)
        if strengths and not opted_out and free > 0 and may_mentor(payload):
            mentors.append(Mentor(rep_id, strengths, offset, segment, free))
        gaps = priority_gaps(payload)
        if gaps and rep_id not in busy and (only is None or rep_id in only):
            mentees.append(Mentee(rep_id, gaps, offset, segment, manager_id))
    return mentors, mentees


def _utc_offset(timezone: str | None, today: date) -> float:
    zone = ZoneInfo(timezone or "UTC")
    offset = datetime(today.year, today.month, today.day, 12, tzinfo=zone).utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


def _strength_evidence(payload: dict[str, Any], skill: str) -> list[dict[str, Any]]:
    """Why this mentor: their measured strength in the skill (their own numbers only)."""
    for strength in payload.get("strengths", []):
        if strength["skill"] == skill:
            return [
                {k: e.get(k) for k in ("label", "unit", "value", "benchmark", "sample_size")}
                for e in strength["evidence"]
                if e["kind"] == "metric"
            ][:3]
    return []


def respond(db: Database, viewer: Viewer, pairing_id: int, accept: bool, now: datetime) -> Pairing:
    """The invited mentor accepts or declines. A guarded transition: of two clicks at once
    (Accept twice, or Accept and Decline) the first wins and the other is told what was
    decided, so an introduction or a next invitation follows from one answer only."""
    answer = "accepted" if accept else "declined"
    with db.begin() as session:
        pairing = session.get(Pairing, pairing_id)
        if pairing is None or pairing.workspace_id != viewer.workspace_id:
            raise PairingError(sentence("invitation_gone"))
        if pairing.mentor_id != viewer.person_id:
            raise PairingError(sentence("only_the_invited_mentor"))
        won = session.execute(
            update(Pairing)
            .where(Pairing.id == pairing_id, Pairing.status == "invited")
            .values(status=answer, responded_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    with db.begin() as session:
        pairing = session.get(Pairing, pairing_id)
        assert pairing is not None
        if won != 1:
            answered = sentence("invitation_already_answered", status=pairing.status)
            raise already_done(answered, pairing.responded_at)
        session.expunge(pairing)
        return pairing


def expire(db: Database, team_id: str, today: date, now: datetime) -> list[int]:
    """Invitations unanswered past their expiry date: expired. Returns their mentee ids (for a
    new round that invites the next best mentor)."""
    workspace_id = _workspace(db, team_id)
    with db.begin() as session:
        stale = session.scalars(
            select(Pairing).where(
                Pairing.workspace_id == workspace_id,
                Pairing.status == "invited",
                Pairing.expires_on < today,
            )
        ).all()
        for pairing in stale:
            pairing.status, pairing.responded_at = "expired", now
        return [p.mentee_id for p in stale]


def set_channel(db: Database, pairing_id: int, channel: str) -> None:
    with db.begin() as session:
        pairing = session.get(Pairing, pairing_id)
        assert pairing is not None
        pairing.channel = channel


def pairing_details(db: Database, pairing_id: int) -> dict[str, Any]:
    """A pairing with both people's names and Slack ids, for messages."""
    with db.begin() as session:
        pairing = session.get(Pairing, pairing_id)
        if pairing is None:
            raise PairingError(sentence("pairing_gone"))
        mentor = session.get(Person, pairing.mentor_id)
        mentee = session.get(Person, pairing.mentee_id)
        assert mentor is not None and mentee is not None
        return {
            "id": pairing.id,
            "skill": pairing.skill,
            "status": pairing.status,
            "mentor_id": mentor.id,
            "mentor_name": mentor.name,
            "mentor_slack_id": mentor.slack_user_id,
            "mentee_id": mentee.id,
            "mentee_name": mentee.name,
            "mentee_slack_id": mentee.slack_user_id,
            "mentee_manager_id": mentee.manager_id,
            "evidence": pairing.evidence,
            "invited_on": pairing.invited_on,
            "expires_on": pairing.expires_on,
            "channel": pairing.channel,
        }


def schedule(start: date) -> list[date]:
    """The pairing's sessions: the first a week after acceptance, then every other week."""
    first = start + timedelta(days=7)
    return [first + timedelta(days=SESSION_EVERY_DAYS * i) for i in range(SESSIONS)]


def set_opt_out(db: Database, viewer: Viewer, opted_out: bool) -> None:
    """No mentoring invitations for this person (or again, with False)."""
    _set_own(db, viewer, mentor_opt_out=opted_out)


def set_peer_groups_opt_out(db: Database, viewer: Viewer, opted_out: bool) -> None:
    """Not to be put in peer learning groups (or again, with False)."""
    _set_own(db, viewer, peer_groups_opt_out=opted_out)


def _set_own(db: Database, viewer: Viewer, **values: bool) -> None:
    if viewer.workspace_id is None or viewer.person_id is None:
        raise PairingError(sentence("unknown_viewer"))
    with db.begin() as session:
        person = session.get(Person, viewer.person_id)
        assert person is not None
        for name, value in values.items():
            setattr(person, name, value)


def _form_groups(
    db: Database,
    workspace_id: int,
    payloads: dict[int, dict[str, Any]],
    facts: dict[int, tuple[str | None, str | None, int | None, bool, bool]],
    today: date,
) -> list[int]:
    """Reps who share a priority gap, 3 to 5 a group, each led by the strongest willing rep in
    that skill; one set of active groups per skill at a time."""
    library = content()
    with db.begin() as session:
        active = set(
            session.scalars(
                select(PeerGroup.skill).where(
                    PeerGroup.workspace_id == workspace_id, PeerGroup.active.is_(True)
                )
            )
        )
    sharing: dict[str, list[int]] = {}
    leaders: dict[str, list[tuple[float, int]]] = {}
    for rep_id, payload in sorted(payloads.items()):
        if facts[rep_id][4]:  # the rep turned peer groups off
            continue
        for skill in priority_gaps(payload):
            sharing.setdefault(skill, []).append(rep_id)
        if not facts[rep_id][3] and may_mentor(payload):
            for strength in payload.get("strengths", []):
                leaders.setdefault(strength["skill"], []).append(
                    (float(strength["priority"]), rep_id)
                )
    created = []
    with db.begin() as session:
        for skill, members in sorted(sharing.items()):
            if skill in active or len(members) < GROUP_MIN or not leaders.get(skill):
                continue
            leader = max(leaders[skill])[1]
            members = [m for m in members if m != leader]
            for chunk in _chunks(members):
                group = PeerGroup(
                    workspace_id=workspace_id,
                    skill=skill,
                    leader_id=leader,
                    member_ids=chunk,
                    topic=library["skills"][skill]["summary"],
                    exercise=library["skills"][skill]["exercise"],
                    formed_on=today,
                )
                session.add(group)
                session.flush()
                created.append(group.id)
    return created


def _chunks(members: list[int]) -> list[list[int]]:
    """Groups of 3 to 5, as even as possible; fewer than 3 make no group."""
    if len(members) < GROUP_MIN:
        return []
    count = -(-len(members) // GROUP_MAX)  # ceiling
    size, extra = divmod(len(members), count)
    groups, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        groups.append(members[start:end])
        start = end
    return [g for g in groups if len(g) >= GROUP_MIN]


def group_details(db: Database, group_id: int) -> dict[str, Any]:
    with db.begin() as session:
        group = session.get(PeerGroup, group_id)
        assert group is not None
        people = {
            p.id: p
            for p in session.scalars(
                select(Person).where(Person.id.in_([group.leader_id, *group.member_ids]))
            )
        }
        return {
            "id": group.id,
            "skill": group.skill,
            "leader_name": people[group.leader_id].name,
            "leader_slack_id": people[group.leader_id].slack_user_id,
            "members": [
                {"name": people[m].name, "slack_id": people[m].slack_user_id}
                for m in group.member_ids
            ],
            "topic": group.topic,
            "exercise": group.exercise,
            "formed_on": group.formed_on,
        }


def set_group_channel(db: Database, group_id: int, channel: str) -> None:
    with db.begin() as session:
        group = session.get(PeerGroup, group_id)
        assert group is not None
        group.channel = channel


def open_pairings_visible_to(db: Database, viewer: Viewer) -> list[dict[str, Any]]:
    """Open pairings whose mentee the viewer may see: a manager's whole tree, at every level."""
    with db.begin() as session:
        mentees = visible_reports(session, viewer)
        rows = session.execute(
            select(Pairing.id)
            .where(
                Pairing.workspace_id == viewer.workspace_id,
                Pairing.mentee_id.in_(mentees),
                Pairing.status.in_(OPEN_STATUSES),
            )
            .order_by(Pairing.id)
        ).all()
    return [pairing_details(db, r.id) for r in rows]


def _workspace(db: Database, team_id: str) -> int:
    with db.begin() as session:
        workspace_id = require_workspace_id(session, team_id, PairingError)
    return workspace_id
