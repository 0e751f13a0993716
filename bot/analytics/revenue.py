"""Revenue at stake: the extra revenue per quarter if a rep closed a gap to their peers,
computed from the conservative end of the uncertainty (docs/methodology.md, "Revenue at
stake"). Pure: measurements and comparisons in, one figure per comparison out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bot.analytics import catalog as c
from bot.analytics.compare import Verdict
from bot.analytics.funnel import transitions
from bot.analytics.metrics import MULTITHREAD_CONTACTS, Measurements, peer_sums

DAYS_PER_QUARTER = 365.25 / 4
MIN_WINS_FOR_OWN_DEAL_SIZE = 3


UPLIFT_FROM_WORKSPACE = (
    "peers have no deals with fewer than 3 contacts to learn from, so the extra wins from "
    "more contacts are estimated across the whole workspace"
)
UPLIFT_FROM_WIN_RATE = (
    "no one in the workspace has deals with both few and many contacts to learn from, so "
    "the figure is the rep's own win-rate shortfall"
)


def revenue_at_stake(
    measured: Measurements, compared: pd.DataFrame, window_days: int, stages: tuple[str, ...]
) -> pd.Series:
    """Per comparison row: revenue per quarter at stake (0 where there is no credible gap)."""
    return stakes(measured, compared, window_days, stages)["revenue_at_stake"]


def stakes(
    measured: Measurements, compared: pd.DataFrame, window_days: int, stages: tuple[str, ...]
) -> pd.DataFrame:
    """Per comparison row: `revenue_at_stake` and `note`, how the figure was reached where
    the usual way was not open ("" otherwise)."""
    scale = DAYS_PER_QUARTER / window_days
    value = _value_per_win(measured, compared)
    rates = measured.rates.set_index(["rep_id", "metric"])
    downstream = _downstream_conversion(compared, stages)
    closed = measured.description["closed"]
    won = measured.description["won"]
    won_amount = measured.description["won_amount"]
    tallies = _tallies(measured)
    peers = _peer_totals(measured, tallies)
    others = tallies.sum() - tallies  # the whole workspace without the rep
    # Per-rep win-rate figures looked up once, not filtered out of `compared` per gap.
    win = compared[compared["metric"] == c.WIN_RATE].set_index("rep_id")
    win_estimate = win["estimate"].to_dict()
    win_shortfall = (win["peer_value"] - win["estimate"]).clip(lower=0).fillna(0).to_dict()

    result = pd.Series(0.0, index=compared.index)
    notes = pd.Series("", index=compared.index, dtype=object)
    gaps = compared[compared["verdict"] == Verdict.GAP]
    for index, row in gaps.iterrows():
        rep, metric, shortfall = row["rep_id"], row["metric"], row["shortfall"]
        per_win = value.get(rep, np.nan)
        if metric == c.WIN_RATE:
            stake = closed.get(rep, 0) * scale * shortfall * per_win
        elif metric.startswith("conversion:"):
            entered = rates.loc[(rep, metric), "trials"]
            # No cap here: a rep who compensates downstream gains beyond their peers' win rate.
            stake = entered * scale * shortfall * downstream.get((rep, metric), 0.0) * per_win
        elif metric == c.MULTITHREADED:
            cap = win_shortfall.get(rep, 0.0) * closed.get(rep, 0) * scale * per_win
            uplift = _multithread_uplift(peers.loc[rep])
            if uplift is None:
                uplift = _multithread_uplift(others.loc[rep])
                notes[index] = UPLIFT_FROM_WORKSPACE
            if uplift is None:
                stake, notes[index] = cap, UPLIFT_FROM_WIN_RATE
            else:
                stake = min(closed.get(rep, 0) * scale * shortfall * uplift * per_win, cap)
        elif metric.startswith("lost_to:"):
            # The rep's excess losses to this reason (over their peers' share of losses),
            # each won as often as the peers win deals not lost to it.
            lost = rates.loc[(rep, metric), "trials"]
            recover = _win_rate_without(peers.loc[rep], metric)
            stake = lost * scale * shortfall * recover * per_win
            # What explains lost deals (few contacts, a loss reason) cannot be worth more than
            # all the deals the rep loses beyond their peers (shrunk estimate, not bound).
            stake = min(stake, win_shortfall.get(rep, 0.0) * closed.get(rep, 0) * scale * per_win)
        elif metric == c.DEAL_SIZE:
            stake = won.get(rep, 0) * scale * shortfall
        elif metric == c.DISCOUNT:
            rep_discount = min(float(row["value"]), 99.0)
            list_revenue = won_amount.get(rep, 0.0) / (1 - rep_discount / 100)
            stake = list_revenue * scale * shortfall / 100
        elif metric == c.DEALS_CREATED:
            win_rate = float(win_estimate.get(rep, 0.0))
            stake = shortfall * (DAYS_PER_QUARTER / 7) * win_rate * per_win
        else:
            # Cycle time and activity volume are leading indicators: a longer cycle delays
            # revenue without, in steady state, lowering it. No figure is invented for them.
            stake = 0.0
        result[index] = max(float(np.nan_to_num(stake)), 0.0)
    return pd.DataFrame({"revenue_at_stake": result.round(0), "note": notes})


def _value_per_win(measured: Measurements, compared: pd.DataFrame) -> dict[int, float]:
    """A won deal's value: the rep's own average with enough wins, else their peers'."""
    sizes = compared[compared["metric"] == c.DEAL_SIZE].set_index("rep_id")
    description = measured.description
    values: dict[int, float] = {}
    for rep in description.index:
        own = description.at[rep, "won_amount"] / max(description.at[rep, "won"], 1)
        if description.at[rep, "won"] >= MIN_WINS_FOR_OWN_DEAL_SIZE:
            values[rep] = float(own)
        elif rep in sizes.index and pd.notna(sizes.at[rep, "peer_value"]):
            values[rep] = float(sizes.at[rep, "peer_value"])
        else:
            values[rep] = float(own)
    return values


