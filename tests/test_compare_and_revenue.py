"""Each rep against their peers (bot/analytics/compare.py) and what closing a gap is worth
(bot/analytics/revenue.py), on measurements built by hand."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from bot.analytics import catalog as c
from bot.analytics.compare import COLUMNS, LEVEL, Verdict, compare, metric_info
from bot.analytics.coverage import Coverage, DataKind
from bot.analytics.metrics import CrmData, Measurements, Window, active_reps, measure
from bot.analytics.revenue import DAYS_PER_QUARTER, revenue_at_stake

STAGES = ("discovery", "proposal", "negotiation")
WINDOW_DAYS = 90
SCALE = DAYS_PER_QUARTER / WINDOW_DAYS  # window counts → quarterly counts
REPS = list(range(1, 9))  # rep 1 is the one under test; 2-8 are their peers
DISCOVERY, PROPOSAL, CLOSING = (
    c.conversion_name(s, t) for s, t in zip(STAGES, [*STAGES[1:], "won"], strict=True)
)


def reps_frame(ids=REPS, peer_group="org") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [f"Rep {i}" for i in ids],
            "team": "East",
            "segment": "smb",
            "peer_group": peer_group,
        },
        index=pd.Index(ids, name="id"),
    )


def rate_rows(metric: str, successes: list[int], trials: list[int] | int, ids=REPS) -> pd.DataFrame:
    trials = trials if isinstance(trials, list) else [trials] * len(ids)
    return pd.DataFrame({"rep_id": ids, "metric": metric, "successes": successes, "trials": trials})


def week_rows(metric: str, counts: list[int], weeks: float = 13.0, ids=REPS) -> pd.DataFrame:
    return pd.DataFrame({"rep_id": ids, "metric": metric, "count": counts, "weeks": weeks})


def mean_rows(metric: str, values: dict[int, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "rep_id": rep,
                "metric": metric,
                "n": len(v),
                "total": float(sum(v)),
                "total_sq": float(sum(x * x for x in v)),
            }
            for rep, v in values.items()
        ]
    )


# Defaults, so that each test sets only the metrics it is about.
PLAIN_RATES = rate_rows(c.WIN_RATE, [30] * 8, 100)
PLAIN_WEEKS = week_rows(c.ACTIVITIES, [130] * 8)
PLAIN_MEANS = mean_rows(c.DEAL_SIZE, {rep: [9000.0, 10000.0, 11000.0] for rep in REPS})


EVERYTHING = Coverage(frozenset(DataKind))  # hand-built measurements stand for a full import


def measurements(
    rates: list[pd.DataFrame] | None = None,
    weeks: list[pd.DataFrame] | None = None,
    means: list[pd.DataFrame] | None = None,
    reps: pd.DataFrame | None = None,
    description: pd.DataFrame | None = None,
    closed: pd.DataFrame | None = None,
) -> Measurements:
    reps = reps if reps is not None else reps_frame()
    if description is None:
        description = pd.DataFrame({"closed": 0, "won": 0, "won_amount": 0.0}, index=reps.index)
    if closed is None:
        closed = pd.DataFrame(
            {"owner_id": [], "outcome": [], "contacts_engaged": [], "loss_reason": []}
        ).astype(
            {"owner_id": int, "outcome": object, "contacts_engaged": float, "loss_reason": object}
        )
    return Measurements(
        reps=reps,
        rates=pd.concat(rates or [PLAIN_RATES], ignore_index=True),
        per_week=pd.concat(weeks or [PLAIN_WEEKS], ignore_index=True),
        means=pd.concat(means or [PLAIN_MEANS], ignore_index=True),
        closed=closed,
        description=description,
        coverage=EVERYTHING,
    )


def row(compared: pd.DataFrame, rep: int, metric: str) -> pd.Series:
    match = compared[(compared["rep_id"] == rep) & (compared["metric"] == metric)]
    assert len(match) == 1
    return match.iloc[0]


# --- compare(): verdicts ------------------------------------------------------------------


def test_compare_returns_one_row_per_rep_and_metric_with_the_documented_columns():
    measured = measurements(
        rates=[PLAIN_RATES, rate_rows(DISCOVERY, [20] * 8, 40)],
        weeks=[PLAIN_WEEKS, week_rows(c.DEALS_CREATED, [26] * 8)],
    )

    compared = compare(measured)

    assert list(compared.columns) == COLUMNS
    assert len(compared) == 8 * 5
    assert not compared.duplicated(["rep_id", "metric"]).any()


def test_a_rep_with_many_deals_far_below_peers_is_a_gap():
    # Rep 1 wins 8 of 100; peers win 28-32 of 100 each.
    win = rate_rows(c.WIN_RATE, [8, 30, 28, 32, 30, 29, 31, 30], 100)

    compared = compare(measurements(rates=[win]))

    rep = row(compared, 1, c.WIN_RATE)
    assert rep["verdict"] == Verdict.GAP
    # The peer value pools the other seven reps: 210 of 700.
    assert rep["peer_value"] == pytest.approx(210 / 700)
    assert rep["peer_n"] == 700
    assert rep["value"] == pytest.approx(0.08)
    # Shrunk toward the peers, but not past them, and the whole interval is below them.
    assert rep["value"] < rep["estimate"] < rep["peer_value"]
    assert rep["high"] < rep["peer_value"]
    assert rep["shortfall"] == pytest.approx(rep["peer_value"] - rep["high"])
    assert rep["shortfall"] > 0
    # Nobody else differs credibly.
    others = compared[(compared["metric"] == c.WIN_RATE) & (compared["rep_id"] != 1)]
    assert set(others["verdict"]) == {Verdict.IN_LINE}
    assert (others["shortfall"] == 0).all()


def test_a_rep_with_many_deals_far_above_peers_is_a_strength():
    conversion = rate_rows(DISCOVERY, [55, 30, 28, 32, 30, 29, 31, 30], 100)

    compared = compare(measurements(rates=[conversion]))

    rep = row(compared, 1, DISCOVERY)
    assert rep["verdict"] == Verdict.STRENGTH
    assert rep["low"] > rep["peer_value"]
    assert rep["estimate"] - rep["peer_value"] >= 0.03
    assert rep["shortfall"] == 0


def test_a_rep_under_the_minimum_sample_is_not_enough_data_even_when_far_off():
    # 0 of 9 against peers' 30%: one deal short of MIN_RATE_SAMPLE.
    win = rate_rows(c.WIN_RATE, [0] + [30] * 7, [c.MIN_RATE_SAMPLE - 1] + [100] * 7)

    compared = compare(measurements(rates=[win]))

    assert row(compared, 1, c.WIN_RATE)["verdict"] == Verdict.NOT_ENOUGH_DATA
    assert row(compared, 1, c.WIN_RATE)["shortfall"] == 0


def test_peers_that_do_not_differ_are_in_line():
    # Everyone at exactly 30%: no spread beyond noise, the prior is as strong as it gets and
    # every estimate sits on the peer value.
    price = c.loss_reason_name("price")
    compared = compare(measurements(rates=[rate_rows(price, [30] * 8, 100)]))

    rows = compared[compared["metric"] == price]
    assert set(rows["verdict"]) == {Verdict.IN_LINE}
    assert rows["estimate"].to_numpy() == pytest.approx([0.3] * 8)


def test_a_small_difference_is_in_line_even_when_certain():
    # 10 000 deals each: 28% against 30% is certain but under the 3-point minimum effect.
    win = rate_rows(c.WIN_RATE, [2800] + [3000] * 7, 10000)

    rep = row(compare(measurements(rates=[win])), 1, c.WIN_RATE)

    assert rep["high"] < rep["peer_value"]
    assert rep["verdict"] == Verdict.IN_LINE


def test_loss_reasons_are_lower_is_better():
    # Rep 1 loses 25 of 100 closed deals to price; peers 5-7 of 100.
    price = rate_rows(c.loss_reason_name("price"), [25, 5, 6, 7, 5, 6, 7, 6], 100)

    compared = compare(measurements(rates=[price]))

    rep = row(compared, 1, c.loss_reason_name("price"))
    assert rep["verdict"] == Verdict.GAP
    assert rep["low"] > rep["peer_value"]
    assert rep["shortfall"] == pytest.approx(rep["low"] - rep["peer_value"])


def test_with_fewer_than_three_reps_a_rate_is_the_raw_rate_against_the_peers():
    ids = [1, 2]
    win = rate_rows(c.WIN_RATE, [3, 12], [20, 20], ids=ids)
    measured = measurements(
        reps=reps_frame(ids),
        rates=[win],
        weeks=[week_rows(c.ACTIVITIES, [130, 130], ids=ids)],
        means=[mean_rows(c.DEAL_SIZE, {1: [1.0, 2.0], 2: [1.0, 2.0]})],
    )

    rep = row(compare(measured), 1, c.WIN_RATE)

    # No prior can be fitted: the estimate is the raw rate. The interval is the peer rate
    # plus Newcombe's interval for the difference, from both 90% Wilson intervals.
    z = 1.6448536269514722

    def wilson(p: float, n: int) -> tuple[float, float]:
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return centre - half, centre + half

    p1, p2 = 3 / 20, 12 / 20
    (l1, u1), (l2, u2) = wilson(p1, 20), wilson(p2, 20)
    low = p2 + (p1 - p2) - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = p2 + (p1 - p2) + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    # A rate is never shown below 0%.
    assert (rep["estimate"], rep["low"], rep["high"]) == pytest.approx((p1, max(low, 0), high))
    assert rep["peer_value"] == pytest.approx(12 / 20)
    assert rep["verdict"] == Verdict.GAP


def test_per_week_gap_from_shrunk_weekly_rates():
    # Rep 1 creates 5 deals in 13 weeks; peers about 2 a week.
    created = week_rows(c.DEALS_CREATED, [5, 26, 24, 27, 25, 26, 24, 25])

    compared = compare(measurements(weeks=[created]))

    rep = row(compared, 1, c.DEALS_CREATED)
    assert rep["verdict"] == Verdict.GAP
    assert rep["peer_value"] == pytest.approx(177 / 91)
    assert rep["value"] == pytest.approx(5 / 13)
    assert rep["high"] < rep["peer_value"]
    assert rep["peer_value"] - rep["estimate"] >= 0.1 * rep["peer_value"]
    # Measured to the less demanding peer value: pooled 177/91 or the median peer, 25/13.
    assert rep["shortfall"] == pytest.approx(min(177 / 91, 25 / 13) - rep["high"])


def test_per_week_with_fewer_than_six_weeks_is_not_enough_data():
    weeks = pd.DataFrame(
        {
            "rep_id": REPS,
            "metric": c.DEALS_CREATED,
            "count": [0] + [26] * 7,
            "weeks": [5.0] + [13.0] * 7,
        }
    )

    assert (
        row(compare(measurements(weeks=[weeks])), 1, c.DEALS_CREATED)["verdict"]
        == Verdict.NOT_ENOUGH_DATA
    )


def test_per_week_with_two_reps_does_not_call_noise_a_gap():
    # 10 against 12 new deals in 13 weeks is Poisson noise. Without a fitted prior the rep
    # still needs an interval of their own, not the raw figure three times.
    ids = [1, 2]
    measured = measurements(
        reps=reps_frame(ids),
        rates=[rate_rows(c.WIN_RATE, [3, 3], 10, ids=ids)],
        weeks=[week_rows(c.DEALS_CREATED, [10, 12], ids=ids)],
        means=[mean_rows(c.DEAL_SIZE, {1: [1.0, 2.0], 2: [1.0, 2.0]})],
    )

    compared = compare(measured)

    assert set(compared[compared["metric"] == c.DEALS_CREATED]["verdict"]) == {Verdict.IN_LINE}
    rep = row(compared, 1, c.DEALS_CREATED)
    assert rep["low"] < rep["value"] < rep["high"]


def welch_bounds(rep: list[float], peers: list[float]) -> tuple[float, float]:
    """The rep's mean ± the Welch half-width, from the raw values (scipy, independently)."""
    interval = sps.ttest_ind(rep, peers, equal_var=False).confidence_interval(
        confidence_level=LEVEL
    )
    peer_mean = float(np.mean(peers))
    return peer_mean + interval.low, peer_mean + interval.high


