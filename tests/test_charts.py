"""The trend chart: a PNG, drawn in-process for tests and in a separate process in production."""

from __future__ import annotations

from bot.render.charts import ChartProcess, trend_chart

SERIES = [["2026-01", 0.2, 10], ["2026-02", 0.3, 12], ["2026-03", None, 0], ["2026-04", 0.4, 9]]


def test_the_chart_is_a_png_and_needs_three_months() -> None:
    png = trend_chart(SERIES, "Ann: win rate by month", 0.3)
    assert png is not None and png.startswith(b"\x89PNG")
    assert trend_chart(SERIES[:2], "too short") is None


def test_the_chart_process_draws_the_same_chart() -> None:
    draw = ChartProcess()
    png = draw(SERIES, "Ann: win rate by month", 0.3)
    assert png is not None and png.startswith(b"\x89PNG")
    assert len(png) == len(trend_chart(SERIES, "Ann: win rate by month", 0.3) or b"")


def test_the_team_chart_shows_reps_with_a_win_rate_only() -> None:
    from bot.render.charts import team_chart

    png = team_chart([("Ann", 0.4, 0.3), ("Bob", None, 0.3), ("Zoe", 0.2, None)], "Your team")
    assert png is not None and png.startswith(b"\x89PNG")
    assert team_chart([("Bob", None, 0.3)], "Your team") is None


def test_background_charts_draw_out_of_process_and_deliver_later() -> None:
    import threading

    from bot.render.charts import BackgroundCharts

    delivered: list[bytes] = []
    done = threading.Event()

    def deliver(png: bytes) -> None:
        delivered.append(png)
        done.set()

    BackgroundCharts().send(deliver, SERIES, "Ann: win rate by month", 0.3)
    assert done.wait(60)
    assert delivered[0].startswith(b"\x89PNG")
