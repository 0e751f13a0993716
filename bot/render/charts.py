"""Charts people would rather look at than read: PNG bytes, drawn without a display."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt

MIN_POINTS = 3


def trend_chart(
    series: Sequence[Sequence[object]], title: str, peer_rate: float | None = None
) -> bytes | None:
    """The monthly win rate as a line with each month's deal count; None if too few months.

    `series` rows are (month "2026-03", win rate or None, closed deals) as stored in an
    assessment's trend.
    """
    points = [(str(m), float(r), int(n)) for m, r, n in series if r is not None and n]
    if len(points) < MIN_POINTS:
        return None
    months = [p[0] for p in points]
    rates = [p[1] * 100 for p in points]
    figure, axes = plt.subplots(figsize=(7, 3), dpi=110)
    try:
        axes.plot(months, rates, marker="o", color="#1264a3", linewidth=2, label="win rate")
        for month, rate, count in zip(months, rates, (p[2] for p in points), strict=True):
            axes.annotate(
                f"n={count}",
                (month, rate),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=7,
                color="#616061",
            )
        if peer_rate is not None:
            axes.axhline(
                peer_rate * 100,
                color="#e01e5a",
                linestyle="--",
                linewidth=1,
                label="peers (90 days)",
            )
        axes.set_ylim(0, max(100.0, max(rates) + 10))
        axes.set_ylabel("win rate %")
        axes.set_title(title, fontsize=10)
        axes.tick_params(axis="x", labelrotation=45, labelsize=7)
        axes.grid(axis="y", alpha=0.3)
        axes.legend(fontsize=7, loc="upper left")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