def test_deal_size_is_compared_by_a_welch_interval():
    rep_values = [8000.0, 9000.0, 10000.0, 11000.0, 12000.0, 9500.0, 10500.0, 10000.0]
    peer_values = {rep: [18000.0, 19000.0, 20000.0, 21000.0, 22000.0, 20500.0] for rep in REPS[1:]}
    sizes = mean_rows(c.DEAL_SIZE, {1: rep_values, **peer_values})

    compared = compare(measurements(means=[sizes]))

    rep = row(compared, 1, c.DEAL_SIZE)
    pooled = [x for values in peer_values.values() for x in values]
    low, high = welch_bounds(rep_values, pooled)
    assert rep["value"] == rep["estimate"] == pytest.approx(10000.0)
    assert rep["peer_value"] == pytest.approx(np.mean(pooled))
    assert rep["peer_n"] == 42
    assert (rep["low"], rep["high"]) == pytest.approx((low, high), rel=1e-9)
    assert rep["verdict"] == Verdict.GAP
    assert rep["shortfall"] == pytest.approx(np.mean(pooled) - high, rel=1e-9)


def test_deal_size_within_ten_percent_of_peers_is_in_line():
    # Rep's mean 19 000 against 20 000 (5% below), with little spread: certain but small.
    rep_values = [18900.0, 19000.0, 19100.0] * 3
    peer_values = {rep: [19900.0, 20000.0, 20100.0] * 3 for rep in REPS[1:]}

    compared = compare(measurements(means=[mean_rows(c.DEAL_SIZE, {1: rep_values, **peer_values})]))

    rep = row(compared, 1, c.DEAL_SIZE)
    assert rep["high"] < rep["peer_value"]
    assert rep["verdict"] == Verdict.IN_LINE


