"""What every step of the demo generator shares: the columns of each native-format file
(docs/import-format.md), the one random stream and time span, and a deal being simulated."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from bot.demo.patterns import RepProfile

# fmt: off
COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("email", "name", "role", "manager_email", "team", "region", "segment",
               "timezone", "slack_user_id", "hire_date", "active"),
    "deals": ("external_id", "owner", "account", "industry", "segment", "product", "amount",
              "currency", "created_on", "closed_on", "furthest_stage", "outcome", "loss_reason",
              "competitor", "contacts_engaged", "discount_pct", "recording_url"),
    "stage_history": ("deal", "stage", "entered_on"),
    "activities": ("external_id", "owner", "deal", "kind", "occurred_at", "duration_minutes"),
    "feedback": ("external_id", "about", "author", "source", "skill", "rating", "note",
                 "given_on"),
}
# fmt: on

Row = dict[str, str]


@dataclass
class World:
    """What every step needs: the one random stream, the time span, and who was hired when."""

    rng: random.Random
    start: date  # first day of the history
    as_of: date
    hires: dict[str, date] = field(default_factory=dict)

    def progress(self, day: date) -> float:
        """0 at the start of the history, 1 on as_of (clamped)."""
        return min(1.0, max(0.0, (day - self.start).days / (self.as_of - self.start).days))

    def pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class SimulatedDeal:
    rep: RepProfile
    account: tuple[str, str]  # (name, industry)
    amount: int
    created: date
    entered: list[date]  # one date per stage reached, as known on as_of
    outcome: str
    closed: date | None
    details: Row = field(default_factory=dict)  # product, loss_reason, competitor, ...
    external_id: str = ""
