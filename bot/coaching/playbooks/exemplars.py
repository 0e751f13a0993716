"""Exemplar calls: the top performers' recorded wins, newest first, with only the links a
reader can safely open. The parts of each call's title are data; the renderer writes it."""

from __future__ import annotations

import math
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from bot.coaching.playbooks.frames import clean_text, column_of, day_stamps
from bot.coaching.playbooks.model import ExemplarCall

MAX_EXEMPLARS = 5


def _safe_url(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    url = str(value).strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def exemplar_calls(
    recorded_wins: pd.DataFrame | None, top: pd.Index, today: date
) -> tuple[ExemplarCall, ...]:
    if recorded_wins is None or recorded_wins.empty or "owner_id" not in recorded_wins:
        return ()
    wins = recorded_wins[recorded_wins["owner_id"].isin(list(top))].copy()
    if "outcome" in wins:
        wins = wins[clean_text(wins["outcome"]) == "won"]
    wins["url"] = [_safe_url(v) for v in column_of(wins, "recording_url")]
    wins["closed"] = day_stamps(column_of(wins, "closed_on"))
    wins = wins[wins["url"].notna() & ~(wins["closed"] > pd.Timestamp(today))]
    wins = wins.sort_values("closed", ascending=False, na_position="last", kind="stable")
    rows = wins.drop_duplicates("url").head(MAX_EXEMPLARS).to_dict("records")
    return tuple(_call(row) for row in rows)


def _present(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    text = str(value).strip()
    return text or None


def _call(row: dict[str, Any]) -> ExemplarCall:
    details = tuple(
        text
        for text in (_present(row.get("product")), _present(row.get("industry")))
        if text is not None
    )
    amount = pd.to_numeric(pd.Series([row.get("amount")]), errors="coerce").iloc[0]
    closed = row.get("closed")
    won_on = closed.date() if isinstance(closed, pd.Timestamp) and pd.notna(closed) else None
    return ExemplarCall(
        url=str(row["url"]),
        account=_present(row.get("account")),
        details=details,
        amount=float(amount) if pd.notna(amount) else None,
        won_on=won_on,
    )