def test_discount_above_peers_is_a_gap_because_lower_is_better():
    rep_values = [18.0, 20.0, 22.0, 19.0, 21.0, 20.0, 18.0, 22.0]
    peer_values = {rep: [4.0, 5.0, 6.0, 5.0, 4.0, 6.0, 5.0, 5.0] for rep in REPS[1:]}

    compared = compare(measurements(means=[mean_rows(c.DISCOUNT, {1: rep_values, **peer_values})]))

    rep = row(compared, 1, c.DISCOUNT)
    low, _high = welch_bounds(rep_values, [x for v in peer_values.values() for x in v])
    assert rep["verdict"] == Verdict.GAP
    assert rep["low"] == pytest.approx(low, rel=1e-9)
    assert rep["shortfall"] == pytest.approx(low - 5.0, rel=1e-9)


def test_the_peer_value_never_includes_the_rep():
    # Everyone but rep 1 wins 30 of 100; rep 1's own 90 wins must not lift their benchmark.
    win = rate_rows(c.WIN_RATE, [90] + [30] * 7, 100)

    compared = compare(measurements(rates=[win]))

    assert row(compared, 1, c.WIN_RATE)["peer_value"] == pytest.approx(0.30)
    assert row(compared, 2, c.WIN_RATE)["peer_value"] == pytest.approx((90 + 180) / 700)
    # The team value is pooled over the whole team, the rep included.
    assert row(compared, 1, c.WIN_RATE)["team_value"] == pytest.approx(300 / 800)


