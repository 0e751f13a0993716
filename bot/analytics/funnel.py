"""How far each deal got through the pipeline, and stage-to-stage conversion.

A deal's reach is the index of the furthest stage it entered: the later of its stage history
(where the export has one) and its furthest stage. A won deal with a known reach passed
every stage. A closed deal whose reach is unknown (no history, no furthest stage, won or
lost) counts for win rate only, never for conversion.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

UNKNOWN = -1


def deal_reach(deals: pd.DataFrame, stage_events: pd.DataFrame, stages: Sequence[str]) -> pd.Series:
    """Per deal id: index of the furthest stage reached; len(stages) for won; -1 unknown."""
    order = {stage: i for i, stage in enumerate(stages)}
    from_field = deals["furthest_stage"].map(order)
    reach = pd.Series(from_field.to_numpy(), index=deals["id"].to_numpy(), dtype=float)
    if len(stage_events):
        history = stage_events["stage"].map(order)
        from_history = history.groupby(stage_events["deal_id"].to_numpy()).max()
        reach = pd.concat([reach, from_history.reindex(reach.index)], axis=1).max(axis=1)
    known = reach.notna().to_numpy()
    won = (deals["outcome"] == "won").to_numpy()
    values = np.where(known, reach.fillna(UNKNOWN).to_numpy(), UNKNOWN)
    values = np.where(won & known, len(stages), values)
    return pd.Series(values.astype(int), index=reach.index, name="reach")


def transitions(stages: Sequence[str]) -> list[tuple[str, str]]:
    """(from, to) pairs along the stage order, ending with the last stage to won."""
    return [*pairwise(stages), (stages[-1], "won")]


def transition_counts(closed: pd.DataFrame, stages: Sequence[str]) -> pd.DataFrame:
    """Per owner and transition: deals that entered the from-stage, and those that advanced.

    `closed` holds closed deals with a `reach` column. Only decided deals are counted, so
    open deals that have not yet moved do not count as failures.
    """
    known = closed[closed["reach"] >= 0]
    rows = []
    for index, (source, target) in enumerate(transitions(stages)):
        entered = known["reach"] >= index
        advanced = known["reach"] >= index + 1
        counts = (
            pd.DataFrame(
                {"owner_id": known["owner_id"], "entered": entered, "advanced": advanced & entered}
            )
            .groupby("owner_id")[["entered", "advanced"]]
            .sum()
        )
        counts["from_stage"], counts["to_stage"] = source, target
        rows.append(counts.reset_index())
    if not rows:
        return pd.DataFrame(columns=["owner_id", "entered", "advanced", "from_stage", "to_stage"])
    return pd.concat(rows, ignore_index=True)