def _downstream_conversion(
    compared: pd.DataFrame, stages: tuple[str, ...]
) -> dict[tuple[int, str], float]:
    """Per rep and conversion metric: the share of deals past that step that go on to win, at
    the rep's own later conversion rates, shrunk toward their peers (a rep's 6 of 7 at one
    stage is not taken at face value)."""
    names = [c.conversion_name(s, t) for s, t in transitions(stages)]
    table = compared.set_index(["rep_id", "metric"])
    estimate = table["estimate"].where(table["estimate"].notna(), table["peer_value"])
    result: dict[tuple[int, str], float] = {}
    for rep in compared["rep_id"].unique():
        for position, name in enumerate(names):
            product = 1.0
            for later in names[position + 1 :]:
                product *= float(np.nan_to_num(estimate.get((rep, later), 0.0)))
            result[(rep, name)] = product
    return result


def _tallies(measured: Measurements) -> pd.DataFrame:
    """Per rep: closed and won deals with 3+ contacts and with fewer, and losses by reason."""
    closed = measured.closed
    won = closed["outcome"] == "won"
    contacts = closed["contacts_engaged"]
    multi = contacts >= MULTITHREAD_CONTACTS
    single = contacts.notna() & ~multi
    reasons = closed["loss_reason"].fillna("").str.strip().str.lower()
    columns = {
        "closed": pd.Series(1, index=closed.index),
        "won": won,
        "multi": multi,
        "multi_won": multi & won,
        "single": single,
        "single_won": single & won,
    }
    for reason in c.LOSS_REASON_SKILLS:
        columns[f"lost_to:{reason}"] = (closed["outcome"] == "lost") & (reasons == reason)
    frame = pd.DataFrame(columns).astype(int).groupby(closed["owner_id"]).sum()
    return frame.reindex(measured.reps.index, fill_value=0)


def _peer_totals(measured: Measurements, tallies: pd.DataFrame) -> pd.DataFrame:
    """The same tallies for each rep's peer group, without the rep."""
    return peer_sums(tallies, measured.reps)


def _multithread_uplift(peers: pd.Series) -> float | None:
    """How much more often peers win deals with 3+ contacts than deals with fewer; None when
    they have no deals of one of the two kinds, so there is no contrast to learn from."""
    if peers["multi"] == 0 or peers["single"] == 0:
        return None
    uplift = peers["multi_won"] / peers["multi"] - peers["single_won"] / peers["single"]
    return max(float(uplift), 0.0)


def _win_rate_without(peers: pd.Series, metric: str) -> float:
    """Peers' win rate on deals not lost to this reason: how a saved deal would likely end."""
    rest = peers["closed"] - peers[metric]
    return float(peers["won"] / rest) if rest > 0 else 0.0
