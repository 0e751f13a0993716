"""What a playbook holds: plain data for the renderer (templates/documents/playbook.md.j2 and
templates/messages/playbook.json.j2) to format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SELECTED_BY_STRENGTH = "strength"
SELECTED_BY_WIN_RATE = "win_rate"


@dataclass(frozen=True)
class Behaviour:
    label: str
    top: float
    others: float
    unit: str  # as in the catalog: pct (a 0-1 share), money, days, per_week, points, count
    top_n: int
    others_n: int
    note: str  # one line: what the difference means for a rep
    basis: str = "deals"  # what top_n and others_n count (plural): deals, won deals, reps...


@dataclass(frozen=True)
class ExemplarCall:
    """A recorded win by a top performer; the renderer writes its title from these parts."""

    url: str
    account: str | None  # None when the CRM has no account name
    details: tuple[str, ...]  # product and industry, as the CRM has them, when present
    amount: float | None
    won_on: date | None


@dataclass(frozen=True)
class Playbook:
    skill: str
    as_of: date
    window_days: int
    top_reps: int
    other_reps: int
    behaviours: tuple[Behaviour, ...]
    exemplar_calls: tuple[ExemplarCall, ...]
    summary: str
    tips: tuple[str, ...]
    exercise: str
    selected_by: str = SELECTED_BY_STRENGTH  # how the top group was chosen
