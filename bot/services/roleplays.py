"""Role-plays through their life: started from the rep's own deals, played in a DM thread,
scored when they end, closed politely when abandoned. Finished sessions count as practice
time on the rep's active plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from sqlalchemy import select

from bot.coaching import roleplay
from bot.coaching.assessment import AssessmentConfig
from bot.coaching.rubric import Item, score
from bot.coaching.scenarios import Scenario, build_scenario
from bot.render.formats import money
from bot.render.sentences import sentence
from bot.services.assessments import current_payloads
from bot.services.frames import deals_frame
from bot.services.visibility import Viewer
from bot.store.engine import Database
from bot.store.locks import locked
from bot.store.models import (
    AssessmentSnapshot,
    CoachingPlan,
    CoachingSession,
    Deal,
    Person,
    RoleplaySession,
)
from bot.vocabulary import SKILLS

CONTENT = Path(__file__).resolve().parents[2] / "templates" / "content" / "coaching.yml"
IDLE_MINUTES = 30
HISTORY_DAYS = 365
DEFAULT_SKILL = "objection_handling"


class RoleplayError(ValueError):
    """A role-play action that cannot be done; the message says why in user terms."""


@cache
def content(path: Path = CONTENT) -> dict[str, Any]:
    """The enablement team's content (templates/content/coaching.yml), read once."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Started:
    session_id: int
    scenario: Scenario
    buyer: str
    resources: list[dict[str, Any]]


@dataclass(frozen=True)
class Answered:
    session_id: int
    buyer: str | None
    finished: bool
    scores: list[Item]
    score: int | None
    exemplar: str | None
    exercise: str | None
    resources: list[dict[str, Any]]