def test_metric_info_knows_base_conversion_and_loss_reason_metrics():
    assert metric_info(c.WIN_RATE).kind == c.Kind.RATE
    assert metric_info(DISCOVERY) == c.conversion_metric("discovery", "proposal")
    assert metric_info("lost_to:no_budget").skill == "qualification"
    with pytest.raises(KeyError):
        metric_info("nonsense")


def test_compare_works_when_nobody_won_a_deal_in_the_window():
    # Only lost deals in the window: measure() gives no means at all.
    empty_means = pd.DataFrame(columns=["rep_id", "metric", "n", "total", "total_sq"])
    measured = measurements()
    measured = Measurements(
        measured.reps,
        measured.rates,
        measured.per_week,
        empty_means,
        measured.closed,
        measured.description,
        measured.coverage,
    )

    compared = compare(measured)

    assert set(compared["metric"]) == {c.WIN_RATE, c.ACTIVITIES}


def empty_window_org() -> CrmData:
    """Five active reps with deals, none of them closed in the window ending 2026-03-31."""
    people = pd.DataFrame(
        [
            {
                "id": i,
                "name": f"Rep {i}",
                "role": "rep",
                "team": "East",
                "segment": "smb",
                "active": True,
                "hire_date": date(2024, 1, 1),
            }
            for i in range(1, 6)
        ]
    )
    deals = pd.DataFrame(
        [
            {
                "id": 100 + i,
                "owner_id": i,
                "amount": 1000.0,
                "created_on": date(2026, 3, 1),
                "closed_on": None,
                "furthest_stage": "discovery",
                "outcome": "open",
                "loss_reason": None,
                "competitor": None,
                "contacts_engaged": 1,
                "discount_pct": None,
            }
            for i in range(1, 6)
        ]
    )
    events = pd.DataFrame(
        {"deal_id": pd.Series([], dtype=int), "stage": pd.Series([], dtype=object)}
    )
    activities = pd.DataFrame(
        {
            "id": [1],
            "owner_id": [1],
            "deal_id": [None],
            "kind": ["call"],
            "occurred_at": pd.to_datetime(["2026-03-02T10:00:00Z"], utc=True),
        }
    )
    return CrmData(people, deals, events, activities, pd.DataFrame())


