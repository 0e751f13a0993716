"""The demo org's feedback: manager and peer ratings every month, win/loss interviews after
some closed deals, as rows of feedback.csv."""

from __future__ import annotations

import random
from datetime import date, timedelta

from bot.demo import content
from bot.demo import patterns as pat
from bot.demo.patterns import RepProfile, email_for
from bot.demo.world import COLUMNS, Row, SimulatedDeal, World
from bot.vocabulary import SKILLS

Feedback = tuple[date, str, str, str, str, int, str]  # given, about, author, source, skill, ...


def _rating(rep: RepProfile, skill: str, progress: float, rng: random.Random) -> int:
    if rep.skill_trend:
        first, last = rep.skill_trend
        mean = first + (last - first) * progress
    else:
        mean = rep.skill_means[skill]
    return min(5, max(1, round(rng.gauss(mean, 0.5))))


def _band(rating: int) -> str:
    return "low" if rating <= 2 else "mid" if rating == 3 else "high"


def _feedback_skill(rep: RepProfile, choices: tuple[str, ...], rng: random.Random) -> str:
    # A manager keeps coming back to the weakness; so do buyers who felt it.
    weak = pat.WEAK_SKILL.get(rep.pattern)
    if weak and weak in choices and rng.random() < 0.55:
        return weak
    return rng.choice(choices)


def _internal_feedback(rep: RepProfile, peers: list[str], world: World) -> list[Feedback]:
    """Two manager ratings a month (about the weakness, for weak reps) and some peer notes."""
    rng, events = world.rng, []
    month = world.start.replace(day=1)
    while month <= world.as_of:
        for source in ("manager", "manager", "peer"):
            if source == "peer" and rng.random() > 0.3:
                continue
            given = month + timedelta(days=rng.randint(14, 27))
            given = min(given - timedelta(days=max(0, given.weekday() - 4)), world.as_of)
            if given < max(world.start, world.hires[rep.name] + timedelta(days=21)):
                continue
            if source == "manager":
                skill, author = _feedback_skill(rep, SKILLS, rng), email_for(rep.team.manager)
            else:
                skill, author = rng.choice(content.PEER_SKILLS), rng.choice(peers)
            rating = _rating(rep, skill, world.progress(given), rng)
            notes = content.MANAGER_NOTES[skill] if source == "manager" else content.PEER_NOTES
            note = rng.choice(notes[_band(rating)])
            events.append((given, rep.email, author, source, skill, rating, note))
        month = (month + timedelta(days=32)).replace(day=1)
    return events


def _customer_feedback(deal: SimulatedDeal, closed: date, world: World) -> Feedback:
    """A win/loss interview: buyers who signed are kinder."""
    rng = world.rng
    given = min(world.as_of, closed + timedelta(days=rng.randint(3, 20)))
    skill = _feedback_skill(deal.rep, tuple(content.CUSTOMER_NOTES), rng)
    rating = _rating(deal.rep, skill, world.progress(given), rng)
    rating = min(5, rating + 1) if deal.outcome == "won" else rating
    author = f"{rng.choice(content.CUSTOMER_CONTACTS)} at {deal.account[0]}"
    note = rng.choice(content.CUSTOMER_NOTES[skill][_band(rating)])
    return (given, deal.rep.email, author, "customer", skill, rating, note)


def feedback_rows(
    profiles: list[RepProfile], deals: list[SimulatedDeal], world: World
) -> list[Row]:
    events: list[Feedback] = []
    for rep in profiles:
        peers = [p.email for p in profiles if p.team == rep.team and p.name != rep.name]
        events += _internal_feedback(rep, peers, world)
    for deal in deals:
        if deal.closed is not None and world.rng.random() < 0.03:
            events.append(_customer_feedback(deal, deal.closed, world))
    events.sort(key=lambda e: (e[0], e[1], e[3], e[4]))
    return [
        dict(zip(COLUMNS["feedback"], (f"F-{n:05d}", *_feedback_cells(e)), strict=True))
        for n, e in enumerate(events, 1)
    ]


def _feedback_cells(event: Feedback) -> tuple[str, ...]:
    given, about, author, source, skill, rating, note = event
    return (about, author, source, skill, str(rating), note, given.isoformat())
