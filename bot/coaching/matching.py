"""Mentor pairing by evidence: reps credibly strong in a skill are matched with reps for whom
that skill is a priority gap, optimally for the total expected benefit (an assignment
problem over mentor slots, not a greedy pass). Pure: candidates in, pairs out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.analytics.catalog import WIN_RATE

DEFAULT_CAPACITY = 2
PRIORITY_GAPS = 2  # a skill is a mentee's priority when it is one of their top gaps
SAME_SEGMENT_BONUS = 1.2
# Shared working hours between two timezones: full weight within 3 hours, less beyond.
TIMEZONE_WEIGHTS: tuple[tuple[float, float], ...] = ((3, 1.0), (6, 0.7), (9, 0.4))
FAR_TIMEZONE_WEIGHT = 0.2


@dataclass(frozen=True)
class Mentee:
    rep_id: int
    gaps: dict[str, float]  # priority skill -> revenue at stake a quarter
    utc_offset: float  # hours, at the time of matching
    segment: str | None
    manager_id: int | None


@dataclass(frozen=True)
class Mentor:
    rep_id: int
    strengths: dict[str, float]  # skill -> how far ahead of peers, as a share (0.25 = 25%)
    utc_offset: float
    segment: str | None
    capacity: int = DEFAULT_CAPACITY


@dataclass(frozen=True)
class Pair:
    mentor_id: int
    mentee_id: int
    skill: str
    benefit: float


def may_mentor(assessment: dict[str, Any]) -> bool:
    """A rep who credibly trails their peers' win rate mentors no one, whatever their other
    strengths: colleagues learn from reps who win, and a strength measured on deals the rep
    then loses is no model (docs/methodology.md, "Mentors")."""
    return not any(
        e.get("metric") == WIN_RATE and e.get("verdict") == "gap"
        for e in assessment.get("comparisons", [])
    )


def priority_gaps(assessment: dict[str, Any]) -> dict[str, float]:
    """The skills a rep is offered mentoring in: their top measured gaps. A diagnostic
    finding (a win-rate gap whose cause is unknown) names where coaching starts, not a
    measured weakness, so it is not matched to anyone's strength."""
    gaps = [g for g in assessment.get("gaps", []) if not g.get("diagnostic")]
    return {g["skill"]: float(g["revenue_at_stake"]) for g in gaps[:PRIORITY_GAPS]}


def timezone_weight(a: float, b: float) -> float:
    gap = abs(a - b)
    gap = min(gap, 24 - gap)
    for hours, weight in TIMEZONE_WEIGHTS:
        if gap <= hours:
            return weight
    return FAR_TIMEZONE_WEIGHT


def benefit(mentor: Mentor, mentee: Mentee, skill: str) -> float:
    """Expected benefit of a pairing on one skill: the mentee's revenue at stake in it, scaled
    by how strong the mentor is, how many working hours they share and a common segment.
    Zero when the mentor is not strong in the skill."""
    if skill not in mentor.strengths or skill not in mentee.gaps:
        return 0.0
    same_segment = mentor.segment is not None and mentor.segment == mentee.segment
    return (
        max(mentee.gaps[skill], 1.0)
        * (1 + mentor.strengths[skill])
        * timezone_weight(mentor.utc_offset, mentee.utc_offset)
        * (SAME_SEGMENT_BONUS if same_segment else 1.0)
    )


def best_skill(
    mentor: Mentor,
    mentee: Mentee,
    excluded: frozenset[tuple[int, int, str]] | set[tuple[int, int, str]],
    allow_own_manager: bool,
) -> tuple[str | None, float]:
    """The skill this mentor would best help this mentee with, and the benefit (0: none)."""
    if mentor.rep_id == mentee.rep_id or (
        not allow_own_manager and mentor.rep_id == mentee.manager_id
    ):
        return None, 0.0
    options = [
        (benefit(mentor, mentee, skill), skill)
        for skill in sorted(mentee.gaps)
        if (mentor.rep_id, mentee.rep_id, skill) not in excluded
    ]
    gain, skill = max(options, default=(0.0, None))
    return (skill, gain) if gain > 0 else (None, 0.0)


def match(
    mentors: Iterable[Mentor],
    mentees: Iterable[Mentee],
    excluded: frozenset[tuple[int, int, str]] | set[tuple[int, int, str]] = frozenset(),
    allow_own_manager: bool = True,
) -> list[Pair]:
    """The pairing that maximises total benefit: each mentee gets at most one mentor (on the
    skill that mentor helps most with), each mentor at most `capacity` mentees in all.
    `excluded` holds (mentor, mentee, skill) triples not to propose again (declined)."""
    mentees = list(mentees)
    slots = [mentor for mentor in mentors for _ in range(max(mentor.capacity, 0))]
    if not slots or not mentees:
        return []
    gains = np.zeros((len(mentees), len(slots)))
    skills: dict[tuple[int, int], str] = {}
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(slots):
            skill, gain = best_skill(mentor, mentee, excluded, allow_own_manager)
            if skill is not None:
                gains[i, j] = gain
                skills[(i, j)] = skill
    rows, cols = linear_sum_assignment(gains, maximize=True)
    return [
        Pair(slots[j].rep_id, mentees[i].rep_id, skills[(i, j)], round(float(gains[i, j]), 2))
        for i, j in zip(rows, cols, strict=True)
        if gains[i, j] > 0
    ]


def total_benefit(pairs: Iterable[Pair]) -> float:
    return sum(p.benefit for p in pairs)