def start(
    db: Database,
    viewer: Viewer,
    skill: str | None,
    today: date,
    now: datetime,
    config: AssessmentConfig,
) -> Started:
    """A new role-play for the viewer (a rep), on `skill` or their top gap; an unfinished one
    is stopped first, so a rep has one at a time."""
    if not viewer.known or viewer.workspace_id is None or viewer.person_id is None:
        raise RoleplayError(sentence("roleplay_needs_a_known_rep"))
    if skill is None:
        payload = current_payloads(db, viewer.team_id, [viewer.person_id], today, now, config)
        gaps = payload.get(viewer.person_id, {}).get("gaps", [])
        skill = gaps[0]["skill"] if gaps else DEFAULT_SKILL
    if skill not in SKILLS:
        raise RoleplayError(sentence("unknown_skill", skill=skill))
    library = content()
    scenario = rep_scenario(db, viewer.workspace_id, viewer.person_id, skill, today)
    opened = roleplay.start(scenario, library)
    with db.begin() as session:
        # The rep's row lock: of two Start clicks at once, the second stops the first's.
        locked(session, Person, viewer.person_id)
        for old in session.scalars(_active(viewer.workspace_id, viewer.person_id)):
            old.status, old.finished_at = "stopped", now
        row = RoleplaySession(
            workspace_id=viewer.workspace_id,
            rep_id=viewer.person_id,
            skill=skill,
            status="active",
            state=roleplay.to_dict(opened.state),
            started_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        session_id = row.id
    return Started(session_id, scenario, opened.buyer or "", resources_for(skill))


def rep_scenario(db: Database, workspace_id: int, rep_id: int, skill: str, today: date) -> Scenario:
    """The scenario the rep's own deals of the last year make for `skill`: the industry,
    product, competitor and objection that most often cost them deals. Role-plays play it;
    coaching content fills its placeholders from it."""
    since = today - timedelta(days=HISTORY_DAYS)
    with db.begin() as session:
        mine = deals_frame(session, workspace_id, rep_id, since)
    return build_scenario(rep_id, mine, skill, content())


def attach_thread(db: Database, session_id: int, channel: str, thread_ts: str) -> None:
    with db.begin() as session:
        row = session.get(RoleplaySession, session_id)
        assert row is not None
        row.channel, row.thread_ts = channel, thread_ts


def session_for_thread(db: Database, viewer: Viewer, channel: str, thread_ts: str) -> int | None:
    """The viewer's role-play played in this DM thread, if any (finished ones included)."""
    if viewer.workspace_id is None or viewer.person_id is None:
        return None
    with db.begin() as session:
        return session.scalar(
            select(RoleplaySession.id).where(
                RoleplaySession.workspace_id == viewer.workspace_id,
                RoleplaySession.rep_id == viewer.person_id,
                RoleplaySession.channel == channel,
                RoleplaySession.thread_ts == thread_ts,
            )
        )


def answer(db: Database, viewer: Viewer, session_id: int, text: str, now: datetime) -> Answered:
    """The rep's answer in the thread: the buyer's reaction, or the scorecard at the end."""
    library = content()
    with db.begin() as session:
        row = session.get(RoleplaySession, session_id)
        if row is None or row.rep_id != viewer.person_id:
            raise RoleplayError(sentence("roleplay_not_yours"))
        if row.status != "active":
            finished = row.status == "finished"
            raise RoleplayError(sentence("roleplay_over", finished=finished))
        result = roleplay.reply(roleplay.from_dict(row.state), text, library)
        row.state = roleplay.to_dict(result.state)
        row.updated_at = now
        total = score(result.scores) if result.scores else None
        if result.state.finished:
            row.status = "stopped" if result.state.outcome == "stopped" else "finished"
            row.finished_at = now
            row.scores = [vars(i) for i in result.scores]
            row.score = total
            _count_as_practice(session, row, now)
        scenario = result.state.scenario
    finished = result.state.finished
    return Answered(
        session_id,
        result.buyer,
        finished,
        result.scores,
        total,
        roleplay.exemplar(scenario, library) if finished else None,
        roleplay.fill(library["skills"][scenario.skill]["exercise"], scenario)
        if finished
        else None,
        resources_for(scenario.skill) if finished else [],
    )


def close_idle(
    db: Database, workspace_id: int, now: datetime, idle_minutes: int = IDLE_MINUTES
) -> list[dict[str, Any]]:
    """The workspace's role-plays nobody answered for `idle_minutes`: closed, returned for a
    polite message."""
    cutoff = now - timedelta(minutes=idle_minutes)
    closed = []
    with db.begin() as session:
        rows = session.scalars(
            select(RoleplaySession).where(
                RoleplaySession.workspace_id == workspace_id,
                RoleplaySession.status == "active",
                RoleplaySession.updated_at < cutoff,
            )
        ).all()
        for row in rows:
            row.status, row.finished_at = "abandoned", now
            closed.append(
                {
                    "id": row.id,
                    "rep_id": row.rep_id,
                    "channel": row.channel,
                    "thread_ts": row.thread_ts,
                }
            )
    return closed


def scenario_of(db: Database, session_id: int) -> Scenario:
    with db.begin() as session:
        row = session.get(RoleplaySession, session_id)
        assert row is not None
        return roleplay.from_dict(row.state).scenario


def resources_for(skill: str) -> list[dict[str, Any]]:
    return [r for r in content()["resources"] if r["skill"] == skill]


def _active(workspace_id: int, rep_id: int) -> Any:
    return select(RoleplaySession).where(
        RoleplaySession.workspace_id == workspace_id,
        RoleplaySession.rep_id == rep_id,
        RoleplaySession.status == "active",
    )


def _count_as_practice(session: Any, row: RoleplaySession, now: datetime) -> None:
    """A finished role-play is practice time on the rep's active plan (the cost side of the
    return on coaching counts the rep's time too)."""
    plan = session.scalar(
        select(CoachingPlan).where(
            CoachingPlan.workspace_id == row.workspace_id,
            CoachingPlan.rep_id == row.rep_id,
            CoachingPlan.status == "active",
        )
    )
    if plan is None:
        return
    minutes = max(5, min(60, round((now - row.started_at).total_seconds() / 60)))
    session.add(
        CoachingSession(
            plan_id=plan.id, kind="roleplay", minutes=minutes, held_on=now.date(), logged_by=None
        )
    )


EXEMPLAR_CALLS = 2


def exemplar_calls(
    db: Database, workspace_id: int, rep_id: int, scenario: Scenario, today: date
) -> list[dict[str, str]]:
    """Recordings of won deals like this scenario's, by reps strong in its skill (their latest
    assessment names it a strength), same industry first. Never the rep's own deals."""
    since = today - timedelta(days=HISTORY_DAYS)
    with db.begin() as session:
        snapshots = session.execute(
            select(AssessmentSnapshot.person_id, AssessmentSnapshot.payload)
            .where(
                AssessmentSnapshot.workspace_id == workspace_id, AssessmentSnapshot.as_of > since
            )
            .order_by(AssessmentSnapshot.as_of)
        ).all()
        latest = {row.person_id: row.payload for row in snapshots}
        strong = [
            person
            for person, payload in latest.items()
            if person != rep_id
            and any(s["skill"] == scenario.skill for s in payload.get("strengths", []))
        ]
        if not strong:
            return []
        deals = session.execute(
            select(Deal.account, Deal.industry, Deal.product, Deal.amount, Deal.recording_url)
            .where(
                Deal.workspace_id == workspace_id,
                Deal.owner_id.in_(strong),
                Deal.outcome == "won",
                Deal.recording_url.is_not(None),
                Deal.closed_on > since,
            )
            .order_by(Deal.closed_on.desc())
        ).all()
    ranked = sorted(
        deals, key=lambda d: (d.industry != scenario.industry, d.product != scenario.product)
    )
    return [
        {
            "title": _exemplar_title(d.account, d.industry, d.product, d.amount),
            "url": quote(d.recording_url, safe=":/?#[]@!$&'()*+,;=%~"),
        }
        for d in ranked[:EXEMPLAR_CALLS]
    ]


def _exemplar_title(
    account: str | None, industry: str | None, product: str | None, amount: Any
) -> str:
    """'Won: Globex (manufacturing, Suite, $42k)', leaving out what the CRM left empty."""
    details = [(industry or "").replace("_", " "), product or "", money(amount)]
    return f"Won: {account or 'a customer'} ({', '.join(d for d in details if d)})"
