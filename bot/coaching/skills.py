"""From evidence to skills: which measured gaps, loss patterns and feedback point at which of
the eight skills, and how coachable each is. Rules a manager can read (docs/methodology.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from bot.vocabulary import SKILLS

FEEDBACK_DAYS = 180
MIN_RATINGS = 2
LOW_RATING = 2.5  # mean of 1-5 ratings at or below this is a weakness signal
HIGH_RATING = 4.2  # at or above this, a strength signal

# How readily practice changes each skill, 0-1: talk-track skills respond quickly to
# role-play and call review; pipeline habits take longer to shift.
COACHABILITY: dict[str, float] = {
    "discovery": 0.9,
    "objection_handling": 0.9,
    "negotiation": 0.85,
    "value_articulation": 0.85,
    "qualification": 0.8,
    "stakeholder_engagement": 0.75,
    "process_adherence": 0.7,
    "prospecting": 0.6,
}
CORROBORATION_BONUS = 0.1  # feedback that agrees with the numbers makes coaching likelier to land
assert set(COACHABILITY) == set(SKILLS)


@dataclass(frozen=True)
class FeedbackSignal:
    skill: str
    ratings: int
    mean_rating: float
    team_mean: float | None
    notes: tuple[str, ...]  # most telling notes, newest first

    @property
    def weak(self) -> bool:
        return self.ratings >= MIN_RATINGS and self.mean_rating <= LOW_RATING

    @property
    def strong(self) -> bool:
        return self.ratings >= MIN_RATINGS and self.mean_rating >= HIGH_RATING


def feedback_signals(feedback: pd.DataFrame, reps: pd.DataFrame, today: date) -> pd.DataFrame:
    """Per rep and skill, recent ratings summarised: one row with a FeedbackSignal each."""
    since = today - timedelta(days=FEEDBACK_DAYS)
    recent = feedback[
        feedback["skill"].notna() & (feedback["given_on"] > since) & (feedback["given_on"] <= today)
    ]
    recent = recent[recent["about_id"].isin(reps.index)]
    if recent.empty:
        return pd.DataFrame(columns=["rep_id", "skill", "signal"])
    teams = reps["team"].reindex(recent["about_id"]).to_numpy()
    team_means = recent.assign(team=teams).groupby(["team", "skill"])["rating"].mean()
    rows = []
    for (rep, skill), group in recent.groupby(["about_id", "skill"]):
        mean = float(group["rating"].mean())
        team = reps.at[rep, "team"]
        team_mean = team_means.get((team, skill))
        ordered = group.sort_values("given_on", ascending=False)
        # The notes that explain the verdict: lowest ratings for a weakness, highest otherwise.
        ordered = ordered.sort_values("rating", ascending=mean <= LOW_RATING, kind="stable")
        notes = tuple(str(n) for n in ordered["note"].dropna().head(2))
        signal = FeedbackSignal(
            str(skill),
            len(group),
            round(mean, 2),
            None if team_mean is None else round(float(team_mean), 2),
            notes,
        )
        rows.append({"rep_id": rep, "skill": skill, "signal": signal})
    return pd.DataFrame(rows)


def coachability(skill: str, corroborated: bool) -> float:
    return min(COACHABILITY[skill] + (CORROBORATION_BONUS if corroborated else 0.0), 1.0)
