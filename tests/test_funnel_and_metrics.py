"""How far deals got (bot/analytics/funnel.py), the metric catalogue (catalog.py) and the raw
per-rep measurements (metrics.py), on small hand-built frames."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analytics import catalog as c
from bot.analytics.funnel import UNKNOWN, deal_reach, transition_counts, transitions
from bot.analytics.metrics import CrmData, Window, active_reps, measure, monthly_history
from bot.vocabulary import DEFAULT_STAGES

STAGES = DEFAULT_STAGES  # prospecting 0, discovery 1, qualification 2, proposal 3, negotiation 4


def deals_frame(rows: list[tuple]) -> pd.DataFrame:
    """Deals as deal_reach reads them: (id, owner_id, outcome, furthest_stage)."""
    return pd.DataFrame(rows, columns=["id", "owner_id", "outcome", "furthest_stage"])


def events_frame(rows: list[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "deal_id": pd.Series([r[0] for r in rows], dtype="int64"),
            "stage": pd.Series([r[1] for r in rows], dtype=object),
            "entered_on": pd.Series([date(2026, 1, 1)] * len(rows), dtype=object),
        }
    )


# --- deal_reach ---------------------------------------------------------------------------


def test_deal_reach_from_the_furthest_stage_field_without_history():
    deals = deals_frame(
        [
            (1, 9, "lost", "prospecting"),
            (2, 9, "lost", "qualification"),
            (3, 9, "open", "negotiation"),
        ]
    )

    reach = deal_reach(deals, events_frame([]), STAGES)

    assert reach.to_dict() == {1: 0, 2: 2, 3: 4}
    assert reach.name == "reach"


def test_deal_reach_takes_the_further_of_history_and_field():
    deals = deals_frame(
        [
            (1, 9, "lost", "discovery"),  # history got to proposal: history wins
            (2, 9, "lost", "qualification"),  # history stops at discovery: the field wins
            (3, 9, "lost", None),  # history only
        ]
    )
    events = events_frame(
        [
            (1, "prospecting"),
            (1, "discovery"),
            (1, "proposal"),
            (2, "prospecting"),
            (2, "discovery"),
            (3, "qualification"),
            (99, "negotiation"),  # a deal not in the frame changes nothing
        ]
    )

    reach = deal_reach(deals, events, STAGES)

    assert reach.to_dict() == {1: 3, 2: 2, 3: 2}


def test_won_deals_passed_every_stage():
    deals = deals_frame([(1, 9, "won", "negotiation"), (2, 9, "won", "discovery")])

    reach = deal_reach(deals, events_frame([(2, "prospecting")]), STAGES)

    assert reach.to_dict() == {1: len(STAGES), 2: len(STAGES)}


def test_deal_reach_is_unknown_without_field_or_history_or_for_stages_not_in_the_pipeline():
    deals = deals_frame(
        [
            (1, 9, "lost", None),
            (2, 9, "lost", "legal review"),  # not one of the configured stages
            (3, 9, "won", None),  # won, but how it got there is unknown: no conversion
            (4, 9, "lost", "proposal"),
        ]
    )
    events = events_frame([(2, "legal review"), (4, "onboarding")])

    reach = deal_reach(deals, events, STAGES)

    assert reach.to_dict() == {1: UNKNOWN, 2: UNKNOWN, 3: UNKNOWN, 4: 3}
    assert reach.dtype.kind == "i"


def test_transitions_run_along_the_stages_and_end_in_won():
    assert transitions(("discovery", "proposal", "negotiation")) == [
        ("discovery", "proposal"),
        ("proposal", "negotiation"),
        ("negotiation", "won"),
    ]


# --- transition_counts ---------------------------------------------------------------------


def test_transition_counts_on_hand_made_closed_deals():
    stages = ("discovery", "proposal", "negotiation")  # reach 3 = won
    closed = pd.DataFrame(
        {
            "owner_id": [1, 1, 1, 2, 2, 3],
            "reach": [3, 1, 0, 2, -1, -1],
        }
    )

    counts = transition_counts(closed, stages)

    table = {
        (row.owner_id, row.from_stage, row.to_stage): (row.entered, row.advanced)
        for row in counts.itertuples()
    }
    # Owner 1: reach 3, 1, 0. Everyone entered discovery; reach >= 1 advanced (2 of 3).
    # Reach >= 1 entered proposal (2), reach >= 2 advanced (1). Only the won deal got further.
    # Owner 2: reach 2 went through to negotiation and was lost there; the unknown deal
    # counts nowhere. Owner 3 has only an unknown deal, so no rows at all.
    assert table == {
        (1, "discovery", "proposal"): (3, 2),
        (1, "proposal", "negotiation"): (2, 1),
        (1, "negotiation", "won"): (1, 1),
        (2, "discovery", "proposal"): (1, 1),
        (2, "proposal", "negotiation"): (1, 1),
        (2, "negotiation", "won"): (1, 0),
    }


def test_transition_counts_never_advance_more_than_entered():
    closed = pd.DataFrame({"owner_id": [1] * 6, "reach": [0, 1, 2, 3, 4, 5]})

    counts = transition_counts(closed, STAGES)

    assert (counts["advanced"] <= counts["entered"]).all()
    # Entered shrinks by one deal per step: 6, 5, 4, 3, 2, and each step loses one.
    assert counts["entered"].tolist() == [6, 5, 4, 3, 2]
    assert counts["advanced"].tolist() == [5, 4, 3, 2, 1]


# --- catalog -----------------------------------------------------------------------------


def test_conversion_metrics_map_the_exit_stage_to_a_skill():
    metric = c.conversion_metric("proposal", "negotiation")

    assert (
        metric.name
        == "conversion:proposal>negotiation"
        == c.conversion_name(*transitions(STAGES)[3])
    )
    assert metric.skill == "value_articulation"
    assert metric.kind == c.Kind.RATE and metric.higher_is_better
    assert metric.min_sample == c.MIN_RATE_SAMPLE
    assert c.conversion_metric("legal review", "won").skill is None


def test_loss_reason_metrics_are_lower_is_better_with_their_skill():
    metric = c.loss_reason_metric("lost_champion")

    assert metric.name == "lost_to:lost_champion"
    assert metric.label == "lost deals lost to lost champion"
    assert metric.skill == "stakeholder_engagement"
    assert not metric.higher_is_better
    assert c.loss_reason_metric("weather").skill is None


def test_base_metric_names_are_unique():
    names = [metric.name for metric in c.BASE_METRICS]

    assert len(names) == len(set(names))


# --- active_reps -------------------------------------------------------------------------


def people_rows(team: str | None, segment: str | None, count: int, start: int) -> list[dict]:
    return [
        {
            "id": start + i,
            "name": f"Rep {start + i}",
            "role": "rep",
            "team": team,
            "segment": segment,
            "active": True,
        }
        for i in range(count)
    ]


def test_peer_group_is_the_team_then_the_segment_then_the_org():
    people = pd.DataFrame(
        people_rows("East", "smb", 5, 1)  # 5 reps: a team big enough to compare within
        + people_rows("West", "enterprise", 3, 10)  # small team, small segment
        + people_rows("North", "enterprise", 2, 20)  # 3 + 2 = 5 enterprise reps
        + people_rows("South", "mid", 2, 30)  # small team, small segment: the whole org
        + [
            {
                "id": 40,
                "name": "Mia",
                "role": "manager",
                "team": "South",
                "segment": "mid",
                "active": True,
            },
            {
                "id": 41,
                "name": "Old",
                "role": "rep",
                "team": "South",
                "segment": "mid",
                "active": False,
            },
        ]
    )

    reps = active_reps(people)

    assert set(reps.index) == {1, 2, 3, 4, 5, 10, 11, 12, 20, 21, 30, 31}
    assert reps.loc[1, "peer_group"] == "team:East"
    assert reps.loc[10, "peer_group"] == "segment:enterprise"
    assert reps.loc[20, "peer_group"] == "segment:enterprise"
    assert reps.loc[30, "peer_group"] == "org"


# --- measure() on a tiny org -------------------------------------------------------------

TODAY = date(2026, 3, 31)
WINDOW = Window(TODAY, 91)  # (2025-12-30, 2026-03-31]: exactly 13 weeks
ANN, BOB, CAL, DEE, EVE, FAY, GUS, MIA = 1, 2, 3, 4, 5, 6, 7, 8


def person(id_, name, role, team, segment, hired, active=True):
    return {
        "id": id_,
        "email": f"{name.lower()}@acme.example",
        "name": name,
        "role": role,
        "manager_id": MIA if role == "rep" else None,
        "team": team,
        "region": "NA",
        "segment": segment,
        "timezone": "UTC",
        "slack_user_id": None,
        "hire_date": hired,
        "active": active,
    }


PEOPLE = pd.DataFrame(
    [
        person(ANN, "Ann", "rep", "East", "mid_market", date(2022, 1, 10)),
        person(BOB, "Bob", "rep", "East", "mid_market", date(2023, 6, 1)),
        person(CAL, "Cal", "rep", "East", "mid_market", date(2026, 3, 3)),  # new: 4 weeks
        person(DEE, "Dee", "rep", "West", "enterprise", date(2021, 2, 1)),
        person(EVE, "Eve", "rep", "West", "enterprise", date(2021, 2, 1)),
        person(FAY, "Fay", "rep", "West", "enterprise", None),  # unknown: whole window
        person(GUS, "Gus", "rep", "West", "enterprise", date(2020, 1, 6), active=False),
        person(MIA, "Mia", "manager", "East", None, date(2019, 1, 7)),
    ]
)

DEAL_COLUMNS = [
    "id",
    "owner_id",
    "amount",
    "created_on",
    "closed_on",
    "furthest_stage",
    "outcome",
    "loss_reason",
    "competitor",
    "contacts_engaged",
    "discount_pct",
]
d = date
DEALS = pd.DataFrame(
    [
        # Ann: two wins, two losses in the window, one open deal, one loss on the start day.
        (10, ANN, 10000.0, d(2026, 1, 5), d(2026, 2, 4), "negotiation", "won", None, None, 4, 10.0),
        (11, ANN, 20000.0, d(2025, 11, 1), d(2026, 3, 1), "proposal", "won", None, None, 3, 0.0),
        (
            12,
            ANN,
            4000.0,
            d(2026, 1, 10),
            d(2026, 2, 15),
            "qualification",
            "lost",
            " Price ",
            "Contoso",
            1,
            None,
        ),
        (
            13,
            ANN,
            6000.0,
            d(2026, 2, 1),
            d(2026, 3, 10),
            "discovery",
            "lost",
            "no_decision",
            None,
            None,
            None,
        ),
        (14, ANN, 5000.0, d(2026, 3, 1), None, "discovery", "open", None, None, 2, None),
        (
            15,
            ANN,
            7000.0,
            d(2025, 10, 1),
            d(2025, 12, 30),
            "proposal",
            "lost",
            "price",
            None,
            1,
            None,
        ),
        # Bob: a loss closed today, a win closed tomorrow, a loss whose reach is unknown.
        (
            20,
            BOB,
            9000.0,
            d(2026, 1, 15),
            d(2026, 3, 31),
            "prospecting",
            "lost",
            "price",
            None,
            2,
            None,
        ),
        (21, BOB, 12000.0, d(2026, 2, 1), d(2026, 4, 1), "negotiation", "won", None, None, 3, 5.0),
        (22, BOB, 3000.0, d(2025, 12, 1), d(2026, 1, 20), None, "lost", "timing", None, 5, None),
        # Cal, the new hire: one quick win.
        (30, CAL, 8000.0, d(2026, 3, 5), d(2026, 3, 25), "negotiation", "won", None, None, 3, 5.0),
        # Dee: a loss to a competitor, and two deals closed long before the window.
        (
            40,
            DEE,
            15000.0,
            d(2026, 1, 2),
            d(2026, 2, 2),
            "negotiation",
            "lost",
            "competitor",
            "Initech",
            3,
            None,
        ),
        (
            41,
            DEE,
            1000.0,
            d(2025, 2, 1),
            d(2025, 3, 31),
            "proposal",
            "lost",
            "price",
            None,
            1,
            None,
        ),
        (42, DEE, 3000.0, d(2025, 2, 1), d(2025, 4, 1), "proposal", "won", None, None, 1, 0.0),
        # Gus is inactive: nothing of his counts.
        (70, GUS, 50000.0, d(2026, 1, 5), d(2026, 2, 5), "negotiation", "won", None, None, 6, 0.0),
    ],
    columns=DEAL_COLUMNS,
)

STAGE_EVENTS = events_frame(
    [
        (12, "prospecting"),
        (12, "discovery"),  # the field (qualification) is further
        (13, "prospecting"),
        (13, "discovery"),
        (13, "qualification"),
        (13, "proposal"),  # further than the field (discovery)
    ]
)


def activity(id_, owner, kind, when):
    return {
        "id": id_,
        "owner_id": owner,
        "deal_id": None,
        "kind": kind,
        "occurred_at": when,
        "duration_minutes": None,
    }


ACTIVITIES = pd.DataFrame(
    [
        activity(1, ANN, "call", "2025-12-30T12:00:00Z"),  # the start day: outside the window
        activity(2, ANN, "call", "2026-01-05T10:00:00Z"),
        activity(3, ANN, "email", "2026-02-01T09:00:00Z"),
        activity(4, ANN, "meeting", "2026-03-31T23:30:00Z"),  # late on the last day: inside
        activity(6, CAL, "call", "2026-03-10T15:00:00Z"),
        activity(7, CAL, "demo", "2026-03-11T15:00:00Z"),
        activity(8, GUS, "call", "2026-03-11T15:00:00Z"),  # inactive rep
    ]
)
ACTIVITIES["occurred_at"] = pd.to_datetime(ACTIVITIES["occurred_at"], utc=True)

FEEDBACK = pd.DataFrame(
    columns=["id", "about_id", "author", "source", "skill", "rating", "note", "given_on"]
)


def crm(activities: pd.DataFrame = ACTIVITIES) -> CrmData:
    return CrmData(PEOPLE, DEALS, STAGE_EVENTS, activities, FEEDBACK)


def rate_table(measured, metric: str) -> dict[int, tuple[int, int]]:
    rows = measured.rates[measured.rates["metric"] == metric]
    return {r.rep_id: (r.successes, r.trials) for r in rows.itertuples()}


def per_week_table(measured, metric: str) -> dict[int, tuple[int, float]]:
    rows = measured.per_week[measured.per_week["metric"] == metric]
    return {r.rep_id: (r.count, r.weeks) for r in rows.itertuples()}


def test_measure_keeps_active_reps_only():
    measured = measure(crm(), WINDOW, STAGES)

    assert sorted(measured.reps.index) == [ANN, BOB, CAL, DEE, EVE, FAY]
    # Teams of 3 and segments of 3: too small, so everyone is compared with the org.
    assert set(measured.reps["peer_group"]) == {"org"}
    assert sorted(measured.closed["id"]) == [10, 11, 12, 13, 20, 22, 30, 40]


def test_measure_win_rate_counts_deals_closed_in_the_window():
    measured = measure(crm(), WINDOW, STAGES)

    # Ann: 10, 11 won; 12, 13 lost (15 closed on the excluded start day).
    # Bob: 20 lost today, 22 lost (21 closes tomorrow). Eve and Fay closed nothing.
    assert rate_table(measured, c.WIN_RATE) == {ANN: (2, 4), BOB: (0, 2), CAL: (1, 1), DEE: (0, 1)}


def test_measure_conversion_counts_follow_each_deals_reach():
    measured = measure(crm(), WINDOW, STAGES)

    reach = measured.closed.set_index("id")["reach"].to_dict()
    assert reach == {10: 5, 11: 5, 12: 2, 13: 3, 20: 0, 22: UNKNOWN, 30: 5, 40: 4}
    # Ann's reaches 5, 5, 2, 3: all four got past prospecting and discovery; three past
    # qualification; of those three, two past proposal; both of those won.
    names = [c.conversion_name(s, t) for s, t in transitions(STAGES)]
    ann = [rate_table(measured, name)[ANN] for name in names]
    assert ann == [(4, 4), (4, 4), (3, 4), (2, 3), (2, 2)]
    # Bob: deal 20 stopped at prospecting; deal 22's reach is unknown and counts nowhere.
    bob = [rate_table(measured, name)[BOB] for name in names]
    assert bob == [(0, 1), (0, 0), (0, 0), (0, 0), (0, 0)]
    # Dee lost at negotiation: entered it, did not win.
    assert rate_table(measured, names[-1])[DEE] == (0, 1)


def test_measure_multithreaded_share_counts_deals_with_three_or_more_contacts():
    measured = measure(crm(), WINDOW, STAGES)

    # Ann: 4, 3, 1 and one unknown (not a trial). Bob: 2 and 5. Cal: 3. Dee: 3.
    assert rate_table(measured, c.MULTITHREADED) == {
        ANN: (2, 3),
        BOB: (1, 2),
        CAL: (1, 1),
        DEE: (1, 1),
    }


def test_measure_loss_reasons_are_normalised_and_counted_over_lost_deals():
    measured = measure(crm(), WINDOW, STAGES)

    # " Price " counts as price; the trials are the rep's lost deals with a reason (the mix
    # of why they lose). Cal lost nothing in the window: no mix to measure.
    assert rate_table(measured, c.loss_reason_name("price")) == {
        ANN: (1, 2),
        BOB: (1, 2),
        DEE: (0, 1),
    }
    assert rate_table(measured, c.loss_reason_name("no_decision"))[ANN] == (1, 2)
    assert rate_table(measured, c.loss_reason_name("timing"))[BOB] == (1, 2)
    assert rate_table(measured, c.loss_reason_name("competitor"))[DEE] == (1, 1)
    # Every known reason has a row for every rep with lost deals.
    loss_rows = measured.rates[measured.rates["metric"].str.startswith("lost_to:")]
    assert len(loss_rows) == len(c.LOSS_REASON_SKILLS) * 3


def test_measure_deals_created_per_week_with_exposure():
    measured = measure(crm(), WINDOW, STAGES)

    # Created in (2025-12-30, 2026-03-31]: Ann 10, 12, 13, 14; Bob 20, 21; Cal 30; Dee 40.
    # Cal was hired 2026-03-03: 28 days on the team, 4 weeks. Fay's unknown hire date: 13.
    assert per_week_table(measured, c.DEALS_CREATED) == {
        ANN: (4, 13.0),
        BOB: (2, 13.0),
        CAL: (1, 4.0),
        DEE: (1, 13.0),
        EVE: (0, 13.0),
        FAY: (0, 13.0),
    }


def test_measure_activities_per_week_count_the_window_in_utc_days():
    measured = measure(crm(), WINDOW, STAGES)

    # Ann: the call on the start day is out; the meeting at 23:30 UTC on the last day is in.
    activities = per_week_table(measured, c.ACTIVITIES)
    assert activities[ANN] == (3, 13.0)
    assert activities[CAL] == (2, 4.0)
    assert activities[BOB] == activities[EVE] == (0, 13.0)
    assert GUS not in activities


def test_measure_activity_after_today_does_not_count():
    late = pd.DataFrame([activity(9, ANN, "demo", pd.Timestamp("2026-04-01T00:00:00Z"))])
    measured = measure(crm(pd.concat([ACTIVITIES, late], ignore_index=True)), WINDOW, STAGES)

    assert per_week_table(measured, c.ACTIVITIES)[ANN] == (3, 13.0)


def test_description_activity_rates_ignore_activities_after_today():
    late = pd.DataFrame([activity(9, ANN, "demo", pd.Timestamp("2026-04-01T00:00:00Z"))])
    measured = measure(crm(pd.concat([ACTIVITIES, late], ignore_index=True)), WINDOW, STAGES)

    assert measured.description.loc[ANN, "demos_per_week"] == 0.0


def test_description_activity_rates_by_kind_add_up_to_activities_per_week():
    # The same window as activities_per_week: a demo after today counts in neither.
    late = pd.DataFrame([activity(9, ANN, "demo", pd.Timestamp("2026-04-01T00:00:00Z"))])
    measured = measure(crm(pd.concat([ACTIVITIES, late], ignore_index=True)), WINDOW, STAGES)

    kinds = ["calls_per_week", "emails_per_week", "meetings_per_week", "demos_per_week"]
    by_kind = measured.description[kinds].sum(axis=1)
    activities = measured.per_week[measured.per_week["metric"] == c.ACTIVITIES].set_index("rep_id")
    expected = activities["count"] / activities["weeks"]
    assert by_kind.to_dict() == pytest.approx(expected.to_dict())
    assert measured.description.loc[CAL, "demos_per_week"] == pytest.approx(1 / 4)
    assert measured.description.loc[ANN, "demos_per_week"] == 0.0


def test_measure_means_over_won_deals():
    measured = measure(crm(), WINDOW, STAGES)

    means = {(r.rep_id, r.metric): (r.n, r.total, r.total_sq) for r in measured.means.itertuples()}
    # Ann's wins: 10 000 and 20 000; discounts 10 and 0; cycles 30 days (Jan 5 → Feb 4) and
    # 120 days (Nov 1 → Mar 1). Cal: 8 000, 5 points, 20 days.
    assert means[(ANN, c.DEAL_SIZE)] == (2, 30000.0, 10000.0**2 + 20000.0**2)
    assert means[(ANN, c.DISCOUNT)] == (2, 10.0, 100.0)
    assert means[(ANN, c.CYCLE_DAYS)] == (2, 150.0, 30.0**2 + 120.0**2)
    assert means[(CAL, c.DEAL_SIZE)] == (1, 8000.0, 64e6)
    assert means[(CAL, c.CYCLE_DAYS)] == (1, 20.0, 400.0)
    assert {rep for rep, _metric in means} == {ANN, CAL}


def test_measure_description_counts_and_pipeline():
    measured = measure(crm(), WINDOW, STAGES)
    description = measured.description

    assert description["closed"].to_dict() == {ANN: 4, BOB: 2, CAL: 1, DEE: 1, EVE: 0, FAY: 0}
    assert description["won"].to_dict() == {ANN: 2, BOB: 0, CAL: 1, DEE: 0, EVE: 0, FAY: 0}
    assert description.loc[ANN, "won_amount"] == 30000.0
    assert description.loc[ANN, "median_won_amount"] == 15000.0
    # Created in the window: 10 000 + 4 000 + 6 000 + 5 000.
    assert description.loc[ANN, "pipeline_created"] == 25000.0
    assert description.loc[ANN, "open_pipeline"] == 5000.0
    assert description.loc[ANN, "weeks"] == 13.0
    assert description.loc[CAL, "weeks"] == 4.0


def test_description_lists_each_reps_loss_reasons_and_competitors():
    measured = measure(crm(), WINDOW, STAGES)
    description = measured.description

    # Ann lost 12 (" Price ", to Contoso) and 13 (no_decision); Dee lost 40 to Initech.
    assert description.loc[ANN, "loss_reasons"] == {"Price": 1, "no_decision": 1}
    assert description.loc[ANN, "competitors"] == {"Contoso": 1}
    assert description.loc[DEE, "competitors"] == {"Initech": 1}


def test_a_rep_hired_after_today_has_no_exposure():
    people = PEOPLE.copy()
    people.loc[people["id"] == EVE, "hire_date"] = date(2026, 5, 1)
    data = CrmData(people, DEALS, STAGE_EVENTS, ACTIVITIES, FEEDBACK)

    measured = measure(data, WINDOW, STAGES)

    assert per_week_table(measured, c.DEALS_CREATED)[EVE] == (0, 0.0)


# --- monthly_history -----------------------------------------------------------------------


def history_table(history: pd.DataFrame, rep: int) -> dict[str, tuple]:
    rows = history[history["rep_id"] == rep]
    return {
        str(r.month): (r.closed, r.won, r.won_amount, None if pd.isna(r.win_rate) else r.win_rate)
        for r in rows.itertuples()
    }


def test_monthly_history_buckets_closed_deals_by_calendar_month():
    reps = active_reps(PEOPLE).index

    history = monthly_history(crm(), reps, TODAY)

    # 12 months, April 2025 to March 2026, for each of the six active reps.
    assert len(history) == 6 * 12
    assert sorted(set(history["month"].astype(str))) == [f"2025-{m:02d}" for m in range(4, 13)] + [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    ann = history_table(history, ANN)
    assert ann["2025-12"] == (1, 0, 0.0, 0.0)  # deal 15, before the 91-day window but a month
    assert ann["2026-02"] == (2, 1, 10000.0, 0.5)  # 10 won, 12 lost
    assert ann["2026-03"] == (2, 1, 20000.0, 0.5)  # 11 won, 13 lost
    assert ann["2025-11"] == (0, 0, 0.0, None)  # no closed deals: no win rate
    # Bob's deal closing 2026-04-01 is after today; 22 in January, 20 on the last day.
    bob = history_table(history, BOB)
    assert bob["2026-01"] == (1, 0, 0.0, 0.0)
    assert bob["2026-03"] == (1, 0, 0.0, 0.0)
    # Dee: March 2025 is 13 months back and dropped; April 2025 is the first month kept.
    dee = history_table(history, DEE)
    assert dee["2025-04"] == (1, 1, 3000.0, 1.0)
    assert sum(closed for closed, *_ in dee.values()) == 2  # April 2025 and deal 40
    # Gus is not among the reps asked about; Eve has twelve empty months.
    assert GUS not in set(history["rep_id"])
    assert all(row == (0, 0, 0.0, None) for row in history_table(history, EVE).values())


def test_monthly_history_ignores_deals_closed_after_today_in_the_current_month():
    history = monthly_history(crm(), pd.Index([ANN, BOB]), date(2026, 3, 20), months=3)

    # Ann's 11 (Mar 1) and 13 (Mar 10) are in; Bob's 20 (Mar 31) is after today.
    assert history_table(history, ANN)["2026-03"] == (2, 1, 20000.0, 0.5)
    assert history_table(history, BOB)["2026-03"] == (0, 0, 0.0, None)
    assert sorted(set(history["month"].astype(str))) == ["2026-01", "2026-02", "2026-03"]


# --- Properties ---------------------------------------------------------------------------

PROPERTY = settings(deadline=None, derandomize=True)


@st.composite
def deals_and_history(draw):
    stages = draw(st.sampled_from([STAGES, ("discovery", "proposal"), ("a", "b", "c", "d")]))
    names = [*stages, "legal review", None]
    size = draw(st.integers(0, 15))
    deals = deals_frame(
        [
            (
                i,
                draw(st.integers(1, 3)),
                draw(st.sampled_from(["won", "lost", "open"])),
                draw(st.sampled_from(names)),
            )
            for i in range(size)
        ]
    )
    events = events_frame(
        draw(
            st.lists(
                st.tuples(st.integers(0, size + 2), st.sampled_from([*stages, "other"])),
                max_size=30,
            )
        )
    )
    return deals, events, stages


@settings(PROPERTY, max_examples=50)
@given(case=deals_and_history())
def test_deal_reach_is_between_unknown_and_won(case):
    deals, events, stages = case

    reach = deal_reach(deals, events, stages)

    assert list(reach.index) == list(deals["id"])
    assert reach.between(UNKNOWN, len(stages)).all()
    won = deals.set_index("id")["outcome"] == "won"
    assert set(reach[won.to_numpy()]) <= {UNKNOWN, len(stages)}
    # Below len(stages) unless won: a lost deal never counts as past the last stage.
    assert (reach[~won.to_numpy()] < len(stages)).all()


@settings(PROPERTY, max_examples=50)
@given(reach=st.lists(st.tuples(st.integers(1, 3), st.integers(-1, len(STAGES))), max_size=20))
def test_transition_counts_never_exceed_the_known_deals(reach):
    closed = pd.DataFrame(reach, columns=["owner_id", "reach"])

    counts = transition_counts(closed, STAGES)

    assert (counts["advanced"] <= counts["entered"]).all()
    known = closed[closed["reach"] >= 0].groupby("owner_id").size()
    for row in counts.itertuples():
        assert row.entered <= known[row.owner_id]