def test_compare_works_when_no_deal_closed_in_the_window():
    # A new workspace with only open deals, or an as-of date before the first close.
    measured = measure(empty_window_org(), Window(date(2026, 3, 31), WINDOW_DAYS), STAGES)
    assert measured.rates.empty and measured.means.empty

    compared = compare(measured)

    assert set(compared["metric"]) == {c.DEALS_CREATED, c.ACTIVITIES}
    assert (revenue_at_stake(measured, compared, WINDOW_DAYS, STAGES) == 0).all()


# --- revenue_at_stake --------------------------------------------------------------------


def description(
    closed: dict[int, int], won: dict[int, int], won_amount: dict[int, float]
) -> pd.DataFrame:
    return pd.DataFrame({"closed": closed, "won": won, "won_amount": won_amount}).rename_axis("id")


def test_revenue_at_stake_of_a_conversion_gap_follows_the_funnel():
    # Discovery → proposal: rep 1 advances 10 of 50, peers 30 of 50 each. At the later steps
    # everyone converts alike (16 of 20, then 12 of 16), so the rep's own, shrunk and peer
    # rates all agree: downstream rate = 0.8 × 0.75 = 0.6.
    rates = [
        rate_rows(DISCOVERY, [10] + [30] * 7, 50),
        rate_rows(PROPOSAL, [16] * 8, 20),
        rate_rows(CLOSING, [12] * 8, 16),
    ]
    # 12 wins worth 300 000: 25 000 per win (3 or more wins: the rep's own average).
    measured = measurements(
        rates=rates,
        description=description(
            {r: 50 for r in REPS}, {r: 12 for r in REPS}, {r: 300000.0 for r in REPS}
        ),
    )
    compared = compare(measured)

    stake = revenue_at_stake(measured, compared, WINDOW_DAYS, STAGES)

    gap = row(compared, 1, DISCOVERY)
    assert gap["verdict"] == Verdict.GAP
    expected = 50 * SCALE * gap["shortfall"] * (0.8 * 0.75) * 25000.0
    assert stake[gap.name] == pytest.approx(expected, abs=0.5)  # rounded to whole money
    assert stake[gap.name] > 0
    # Every other row has no gap and no revenue at stake.
    assert (stake.drop(gap.name) == 0).all()


def test_revenue_at_stake_uses_peers_deal_size_for_a_rep_with_few_wins():
    rates = [rate_rows(CLOSING, [2] + [12] * 7, [40] + [40] * 7)]
    # Rep 1 won 2 deals (under 3): their value per win is the peers' average won deal.
    peers = {rep: [20000.0, 30000.0] for rep in REPS[1:]}
    measured = measurements(
        rates=rates,
        means=[mean_rows(c.DEAL_SIZE, {1: [100.0, 100.0], **peers})],
        description=description(
            {r: 40 for r in REPS},
            {1: 2, **{r: 12 for r in REPS[1:]}},
            {1: 200.0, **{r: 300000.0 for r in REPS[1:]}},
        ),
    )
    compared = compare(measured)

    stake = revenue_at_stake(measured, compared, WINDOW_DAYS, STAGES)

    gap = row(compared, 1, CLOSING)
    assert gap["verdict"] == Verdict.GAP
    # Negotiation → won is the last step: downstream rate 1.
    assert stake[gap.name] == pytest.approx(40 * SCALE * gap["shortfall"] * 1.0 * 25000.0, abs=0.5)


def test_revenue_at_stake_of_a_win_rate_gap():
    win = rate_rows(c.WIN_RATE, [8, 30, 28, 32, 30, 29, 31, 30], 100)
    measured = measurements(
        rates=[win],
        description=description(
            {r: 100 for r in REPS},
            {1: 8, **{r: 30 for r in REPS[1:]}},
            {1: 80000.0, **{r: 300000.0 for r in REPS[1:]}},
        ),
    )
    compared = compare(measured)

    stake = revenue_at_stake(measured, compared, WINDOW_DAYS, STAGES)

    gap = row(compared, 1, c.WIN_RATE)
    assert stake[gap.name] == pytest.approx(100 * SCALE * gap["shortfall"] * 10000.0, abs=0.5)


