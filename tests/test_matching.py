"""Mentor matching is optimal (checked against brute force), respects capacity and
exclusions, and prefers shared hours and segments."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.matching import (
    Mentee,
    Mentor,
    benefit,
    best_skill,
    match,
    timezone_weight,
    total_benefit,
)

SKILLS = ("discovery", "negotiation", "stakeholder_engagement")


def brute_force(
    mentors: list[Mentor], mentees: list[Mentee], excluded=frozenset(), allow_own_manager=True
) -> float:
    """Best total benefit over every assignment of mentees to mentors (or to nobody)."""
    best = 0.0
    choices = [None, *range(len(mentors))]
    for assignment in itertools.product(choices, repeat=len(mentees)):
        load = [0] * len(mentors)
        total = 0.0
        feasible = True
        for mentee, choice in zip(mentees, assignment, strict=True):
            if choice is None:
                continue
            load[choice] += 1
            if load[choice] > mentors[choice].capacity:
                feasible = False
                break
            _skill, gain = best_skill(mentors[choice], mentee, excluded, allow_own_manager)
            total += gain
        if feasible:
            best = max(best, total)
    return best


mentor_strategy = st.builds(
    Mentor,
    rep_id=st.integers(1, 8),
    strengths=st.dictionaries(
        st.sampled_from(SKILLS), st.floats(0.05, 1.0), min_size=1, max_size=2
    ),
    utc_offset=st.sampled_from([-8.0, -5.0, 0.0, 1.0, 5.5]),
    segment=st.sampled_from(["smb", "mid_market", None]),
    capacity=st.integers(0, 2),
)
mentee_strategy = st.builds(
    Mentee,
    rep_id=st.integers(1, 8),
    gaps=st.dictionaries(st.sampled_from(SKILLS), st.floats(0, 100_000), min_size=1, max_size=2),
    utc_offset=st.sampled_from([-8.0, -5.0, 0.0, 1.0, 5.5]),
    segment=st.sampled_from(["smb", "mid_market", None]),
    manager_id=st.none(),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(mentor_strategy, min_size=1, max_size=3),
    st.lists(mentee_strategy, min_size=1, max_size=4),
)
def test_the_assignment_is_optimal(mentors, mentees) -> None:
    pairs = match(mentors, mentees)
    assert total_benefit(pairs) == pytest.approx(brute_force(mentors, mentees), rel=1e-6, abs=0.05)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(mentor_strategy, min_size=1, max_size=3),
    st.lists(mentee_strategy, min_size=1, max_size=4),
)
def test_capacity_self_and_one_mentor_per_mentee(mentors, mentees) -> None:
    pairs = match(mentors, mentees)
    capacity = {}
    for mentor in mentors:
        capacity[mentor.rep_id] = capacity.get(mentor.rep_id, 0) + mentor.capacity
    for mentor_id in {p.mentor_id for p in pairs}:
        assert sum(p.mentor_id == mentor_id for p in pairs) <= capacity[mentor_id]
    assert all(p.mentor_id != p.mentee_id for p in pairs)
    assert all(p.benefit > 0 for p in pairs)


def test_a_greedy_choice_would_be_worse() -> None:
    # One mentor slot each. Greedy gives Ann's strongest need (discovery) to Max first and
    # leaves Bob without anyone; the optimum gives Ann to Zoe instead.
    max_ = Mentor(10, {"discovery": 1.0, "negotiation": 1.0}, 0, None, capacity=1)
    zoe = Mentor(11, {"discovery": 0.9}, 0, None, capacity=1)
    ann = Mentee(1, {"discovery": 100_000}, 0, None, None)
    bob = Mentee(2, {"negotiation": 90_000}, 0, None, None)
    pairs = {(p.mentor_id, p.mentee_id, p.skill) for p in match([max_, zoe], [ann, bob])}
    assert pairs == {(11, 1, "discovery"), (10, 2, "negotiation")}


def test_declined_pairs_are_not_proposed_again_and_the_next_best_is() -> None:
    strong = Mentor(10, {"discovery": 1.0}, 0, None)
    next_best = Mentor(11, {"discovery": 0.5}, 0, None)
    ann = Mentee(1, {"discovery": 50_000}, 0, None, None)
    assert [p.mentor_id for p in match([strong, next_best], [ann])] == [10]
    assert [
        p.mentor_id for p in match([strong, next_best], [ann], excluded={(10, 1, "discovery")})
    ] == [11]


def test_nobody_is_their_own_mentor_and_the_manager_option() -> None:
    both = Mentor(1, {"discovery": 1.0}, 0, None)
    assert match([both], [Mentee(1, {"discovery": 10_000}, 0, None, None)]) == []
    boss = Mentor(5, {"discovery": 1.0}, 0, None)
    mentee = Mentee(1, {"discovery": 10_000}, 0, None, manager_id=5)
    assert len(match([boss], [mentee])) == 1
    assert match([boss], [mentee], allow_own_manager=False) == []


def test_shared_hours_and_segment_are_preferred() -> None:
    near = Mentor(10, {"discovery": 0.5}, -5, "smb")
    far = Mentor(11, {"discovery": 0.5}, 5.5, "smb")
    ann = Mentee(1, {"discovery": 20_000}, -4, "smb", None)
    assert [p.mentor_id for p in match([near, far], [ann])] == [10]
    assert timezone_weight(-8, 5.5) == timezone_weight(5.5, -8) < timezone_weight(-5, -4)
    assert benefit(near, ann, "discovery") > benefit(
        near, Mentee(1, {"discovery": 20_000}, -4, "enterprise", None), "discovery"
    )
    assert benefit(near, ann, "negotiation") == 0.0
