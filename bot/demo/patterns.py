"""Who is in the demo org and how each rep sells: the norms, the planted patterns, the notes.

`generate.py` turns these profiles into CRM rows. Everything that makes one rep differ from
another lives here, so the planted patterns can be read (and tuned) in one place.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache
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


# --- how a profile turns into outcomes ------------------------------------------------------


def with_odds(p: float, factor: float) -> float:
    """Scale a probability's odds: stays in (0, 1) however large the factor."""
    return p * factor / (1 - p + p * factor)


@cache
def _scale_for_win_rate(odds: tuple[float, ...], target: float) -> float:
    """The common odds factor that makes the whole pipeline convert at `target` (bisection)."""
    low, high = 0.01, 100.0
    for _ in range(50):
        mid = (low * high) ** 0.5
        win = 1.0
        for p, o in zip(BASE_CONVERSION, odds, strict=True):
            win *= with_odds(p, o * mid)
        low, high = (mid, high) if win < target else (low, mid)
    return (low * high) ** 0.5


def conversion(rep: RepProfile, big: bool, progress: float) -> list[float]:
    """Stage-by-stage conversion for one deal; progress runs 0..1 over the history."""
    odds = list(rep.stage_odds)
    if rep.pattern == "single_threaded":
        # One champion is enough for a small deal; a big one dies in the buying committee.
        for i in (2, 3, 4):
            odds[i] *= 0.3 if big else 1.2
    if rep.win_trend:
        first, last = rep.win_trend
        target = round(first + (last - first) * progress, 3)
        factor = _scale_for_win_rate(tuple(odds), target)
        odds = [o * factor for o in odds]
    return [with_odds(p, o) for p, o in zip(BASE_CONVERSION, odds, strict=True)]