def test_revenue_at_stake_of_a_deal_size_gap_is_wins_times_the_shortfall():
    rep_values = [8000.0, 9000.0, 10000.0, 11000.0, 12000.0, 9500.0, 10500.0, 10000.0]
    peer_values = {rep: [18000.0, 19000.0, 20000.0, 21000.0, 22000.0, 20500.0] for rep in REPS[1:]}
    measured = measurements(
        means=[mean_rows(c.DEAL_SIZE, {1: rep_values, **peer_values})],
        description=description(
            {r: 20 for r in REPS},
            {1: 8, **{r: 6 for r in REPS[1:]}},
            {1: 80000.0, **{r: 120500.0 for r in REPS[1:]}},
        ),
    )
    compared = compare(measured)

    stake = revenue_at_stake(measured, compared, WINDOW_DAYS, STAGES)

    gap = row(compared, 1, c.DEAL_SIZE)
    assert gap["verdict"] == Verdict.GAP
    assert stake[gap.name] == pytest.approx(8 * SCALE * gap["shortfall"], abs=0.5)
    assert stake[gap.name] > 0


def test_revenue_at_stake_of_a_deals_created_gap():
    created = week_rows(c.DEALS_CREATED, [5, 26, 24, 27, 25, 26, 24, 25])
    win = rate_rows(c.WIN_RATE, [3] * 8, 10)
    measured = measurements(
        rates=[win],
        weeks=[created],
        description=description(
            {r: 10 for r in REPS}, {r: 3 for r in REPS}, {r: 30000.0 for r in REPS}
        ),
    )
    compared = compare(measured)

    stake = revenue_at_stake(measured, compared, WINDOW_DAYS, STAGES)

    gap = row(compared, 1, c.DEALS_CREATED)
    win_rate = row(compared, 1, c.WIN_RATE)["estimate"]
    assert gap["verdict"] == Verdict.GAP
    assert stake[gap.name] == pytest.approx(
        gap["shortfall"] * (DAYS_PER_QUARTER / 7) * win_rate * 10000.0, abs=0.5
    )


def test_cycle_time_and_activity_gaps_put_no_revenue_at_stake():
    # Rep 1 takes 90 days to win where peers take 30, and logs 5 activities to their ~100.
    cycles = mean_rows(
        c.CYCLE_DAYS, {1: [85.0, 90.0, 95.0] * 3, **{r: [25.0, 30.0, 35.0] * 3 for r in REPS[1:]}}
    )
    activities = week_rows(c.ACTIVITIES, [5, 100, 98, 102, 101, 99, 100, 100])
    measured = measurements(
        weeks=[activities],
        means=[PLAIN_MEANS, cycles],
        description=description(
            {r: 20 for r in REPS}, {r: 9 for r in REPS}, {r: 90000.0 for r in REPS}
        ),
    )
    compared = compare(measured)

    stake = revenue_at_stake(measured, compared, WINDOW_DAYS, STAGES)

    for metric in (c.CYCLE_DAYS, c.ACTIVITIES):
        gap = row(compared, 1, metric)
        assert gap["verdict"] == Verdict.GAP
        assert gap["shortfall"] > 0
        assert stake[gap.name] == 0


# --- Properties ---------------------------------------------------------------------------

PROPERTY = settings(deadline=None, derandomize=True)
RATE_METRICS = [
    c.WIN_RATE,
    DISCOVERY,
    PROPOSAL,
    CLOSING,
    c.MULTITHREADED,
    c.loss_reason_name("price"),
]


