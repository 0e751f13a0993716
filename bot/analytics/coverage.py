"""Which kinds of data a workspace's import holds, and which metrics each kind makes
measurable. A metric without the data behind it is "not measured": never a zero, never a
gap or a strength (docs/methodology.md, "Data coverage"). Pure: frames in, values out."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from bot.analytics import catalog as c

# At least this share of lost deals must carry a loss reason before loss reasons say anything:
# a rep who fills the field on one loss in ten would otherwise look "strong" on every reason.
MIN_LOSS_REASON_SHARE = 0.5


class DataKind(StrEnum):
    STAGE_HISTORY = "stage_history"
    ACTIVITIES = "activities"
    CONTACTS = "contacts"
    LOSS_REASONS = "loss_reasons"
    DISCOUNTS = "discounts"
    FEEDBACK = "feedback"


# What each kind of data unlocks, in a sales-ops admin's words (shown in Slack and the CLI).
UNLOCKS: dict[DataKind, str] = {
    DataKind.STAGE_HISTORY: (
        "stage history (or each closed deal's furthest stage) unlocks stage-to-stage "
        "conversion: where in the pipeline deals are lost"
    ),
    DataKind.ACTIVITIES: "activities (calls, emails, meetings) unlock activity per week",
    DataKind.CONTACTS: ("contacts per deal unlock multithreading: deals with 3+ contacts engaged"),
    DataKind.LOSS_REASONS: (
        "a loss reason on lost deals tells why deals are lost (price, competitor, no decision…)"
    ),
    DataKind.DISCOUNTS: "discounts on won deals unlock the discount comparison",
    DataKind.FEEDBACK: "manager or customer feedback corroborates skills the numbers point at",
}

# The data a metric cannot be measured without (metrics not listed need only the deal export).
NEEDS: dict[str, DataKind] = {
    c.ACTIVITIES: DataKind.ACTIVITIES,
    c.MULTITHREADED: DataKind.CONTACTS,
    c.DISCOUNT: DataKind.DISCOUNTS,
}


def needs(metric: str) -> DataKind | None:
    if metric.startswith("conversion:"):
        return DataKind.STAGE_HISTORY
    if metric.startswith("lost_to:"):
        return DataKind.LOSS_REASONS
    return NEEDS.get(metric)


@dataclass(frozen=True)
class Coverage:
    """The kinds of data present in a workspace's import (for the assessment window)."""

    present: frozenset[DataKind]

    def has(self, kind: DataKind) -> bool:
        return kind in self.present

    def measures(self, metric: str) -> bool:
        kind = needs(metric)
        return kind is None or kind in self.present

    @property
    def missing(self) -> tuple[DataKind, ...]:
        return tuple(kind for kind in DataKind if kind not in self.present)

    def to_dict(self) -> dict[str, object]:
        return {
            "present": [str(kind) for kind in DataKind if kind in self.present],
            "missing": [{"kind": str(kind), "unlocks": UNLOCKS[kind]} for kind in self.missing],
        }


def data_coverage(
    closed: pd.DataFrame, activities: pd.DataFrame, feedback: pd.DataFrame
) -> Coverage:
    """What the import holds. `closed` are the closed deals being assessed, with their
    `reach` (furthest stage index, -1 unknown, from history or a furthest-stage column)."""
    present: set[DataKind] = set()
    lost = closed[closed["outcome"] == "lost"]
    # Won deals passed every stage by definition; only a known stage of a lost deal says
    # where the pipeline leaks.
    if (lost["reach"] >= 0).any():
        present.add(DataKind.STAGE_HISTORY)
    if len(activities):
        present.add(DataKind.ACTIVITIES)
    if recorded_contacts(closed["contacts_engaged"]).notna().any():
        present.add(DataKind.CONTACTS)
    if len(lost) and has_reason(lost["loss_reason"]).mean() >= MIN_LOSS_REASON_SHARE:
        present.add(DataKind.LOSS_REASONS)
    won = closed[closed["outcome"] == "won"]
    if won["discount_pct"].notna().any():
        present.add(DataKind.DISCOUNTS)
    if len(feedback):
        present.add(DataKind.FEEDBACK)
    return Coverage(frozenset(present))


def recorded_contacts(contacts: pd.Series) -> pd.Series:
    """Contacts engaged, with 0 read as "not recorded": a closed deal always had someone on
    the other side, and CRMs export 0 when no contact was ever associated with the deal."""
    values = pd.to_numeric(contacts, errors="coerce")
    return values.where(values > 0)


def has_reason(reasons: pd.Series) -> pd.Series:
    return reasons.fillna("").astype(str).str.strip() != ""
