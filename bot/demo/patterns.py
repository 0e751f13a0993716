"""Who is in the demo org and how each rep sells: the norms, the planted patterns, the notes.

`generate.py` turns these profiles into CRM rows (`outcomes.py` turns a profile into odds and
outcomes; `content.py` holds the names and notes the rows are made of). Everything that makes
one rep differ from another lives here, so the planted patterns can be read (and tuned) in one
place.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from bot.vocabulary import SKILLS

DOMAIN = "northwind.example"

# Chance that a deal in each stage moves on (the last one: negotiation -> won). The product,
# about 0.31, is the win rate of a typical rep.
BASE_CONVERSION: tuple[float, ...] = (0.90, 0.72, 0.82, 0.82, 0.72)


@dataclass(frozen=True)
class Segment:
    deals_per_month: float
    amount_median: float  # USD; amounts are lognormal around it
    amount_bounds: tuple[float, float]
    amount_step: int  # amounts are rounded to this, as reps type them
    stage_days: float  # mean days spent in each stage; five stages make the cycle
    contacts: float  # mean buyer contacts on a deal that reaches negotiation


SEGMENTS: dict[str, Segment] = {
    "enterprise": Segment(13, 170_000, (80_000, 400_000), 1000, 20.0, 5.0),
    "mid_market": Segment(16, 42_000, (20_000, 90_000), 500, 12.0, 3.8),
    "smb": Segment(19, 11_000, (5_000, 25_000), 100, 6.0, 2.8),
}


@dataclass(frozen=True)
class Team:
    name: str
    segment: str
    timezone: str
    manager: str


TEAMS: tuple[Team, ...] = (
    Team("Enterprise East", "enterprise", "America/New_York", "Daniel Whitaker"),
    Team("Mid-Market Central", "mid_market", "America/Chicago", "Rosa Delgado"),
    Team("SMB West", "smb", "America/Los_Angeles", "Kenji Watanabe"),
)
LONDON = "Europe/London"
VP_NAME = "Catherine Okafor"
ADMIN_NAME = "Morgan Ellis"

# The planted patterns: rep name -> (team, pattern). Fixed across seeds so tests and docs can
# name them; the seed only changes what they did.
PLANTED: dict[str, tuple[str, str]] = {
    "Tyler Brooks": ("Mid-Market Central", "discovery_weak"),
    "Jasmine Patel": ("SMB West", "negotiation_weak"),
    "Marcus Greene": ("Enterprise East", "single_threaded"),
    "Aisha Bello": ("SMB West", "improving"),
    "Greg Novak": ("Mid-Market Central", "declining"),
    "Lena Fischer": ("Mid-Market Central", "new_hire"),
    "Priya Raman": ("Enterprise East", "top_performer"),
    "Diego Alvarez": ("SMB West", "top_performer"),
}

# Ordinary reps per team; the first in each team works from London.
# fmt: off
ORDINARY: dict[str, tuple[str, ...]] = {
    "Enterprise East": ("Siobhán Murphy", "Olivia Chen", "James O'Connor", "Fatima Al-Sayed",
                        "Ethan Walsh", "Hannah Kim", "Samuel Adeyemi", "Lucas Moreau"),
    "Mid-Market Central": ("Emily Forsyth", "Nina Kowalski", "Andre Thompson", "Mei Wong",
                           "Carlos Mendoza", "Rachel Goldberg", "Omar Haddad"),
    "SMB West": ("Harriet Cole", "Chloe Dubois", "Jamal Washington", "Sofia Rossi",
                 "Liam Byrne", "Grace Nakamura", "Mateo Silva"),
}
# fmt: on


@dataclass(frozen=True)
class RepProfile:
    name: str
    team: Team
    timezone: str
    pattern: str  # "ordinary" or one of the PLANTED patterns
    stage_odds: tuple[float, ...] = (1.0,) * 5  # odds multipliers on BASE_CONVERSION
    win_trend: tuple[float, float] | None = None  # win rate at the start and end of history
    deal_rate: float = 1.0
    amount_factor: float = 1.0
    contacts_shift: float = 0.0
    cycle_factor: float = 1.0
    discount: tuple[float, float] = (0.0, 15.0)
    skill_means: dict[str, float] = field(default_factory=dict)
    skill_trend: tuple[float, float] | None = None  # every skill moves from .. to

    @property
    def email(self) -> str:
        return email_for(self.name)


def email_for(name: str) -> str:
    """first.last@domain, ASCII only: 'Siobhán Murphy' -> siobhan.murphy, O'Connor -> oconnor."""
    plain = name.lower().replace("á", "a").replace("'", "").replace("-", "")
    return ".".join(plain.split()) + "@" + DOMAIN