@st.composite
def random_org(draw) -> Measurements:
    size = draw(st.integers(3, 9))
    ids = list(range(1, size + 1))
    people = pd.DataFrame(
        {
            "id": ids,
            "name": [f"Rep {i}" for i in ids],
            "role": "rep",
            "team": draw(st.lists(st.sampled_from(["East", "West"]), min_size=size, max_size=size)),
            "segment": draw(
                st.lists(st.sampled_from(["smb", "enterprise"]), min_size=size, max_size=size)
            ),
            "active": True,
        }
    )
    reps = active_reps(people)

    rates = []
    for metric in RATE_METRICS:
        trials = draw(st.lists(st.integers(0, 60), min_size=size, max_size=size))
        successes = [draw(st.integers(0, n)) for n in trials]
        rates.append(rate_rows(metric, successes, trials, ids=ids))
    weeks = [
        pd.DataFrame(
            {
                "rep_id": ids,
                "metric": metric,
                "count": draw(st.lists(st.integers(0, 80), min_size=size, max_size=size)),
                "weeks": draw(st.lists(st.integers(0, 91), min_size=size, max_size=size)),
            }
        ).assign(weeks=lambda f: f["weeks"] / 7)
        for metric in (c.DEALS_CREATED, c.ACTIVITIES)
    ]
    values = st.lists(st.floats(0.0, 50000.0, allow_nan=False).map(round), min_size=1, max_size=12)
    means = [
        mean_rows(metric, {rep: draw(values) for rep in ids})
        for metric in (c.DEAL_SIZE, c.DISCOUNT, c.CYCLE_DAYS)
    ]
    closed = draw(st.lists(st.integers(0, 40), min_size=size, max_size=size))
    won = [draw(st.integers(0, n)) for n in closed]
    amounts = [w * draw(st.floats(0.0, 50000.0)) for w in won]
    return Measurements(
        reps=reps,
        rates=pd.concat(rates, ignore_index=True),
        per_week=pd.concat(weeks, ignore_index=True),
        means=pd.concat(means, ignore_index=True),
        closed=pd.DataFrame(
            {
                "owner_id": [rep for rep, n in zip(ids, closed, strict=True) for _ in range(n)],
                "outcome": [
                    o
                    for n, w in zip(closed, won, strict=True)
                    for o in ["won"] * w + ["lost"] * (n - w)
                ],
            }
        ).assign(
            contacts_engaged=lambda f: np.arange(len(f)) % 5,
            loss_reason=lambda f: np.where(f["outcome"] == "lost", "price", None),
        ),
        description=description(
            dict(zip(ids, closed, strict=True)),
            dict(zip(ids, won, strict=True)),
            dict(zip(ids, amounts, strict=True)),
        ),
        coverage=EVERYTHING,
    )


@settings(PROPERTY, max_examples=15)
@given(measured=random_org())
def test_compare_rates_stay_in_unit_interval_and_verdicts_sit_on_the_right_side(measured):
    compared = compare(measured)

    # Rate estimates, intervals and peer values are proportions.
    rates = compared[compared["metric"].isin(RATE_METRICS)]
    for column in ("estimate", "low", "high", "peer_value"):
        values = rates[column].dropna()
        assert ((values >= 0) & (values <= 1)).all(), column
    assert (rates["low"].dropna() <= rates["high"].dropna()).all()
    # A gap's whole interval is on the wrong side of the peer value, a strength's on the
    # right side, and only a gap has a shortfall.
    higher = compared["metric"].map(lambda m: metric_info(m).higher_is_better).astype(bool)
    gaps = compared["verdict"] == Verdict.GAP
    strengths = compared["verdict"] == Verdict.STRENGTH
    assert (compared.loc[gaps & higher, "high"] < compared.loc[gaps & higher, "peer_value"]).all()
    assert (compared.loc[gaps & ~higher, "low"] > compared.loc[gaps & ~higher, "peer_value"]).all()
    assert (
        compared.loc[strengths & higher, "low"] > compared.loc[strengths & higher, "peer_value"]
    ).all()
    assert (
        compared.loc[strengths & ~higher, "high"] < compared.loc[strengths & ~higher, "peer_value"]
    ).all()
    assert (compared.loc[gaps, "shortfall"] > 0).all()
    assert (compared.loc[~gaps, "shortfall"] == 0).all()
    # Under the minimum sample there is never a verdict.
    minimum = compared["metric"].map(lambda m: metric_info(m).min_sample)
    assert (compared.loc[compared["n"] < minimum, "verdict"] == Verdict.NOT_ENOUGH_DATA).all()


@settings(PROPERTY, max_examples=10)
@given(measured=random_org())
def test_revenue_at_stake_is_never_negative_and_only_for_gaps(measured):
    compared = compare(measured)

    stake = revenue_at_stake(measured, compared, WINDOW_DAYS, STAGES)

    assert stake.index.equals(compared.index)
    assert np.isfinite(stake).all()
    assert (stake >= 0).all()
    assert (stake[compared["verdict"] != Verdict.GAP] == 0).all()
