"""Charts people would rather look at than read: PNG bytes, drawn without a display."""

from __future__ import annotations

import atexit
import concurrent.futures
import concurrent.futures.process
import contextlib
import io
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt

MIN_POINTS = 3
CHART_NICENESS = 10
logger = logging.getLogger(__name__)
logging.getLogger("matplotlib").setLevel(logging.WARNING)  # its category notes flood INFO logs


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
    figure, axes = plt.subplots(figsize=(7, 3), dpi=100)
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
        # tight_layout() costs a third of the drawing time; fixed margins do the same job here.
        figure.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.24)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def team_chart(rows: Sequence[Sequence[object]], title: str) -> bytes | None:
    """A manager's reps side by side: win rate (bars) against their peer group (ticks).
    `rows` are (name, win rate or None, peer win rate or None); None with no rates at all."""
    points = [
        (str(n), float(r), None if p is None else float(p)) for n, r, p in rows if r is not None
    ]
    if not points:
        return None
    points.sort(key=lambda p: p[1])
    height = max(2.5, 0.32 * len(points) + 1.0)
    figure, axes = plt.subplots(figsize=(7, height), dpi=100)
    try:
        names = [p[0] for p in points]
        axes.barh(names, [p[1] * 100 for p in points], color="#1264a3", label="win rate (90 days)")
        peers = [(i, p[2] * 100) for i, p in enumerate(points) if p[2] is not None]
        if peers:
            axes.scatter(
                [v for _, v in peers],
                [i for i, _ in peers],
                marker="|",
                s=300,
                color="#e01e5a",
                label="peer group",
                zorder=3,
            )
        axes.set_xlim(0, 100)
        axes.set_xlabel("win rate %")
        axes.set_title(title, fontsize=10)
        axes.tick_params(axis="y", labelsize=8)
        axes.legend(fontsize=7, loc="lower right")
        axes.grid(axis="x", alpha=0.3)
        figure.subplots_adjust(left=0.25, right=0.97, top=0.9, bottom=0.12)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


ALT_TEXT_MAX = 1000  # Slack takes up to 1,000 characters of alt text on a file


def trend_alt_text(series: Sequence[Sequence[object]], peer_rate: float | None = None) -> str:
    """What the trend chart shows, in words, for people who cannot see it."""
    points = [(str(m), float(r), int(n)) for m, r, n in series if r is not None and n]
    months = ", ".join(f"{m} {r:.0%} of {n}" for m, r, n in points)
    peers = f"; peers {peer_rate:.0%} over 90 days" if peer_rate is not None else ""
    return _cut(f"Win rate by month (month, win rate of closed deals): {months}{peers}.")


def team_alt_text(rows: Sequence[Sequence[object]]) -> str:
    """What the team chart shows, in words: each rep's win rate against their peer group."""
    shown = sorted(
        ((str(n), float(r), p) for n, r, p in rows if r is not None), key=lambda row: row[1]
    )
    parts = [
        f"{name} {rate:.0%}" + ("" if peer is None else f" (peers {float(peer):.0%})")
        for name, rate, peer in shown
    ]
    return _cut("Win rate over 90 days by rep, against their peer group: " + "; ".join(parts))


def _cut(text: str) -> str:
    return text if len(text) <= ALT_TEXT_MAX else text[: ALT_TEXT_MAX - 1] + "…"


class ChartProcess:
    """Charts drawn in a separate process. Drawing is CPU-bound Python: in the web process it
    holds the interpreter lock and delays every other request's acknowledgement. One process
    per web worker, started on first use (after gunicorn forks), spawned clean."""

    TIMEOUT_SECONDS = 30

    def __init__(self) -> None:
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def __call__(
        self, series: Sequence[Sequence[object]], title: str, peer_rate: float | None = None
    ) -> bytes | None:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    1, mp_context=context, initializer=_yield_to_answers
                )
                atexit.register(self._pool.shutdown, wait=False, cancel_futures=True)
        series = [list(row) for row in series]
        future = self._pool.submit(trend_chart, series, title, peer_rate)
        try:
            return future.result(timeout=self.TIMEOUT_SECONDS)
        except concurrent.futures.TimeoutError:
            logger.exception("trend chart not drawn in time; the answer goes out without it")
            return None
        except concurrent.futures.process.BrokenProcessPool:
            logger.exception("chart process died; the next chart starts a new one")
            with self._lock:
                self._pool = None
            return None


def _yield_to_answers() -> None:
    """The chart process runs at a lower CPU priority: under a burst the answers (which
    people wait for) get the cores first and the charts follow."""
    with contextlib.suppress(OSError, AttributeError):  # no os.nice on some platforms
        os.nice(CHART_NICENESS)


Deliver = Callable[[bytes], None]


class InlineCharts:
    """Draw the chart and hand it over at once (tests, the demo, the preview)."""

    def send(
        self,
        deliver: Deliver,
        series: Sequence[Sequence[object]],
        title: str,
        peer_rate: float | None = None,
    ) -> None:
        png = trend_chart(series, title, peer_rate)
        if png is not None:
            deliver(png)


class BackgroundCharts:
    """Production: the chart is drawn in a separate process and uploaded from a small pool of
    its own, so no listener thread waits on it and acknowledgements never queue behind it."""

    def __init__(self, uploaders: int = 4) -> None:
        self._process = ChartProcess()
        self._pool = concurrent.futures.ThreadPoolExecutor(uploaders, thread_name_prefix="charts")

    def send(
        self,
        deliver: Deliver,
        series: Sequence[Sequence[object]],
        title: str,
        peer_rate: float | None = None,
    ) -> None:
        self._pool.submit(
            self._draw_and_deliver, deliver, [list(r) for r in series], title, peer_rate
        )

    def _draw_and_deliver(
        self, deliver: Deliver, series: list[list[object]], title: str, peer_rate: float | None
    ) -> None:
        try:
            png = self._process(series, title, peer_rate)
            if png is not None:
                deliver(png)
        except Exception:  # a chart must never take an answer down with it; say so in the log
            logger.exception("trend chart not delivered")