def _ordinary_profile(name: str, team: Team, tz: str, rng: random.Random) -> RepProfile:
    # Stage tilts shape where a rep is a bit better or worse; the overall win rate is then
    # pinned near the norm (a flat "trend") so tilts cannot compound into a finding.
    means = {skill: round(3.7 + rng.gauss(0, 0.25), 2) for skill in SKILLS}
    win_rate = round(rng.uniform(0.28, 0.34), 3)
    return RepProfile(
        name=name,
        team=team,
        timezone=tz,
        pattern="ordinary",
        stage_odds=tuple(round(rng.uniform(0.88, 1.14), 3) for _ in BASE_CONVERSION),
        win_trend=(win_rate, win_rate),
        deal_rate=rng.uniform(0.9, 1.1),
        amount_factor=rng.uniform(0.9, 1.1),
        contacts_shift=rng.uniform(-0.3, 0.3),
        cycle_factor=rng.uniform(0.9, 1.1),
        skill_means=means,
    )


def _planted_profile(name: str, team: Team, pattern: str) -> RepProfile:
    means = {skill: 3.6 for skill in SKILLS}
    kwargs: dict[str, Any] = {}
    if pattern == "discovery_weak":  # half the team's discovery -> qualification conversion
        kwargs = {"stage_odds": (1.0, 0.2, 1.0, 1.0, 1.0)}
        means |= {"discovery": 1.7, "qualification": 2.7}
    elif pattern == "negotiation_weak":  # reaches negotiation like anyone, then gives it away
        kwargs = {"stage_odds": (1.0, 1.0, 1.0, 1.0, 0.17), "discount": (20.0, 30.0)}
        means |= {"negotiation": 1.8, "objection_handling": 2.7}
    elif pattern == "single_threaded":  # the big-deal penalty depends on the amount: conversion()
        means |= {"stakeholder_engagement": 1.8, "qualification": 3.0}
    elif pattern == "improving":
        kwargs = {"win_trend": (0.10, 0.58), "skill_trend": (2.3, 4.1)}
    elif pattern == "declining":
        kwargs = {"win_trend": (0.58, 0.10), "skill_trend": (4.1, 2.3)}
    elif pattern == "new_hire":
        kwargs = {"deal_rate": 0.4}
        means = {skill: 3.3 for skill in SKILLS}
    elif pattern == "top_performer":
        kwargs = {"stage_odds": (2.2,) * 5, "amount_factor": 1.35, "contacts_shift": 1.3}
        kwargs |= {"cycle_factor": 0.75, "discount": (2.0, 9.0)}
        means = {skill: 4.5 for skill in SKILLS}
    return RepProfile(name, team, team.timezone, pattern, skill_means=means, **kwargs)


def build_profiles(rng: random.Random) -> list[RepProfile]:
    """All reps, team by team: planted reps first, then ordinary ones (the first from London)."""
    profiles: list[RepProfile] = []
    for team in TEAMS:
        for name, (team_name, pattern) in PLANTED.items():
            if team_name == team.name:
                profiles.append(_planted_profile(name, team, pattern))
        for i, name in enumerate(ORDINARY[team.name]):
            profiles.append(_ordinary_profile(name, team, LONDON if i == 0 else team.timezone, rng))
    return profiles


# What the planted patterns do to a rep's CRM rows.
# fmt: off
# A weak rep loses for the reason their weakness causes: this often, in these stages.
WEAKNESS_LOSS: dict[str, tuple[float, tuple[str, ...], dict[str, float]]] = {
    "discovery_weak": (0.7, ("discovery", "qualification", "proposal"),
                       {"no_decision": 55, "product_fit": 45}),
    "negotiation_weak": (0.8, ("proposal", "negotiation"), {"price": 55, "competitor": 45}),
    "single_threaded": (0.75, ("discovery", "qualification", "proposal", "negotiation"),
                        {"lost_champion": 55, "no_decision": 45}),
}
# What the pattern reps are weak at: drives which skill their feedback talks about.
WEAK_SKILL: dict[str, str] = {
    "discovery_weak": "discovery",
    "negotiation_weak": "negotiation",
    "single_threaded": "stakeholder_engagement",
}
# fmt: on