class Luck:
    """Uniform draws in shuffled blocks of ten, one per decile. A rep's results then track
    their profile closely: ordinary reps do not look like outliers by chance, and planted
    patterns stay clear in a 90-day window."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._block: list[float] = []

    def draw(self) -> float:
        if not self._block:
            self._block = [(decile + self._rng.random()) / 10 for decile in range(10)]
            self._rng.shuffle(self._block)
        return self._block.pop()


def walk(probs: list[float], last: int, u: float) -> tuple[int, bool]:
    """Where a deal ends (furthest stage, won?) from one uniform draw: u below the chance of
    passing every stage up to `last` wins; above it, u picks the stage the deal died in."""
    passed_all = 1.0
    for p in probs[: last + 1]:
        passed_all *= p
    if u < passed_all:
        return last, True
    cumulative, reach = passed_all, 1.0
    for stage in range(last + 1):
        cumulative += reach * (1 - probs[stage])
        if u < cumulative:
            return stage, False
        reach *= probs[stage]
    return last, False  # only reached through rounding


# --- what the CRM rows are made of ------------------------------------------------------------

# fmt: off
# Why deals die, by the stage they died in (weights).
LOSS_MIX: dict[str, dict[str, float]] = {
    "prospecting": {"no_budget": 35, "timing": 30, "no_decision": 25, "product_fit": 10},
    "discovery": {"no_decision": 30, "product_fit": 25, "timing": 20, "no_budget": 20,
                  "competitor": 5},
    "qualification": {"no_budget": 25, "timing": 20, "no_decision": 20, "competitor": 15,
                      "product_fit": 15, "lost_champion": 5},
    "proposal": {"competitor": 30, "price": 25, "no_decision": 20, "timing": 10,
                 "lost_champion": 10, "product_fit": 5},
    "negotiation": {"price": 35, "competitor": 30, "timing": 15, "no_decision": 10,
                    "lost_champion": 10},
}
# A weak rep loses for the reason their weakness causes: this often, in these stages.
WEAKNESS_LOSS: dict[str, tuple[float, tuple[str, ...], dict[str, float]]] = {
    "discovery_weak": (0.7, ("discovery", "qualification", "proposal"),
                       {"no_decision": 55, "product_fit": 45}),
    "negotiation_weak": (0.8, ("proposal", "negotiation"), {"price": 55, "competitor": 45}),
    "single_threaded": (0.75, ("discovery", "qualification", "proposal", "negotiation"),
                        {"lost_champion": 55, "no_decision": 45}),
}
COMPETITORS: dict[str, float] = {
    "Apex Revenue": 35, "Clearpath CRM": 30, "Lumen Sales Cloud": 20, "Stackline": 15,
}
PRODUCTS: dict[str, dict[str, float]] = {
    "enterprise": {"Revenue Insights": 40, "Forecast Pro": 35, "Data Connect": 25},
    "mid_market": {"Pipeline Cloud": 40, "Forecast Pro": 35, "Revenue Insights": 25},
    "smb": {"Pipeline Cloud": 70, "Forecast Pro": 30},
}
ACCOUNT_STEMS: tuple[str, ...] = (
    "Blue Ridge", "Cedar Point", "Harborview", "Summit", "Ironwood", "Maple Grove", "Granite",
    "Silverline", "Redwood", "Beacon", "Northgate", "Lakeshore", "Pinnacle", "Riverbend",
    "Stonebridge", "Evergreen", "Oakmont", "Clearwater", "Copperfield", "Falcon", "Meridian",
    "Sterling", "Westfield", "Highland", "Bayside", "Crestview", "Juniper", "Keystone",
    "Larkspur", "Monarch", "Northstar", "Old Mill", "Prairie", "Quarry Hill", "Sable",
    "Tidewater", "Union Square", "Vista", "Willow Creek", "Yellowstone", "Aurora", "Birchwood",
    "Cobalt", "Driftwood", "Elmhurst", "Foxhall", "Goldcrest", "Hawthorne", "Ivy Hill",
    "Jasper", "Kingsbridge", "Lighthouse", "Magnolia", "Navarro", "Orchard", "Pacific Crest",
    "Red Rock", "Sandstone", "Trident", "Upland",
)
INDUSTRY_SUFFIXES: dict[str, tuple[str, ...]] = {
    "healthcare": ("Health", "Medical Group", "Clinics", "Care Partners"),
    "financial_services": ("Capital", "Bancorp", "Insurance", "Credit Union"),
    "manufacturing": ("Industries", "Manufacturing", "Components", "Fabrication"),
    "retail": ("Outfitters", "Markets", "Home & Garden", "Apparel"),
    "software": ("Software", "Labs", "Systems", "Cloud"),
    "education": ("Academy", "College", "Learning", "School District"),
    "logistics": ("Logistics", "Freight", "Shipping", "Transport"),
}

CUSTOMER_CONTACTS: tuple[str, ...] = (
    "Dana Ruiz, CFO", "Mark Feldman, VP Operations", "Keisha Grant, Head of RevOps",
    "Tom Albrecht, IT Director", "Laura Castillo, COO", "Raj Mehta, Director of Sales",
    "Ingrid Larsen, Procurement Lead", "Victor Osei, CTO",
)

# Manager notes by skill and band (low = 1-2, mid = 3, high = 4-5).
MANAGER_NOTES: dict[str, dict[str, tuple[str, ...]]] = {
    "discovery": {
        "low": (
            "Jumped to the demo before understanding the pain.",
            "Asked two surface questions, then pitched; we never learned who owns the problem.",
            "No discovery notes on three new deals; the proposal guessed at the use case.",
        ),
        "mid": ("Solid discovery call; dig one level deeper on impact and cost of inaction.",),
        "high": (
            "Excellent discovery: quantified the pain before showing anything.",
            "Great questions on the first call; the buyer did most of the talking.",
        ),
    },
    "qualification": {
        "low": ("Kept chasing a deal with no budget and no timeline; qualify out sooner.",),
        "mid": ("Qualification is fine; confirm the decision process in writing.",),
        "high": ("Tight qualification: budget, authority and timeline clear by week two.",),
    },
    "value_articulation": {
        "low": ("Led with features; the buyer could not repeat why it matters to them.",),
        "mid": ("Good value story; tie it to the customer's own numbers next time.",),
        "high": ("Built the business case with the CFO's numbers. Textbook.",),
    },
    "negotiation": {
        "low": (
            "Offered 25% before the buyer asked for anything.",
            "Conceded on price without getting anything back; lost it to Apex anyway.",
            "Discounting to close is becoming a habit; trade, don't give.",
        ),
        "mid": ("Held price reasonably well; prepare your walk-away point before the call.",),
        "high": ("Traded a longer term for a small discount. Great negotiation.",),
    },
    "stakeholder_engagement": {
        "low": (
            "Single-threaded again: everything runs through one champion.",
            "Champion left and the deal went dark; we had no other contact.",
            "Never met the economic buyer on the biggest deal in the pipeline.",
        ),
        "mid": ("Good champion; get in front of finance before the proposal.",),
        "high": ("Multi-threaded across IT, finance and ops. Excellent.",),
    },
    "objection_handling": {
        "low": ("Got defensive on the security question; acknowledge, then answer.",),
        "mid": ("Handled the pricing objection fine; have the ROI sheet ready.",),
        "high": ("Turned the 'we already have a tool' objection into a pilot. Nice.",),
    },
    "process_adherence": {
        "low": ("Next steps missing on half the open deals; CRM hygiene is slipping.",),
        "mid": ("CRM mostly up to date; close dates need a weekly pass.",),
        "high": ("Pipeline is clean and forecast calls are spot on.",),
    },
    "prospecting": {
        "low": ("Pipeline for next quarter is thin; block time for outbound.",),
        "mid": ("Steady outbound; try a more specific first line.",),
        "high": ("Best outbound numbers on the team this month.",),
    },
}

# What a buyer says in a win/loss interview, by skill and band.
CUSTOMER_NOTES: dict[str, dict[str, tuple[str, ...]]] = {
    "discovery": {
        "low": (
            "They showed us the product before they understood our process.",
            "The demo was generic; nobody asked how our team actually works.",
        ),
        "mid": ("Asked good questions, though the proposal missed one of our workflows.",),
        "high": ("Understood our business better than the other vendors.",),
    },
    "negotiation": {
        "low": (
            "We were offered a bigger discount each time we hesitated.",
            "Price moved a lot; we were never sure what the real number was.",
        ),
        "mid": ("Fair commercial terms, a bit slow to get approvals.",),
        "high": ("Straightforward, fair negotiation; no games.",),
    },
    "stakeholder_engagement": {
        "low": (
            "Only our project lead was ever involved; finance had no idea what we were buying.",
            "When our sponsor moved roles, the conversation just stopped.",
        ),
        "mid": ("Kept the core team informed; could have met our CFO earlier.",),
        "high": ("Made it easy to get our CFO and IT comfortable with the investment.",),
    },
    "value_articulation": {
        "low": ("Lots of features, but the business case was ours to build.",),
        "mid": ("Clear pitch; the ROI numbers were a little generic.",),
        "high": ("The business case used our numbers; it sold itself internally.",),
    },
}

# What the pattern reps are weak at: drives which skill their feedback talks about.
WEAK_SKILL: dict[str, str] = {
    "discovery_weak": "discovery",
    "negotiation_weak": "negotiation",
    "single_threaded": "stakeholder_engagement",
}
PEER_SKILLS: tuple[str, ...] = (
    "objection_handling", "prospecting", "process_adherence", "value_articulation",
)
PEER_NOTES: dict[str, tuple[str, ...]] = {
    "low": ("Could share account notes more before handing over territory.",),
    "mid": ("Helpful in deal reviews; happy to pair on calls.",),
    "high": (
        "Generous with their talk tracks; my first-call conversion went up.",
        "Ran a great objection-handling session for the team.",
    ),
}
# fmt: on
