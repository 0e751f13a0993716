"""Playbooks: top performers against everyone else, from hand-built frames (no database)."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from bot.analytics.metrics import CrmData
from bot.coaching.assessment import assess
from bot.coaching.playbooks import (
    SELECTED_BY_STRENGTH,
    SELECTED_BY_WIN_RATE,
    SIMILAR_NOTE,
    Behaviour,
    Playbook,
    build_playbook,
    top_performers,
)
from bot.render.renderer import escape_markdown
from bot.services.playbooks import playbook_markdown
from bot.vocabulary import DEFAULT_STAGES, SKILLS

CONTENT = yaml.safe_load(
    (Path(__file__).parents[1] / "templates" / "content" / "coaching.yml").read_text("utf-8")
)
TODAY = date(2026, 6, 30)
FEEDBACK_COLUMNS = [
    "id",
    "about_id",
    "author",
    "author_id",
    "source",
    "skill",
    "rating",
    "note",
    "given_on",
]
TOP = (1, 2)
OTHERS = (3, 4)
NAMES = {
    1: "Alice Topseller",
    2: "Bruno Closer",
    3: "Carla Average",
    4: "Dmitri Steady",
    9: "Maya Manager",
}


# --- building frames -------------------------------------------------------------------------


def people(names: dict[int, str] = NAMES, managers: tuple[int, ...] = (9,)) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": pid,
                "email": f"{name.split()[0].lower()}@acme.example",
                "name": name,
                "role": "manager" if pid in managers else "rep",
                "manager_id": None if pid in managers else managers[0],
                "team": "East",
                "region": "NA",
                "segment": "mid_market",
                "timezone": "UTC",
                "slack_user_id": None,
                "hire_date": date(2022, 1, 3),
                "active": True,
            }
            for pid, name in names.items()
        ]
    )


def deal(
    id: int,
    owner: int,
    outcome: str,
    *,
    contacts: int | None = 2,
    reason: str | None = None,
    competitor: str | None = None,
    stage: str = "negotiation",
    amount: float = 10_000.0,
    discount: float | None = None,
    created: int = 60,  # days before closing
    closed: int = 10,  # days before TODAY
) -> dict[str, Any]:
    closed_on = TODAY - timedelta(days=closed)
    return {
        "id": id,
        "owner_id": owner,
        "industry": "software",
        "product": "Suite",
        "amount": amount,
        "currency": "USD",
        "created_on": closed_on - timedelta(days=created),
        "closed_on": closed_on,
        "furthest_stage": stage,
        "outcome": outcome,
        "loss_reason": reason if outcome == "lost" else None,
        "competitor": competitor,
        "contacts_engaged": contacts,
        "discount_pct": discount,
    }


def no_events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "deal_id": pd.Series(dtype="int64"),
            "stage": pd.Series(dtype=object),
            "entered_on": pd.Series(dtype=object),
        }
    )


def activity_frame(rows: list[tuple[int, int | None, str, date]]) -> pd.DataFrame:
    """(owner, deal, kind, day) rows, as bot/services/frames.py loads them."""
    return pd.DataFrame(
        {
            "owner_id": pd.Series([r[0] for r in rows], dtype="int64"),
            "deal_id": pd.Series([r[1] for r in rows], dtype="float64"),
            "kind": pd.Categorical(
                [r[2] for r in rows], categories=["call", "email", "meeting", "demo"]
            ),
            "occurred_at": pd.Series(
                [datetime(r[3].year, r[3].month, r[3].day, 15, tzinfo=UTC) for r in rows],
                dtype="datetime64[us, UTC]",
            ),
            "duration_minutes": pd.Series([30.0] * len(rows), dtype="float32"),
        }
    )


def crm(
    deals: list[dict[str, Any]],
    events: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    names: dict[int, str] = NAMES,
) -> CrmData:
    return CrmData(
        people=people(names),
        deals=pd.DataFrame(deals),
        stage_events=no_events() if events is None else events,
        activities=activity_frame([]) if activities is None else activities,
        feedback=pd.DataFrame(columns=FEEDBACK_COLUMNS),
    )


def payload(
    rep: int,
    strengths: tuple[str, ...] = (),
    as_of: str = "2026-06-30",
    win_rate: float | None = 0.3,
    status: str = "assessed",
    gaps: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "rep_id": rep,
        "name": NAMES.get(rep, f"Rep {rep}"),
        "as_of": as_of,
        "status": status,
        "headline": {"win_rate": win_rate},
        "strengths": [{"skill": s, "evidence": []} for s in strengths],
        "gaps": [{"skill": s, "evidence": []} for s in gaps],
        "comparisons": [],
    }


def strong_in(skill: str) -> list[dict[str, Any]]:
    return [payload(r, (skill,)) for r in TOP] + [payload(r) for r in OTHERS]


def by_label(playbook: Playbook) -> dict[str, Behaviour]:
    return {b.label: b for b in playbook.behaviours}


def assert_clean(markdown: str, names: dict[int, str] = NAMES) -> None:
    assert not re.search(r"\b(nan|NaN|None|NaT|inf)\b", markdown), markdown
    for name in names.values():
        assert name not in markdown
        assert name.split()[0] not in markdown
    assert "@acme.example" not in markdown


# --- stakeholder engagement: the numbers are exactly the pooled ones -------------------------

# Top reps: ten closed deals with 41 contacts in all (4.1 a deal), every one multi-threaded,
# seven won. Everyone else: ten deals with 19 contacts (1.9), none with 3+, three lost when
# the champion left.
TOP_CONTACTS = (4, 4, 4, 4, 5, 4, 4, 4, 4, 4)
OTHER_CONTACTS = (2, 2, 2, 2, 1, 2, 2, 2, 2, 2)


def stakeholder_deals() -> list[dict[str, Any]]:
    deals = []
    for i, contacts in enumerate(TOP_CONTACTS):
        outcome = "won" if i < 7 else "lost"
        deals.append(deal(100 + i, TOP[i % 2], outcome, contacts=contacts, reason="price"))
    for i, contacts in enumerate(OTHER_CONTACTS):
        outcome = "won" if i < 3 else "lost"
        reason = "lost_champion" if i in (3, 4, 5) else "no_decision"
        deals.append(deal(200 + i, OTHERS[i % 2], outcome, contacts=contacts, reason=reason))
    # Outside the window, open, or owned by a manager: never counted.
    deals.append(deal(300, 1, "won", contacts=1, closed=400))
    deals.append(deal(301, 3, "open", contacts=9) | {"closed_on": None})
    deals.append(deal(302, 9, "won", contacts=9))
    return deals


def test_stakeholder_engagement_behaviours_are_the_pooled_numbers() -> None:
    playbook = build_playbook(
        "stakeholder_engagement",
        crm(stakeholder_deals()),
        strong_in("stakeholder_engagement"),
        TODAY,
        CONTENT,
    )

    found = by_label(playbook)
    contacts = found["Contacts engaged per deal"]
    assert (contacts.top, contacts.others) == (4.1, 1.9)
    assert (contacts.top_n, contacts.others_n, contacts.unit) == (10, 10, "count")
    assert contacts.note.startswith("They bring more of the buying group in")
    multi = found["Deals with 3+ contacts engaged"]
    assert (multi.top, multi.others, multi.unit) == (1.0, 0.0, "pct")
    champion = found["Closed deals lost when the champion left"]
    assert (champion.top, champion.others) == (0.0, 0.3)
    assert champion.note.startswith("Fewer of their deals die with the champion")
    assert (playbook.top_reps, playbook.other_reps) == (2, 2)
    assert playbook.selected_by == SELECTED_BY_STRENGTH
    assert playbook.as_of == TODAY and playbook.window_days == 180

    markdown = playbook_markdown(playbook)
    assert markdown.startswith("# Playbook: Stakeholder engagement\n")
    assert "| Behaviour | Top performers | Everyone else | What it means |" in markdown
    assert (
        "| Contacts engaged per deal | **4.1** (10 closed deals) | 1.9 (10 closed deals) |"
        in markdown
    )
    assert "| **100%** (10 closed deals) | 0% (10 closed deals) |" in markdown
    assert CONTENT["skills"]["stakeholder_engagement"]["summary"] in markdown
    assert "## This week's exercise" in markdown and "## Tips" in markdown
    assert "Window: the last 180 days, as of Jun 30, 2026." in markdown
    assert "the 2 reps whose latest assessment names stakeholder engagement a strength" in markdown
    assert "2 other active reps" in markdown and "pooled" in markdown
    assert "No recorded wins from the top performers yet." in markdown
    assert_clean(markdown)


def test_a_shorter_window_leaves_out_older_deals() -> None:
    deals = stakeholder_deals()
    for item in deals:
        if item["id"] in (100, 101):  # two top deals, 4 contacts each, closed 100 days ago
            item["closed_on"] = TODAY - timedelta(days=100)
    playbook = build_playbook(
        "stakeholder_engagement",
        crm(deals),
        strong_in("stakeholder_engagement"),
        TODAY,
        CONTENT,
        window_days=90,
    )

    contacts = by_label(playbook)["Contacts engaged per deal"]
    assert (contacts.top, contacts.top_n) == (round(33 / 8, 1), 8)
    assert playbook.window_days == 90


def test_too_few_deals_in_a_group_leaves_the_behaviour_out() -> None:
    deals = [d for d in stakeholder_deals() if d["id"] < 104 or d["id"] >= 200]  # 4 top deals
    playbook = build_playbook(
        "stakeholder_engagement", crm(deals), strong_in("stakeholder_engagement"), TODAY, CONTENT
    )

    assert playbook.behaviours == ()
    markdown = playbook_markdown(playbook)
    assert "Not enough data in the last 180 days" in markdown
    assert_clean(markdown)


# --- value articulation and negotiation: means, conversions, loss shares ---------------------


def money_deals() -> list[dict[str, Any]]:
    deals = []
    # Top: 6 won at 30k/50k with 4 or 6 points off; 2 lost in negotiation to a competitor,
    # 2 lost at proposal to price.
    for i in range(6):
        deals.append(
            deal(
                100 + i,
                TOP[i % 2],
                "won",
                amount=30_000 if i < 3 else 50_000,
                discount=4 if i % 2 else 6,
            )
        )
    deals += [
        deal(110, 1, "lost", reason="competitor", competitor="Contoso"),
        deal(111, 2, "lost", reason="competitor", competitor="Contoso"),
        deal(112, 1, "lost", reason="price", stage="proposal"),
        deal(113, 2, "lost", reason="price", stage="proposal"),
    ]
    # Others: 5 won at 20k with 15 points off; 2 lost in negotiation to price, 3 lost at
    # proposal to price.
    for i in range(5):
        deals.append(deal(200 + i, OTHERS[i % 2], "won", amount=20_000, discount=15))
    for i in range(2):
        deals.append(deal(210 + i, OTHERS[i % 2], "lost", reason="price"))
    for i in range(3):
        deals.append(deal(220 + i, OTHERS[i % 2], "lost", reason="price", stage="proposal"))
    return deals


def test_value_articulation_compares_won_size_conversion_and_price_losses() -> None:
    playbook = build_playbook(
        "value_articulation", crm(money_deals()), strong_in("value_articulation"), TODAY, CONTENT
    )

    found = by_label(playbook)
    size = found["Average won deal"]
    assert (size.top, size.others, size.unit) == (40_000.0, 20_000.0, "money")
    assert size.basis == "won deals"
    assert (size.top_n, size.others_n) == (6, 5)
    conversion = found["Proposal → negotiation conversion"]
    assert (conversion.top, conversion.others) == (0.8, 0.7)  # 8/10 against 7/10
    price = found["Closed deals lost to price"]
    assert (price.top, price.others) == (0.2, 0.5)
    markdown = playbook_markdown(playbook)
    assert "**$40k** (6 won deals) | $20k (5 won deals)" in markdown
    assert "your product" not in markdown and "what Suite changes" in markdown  # one product
    assert_clean(markdown)


def test_negotiation_compares_close_rate_discount_and_late_losses() -> None:
    playbook = build_playbook(
        "negotiation", crm(money_deals()), strong_in("negotiation"), TODAY, CONTENT
    )

    found = by_label(playbook)
    close = found["Negotiation → won conversion"]
    assert (close.top, close.others, close.top_n, close.others_n) == (0.75, 0.714, 8, 7)
    discount = found["Average discount on won deals"]
    assert (discount.top, discount.others, discount.unit) == (5.0, 15.0, "points")
    assert discount.note.startswith("They give away less")
    late = found["Closed deals lost to price or a competitor"]
    assert (late.top, late.others) == (0.4, 0.5)
    assert "Days in negotiation before the win (median)" not in found  # no stage history
    markdown = playbook_markdown(playbook)
    assert "**5.0 pts** (6 won deals) | 15.0 pts (5 won deals)" in markdown
    assert_clean(markdown)


def test_objection_handling_win_rate_when_a_competitor_is_named() -> None:
    deals = money_deals()
    for item in deals:
        if item["id"] in (100, 101, 102):
            item["competitor"] = "Contoso"
        if item["id"] in (200, 210, 211, 220, 221):
            item["competitor"] = "Initech"
    playbook = build_playbook(
        "objection_handling", crm(deals), strong_in("objection_handling"), TODAY, CONTENT
    )

    found = by_label(playbook)
    head_to_head = found["Win rate when a competitor is named"]
    assert (head_to_head.top, head_to_head.others) == (0.6, 0.2)  # 3 of 5 against 1 of 5
    assert head_to_head.basis == "competitive deals"
    lost = found["Closed deals lost to a competitor"]
    assert (lost.top, lost.others) == (0.2, 0.0)
    assert lost.note.startswith("More of their deals are lost to a competitor")
    assert_clean(playbook_markdown(playbook))


# --- discovery, qualification and process: stage history and activities ----------------------


def history_org() -> CrmData:
    """Ten closed deals a group, created 60 days before they closed, with a full stage history
    for the reached stages. Top deals stay 4 days in discovery, others 10; top reps hold three
    meetings before each proposal and one after, others one before."""
    deals, events, acts = [], [], []
    for group, owners, base in (("top", TOP, 100), ("others", OTHERS, 200)):
        for i in range(10):
            won = i < (6 if group == "top" else 3)
            reached = 4 if won or i % 2 else 1  # lost ones: in negotiation or discovery
            item = deal(base + i, owners[i % 2], "won" if won else "lost", reason="no_decision")
            item["furthest_stage"] = DEFAULT_STAGES[reached]
            deals.append(item)
            created = item["created_on"]
            discovery_days = 4 if group == "top" else 10
            days = [0, 2, 2 + discovery_days, 2 + discovery_days + 5, 2 + discovery_days + 12]
            for stage, offset in zip(DEFAULT_STAGES[: reached + 1], days, strict=False):
                events.append((base + i, stage, created + timedelta(days=offset)))
            proposal = created + timedelta(days=days[3])
            before = 3 if group == "top" else 1
            for k in range(before):
                acts.append((owners[i % 2], base + i, "meeting", proposal - timedelta(days=1 + k)))
            acts.append((owners[i % 2], base + i, "meeting", proposal + timedelta(days=1)))
            acts.append((owners[i % 2], base + i, "call", created + timedelta(days=1)))
    # A deal with no history: all its meetings count (two).
    deals.append(deal(199, 1, "won"))
    acts += [
        (1, 199, "meeting", TODAY - timedelta(days=30)),
        (1, 199, "meeting", TODAY - timedelta(days=20)),
    ]
    # A demo on an others' deal before it was qualified.
    acts.append((3, 201, "demo", deals[11]["created_on"] + timedelta(days=3)))
    frame = pd.DataFrame(events, columns=["deal_id", "stage", "entered_on"])
    return crm(deals, frame, activity_frame(acts))


def test_discovery_counts_meetings_before_the_proposal_from_stage_history() -> None:
    playbook = build_playbook("discovery", history_org(), strong_in("discovery"), TODAY, CONTENT)

    found = by_label(playbook)
    meetings = found["Meetings per deal before the proposal"]
    # Top: 6 won and 2 lost in negotiation hold 3 before the proposal (the one after is not
    # counted), 2 lost in discovery hold their 4 meetings, deal 199 its 2: 34 over 11 deals.
    # Others: 3 won + 4 lost in negotiation hold 1; 3 lost in discovery hold 2: 13 over 10.
    assert (meetings.top, meetings.others) == (round(34 / 11, 1), 1.3)
    assert (meetings.top_n, meetings.others_n) == (11, 10)
    conversion = found["Discovery → qualification conversion"]
    # Past discovery: top 6 won, 2 lost in negotiation and deal 199 (won) of 11; others 7 of 10.
    assert (conversion.top, conversion.others) == (round(9 / 11, 3), 0.7)
    demoed = found["Deals demoed before they were qualified"]
    assert (demoed.top, demoed.others) == (0.0, round(1 / 7, 3))
    assert (demoed.top_n, demoed.others_n) == (8, 7)
    lost = found["Closed deals lost to no decision or poor fit"]
    assert (lost.top, lost.others) == (round(4 / 11, 3), 0.7)
    assert_clean(playbook_markdown(playbook))


def test_qualification_and_process_use_days_from_stage_history() -> None:
    data = history_org()
    qualification = by_label(
        build_playbook("qualification", data, strong_in("qualification"), TODAY, CONTENT)
    )
    days = qualification["Days from new deal to qualified (median)"]
    assert (days.top, days.others, days.unit) == (6.0, 12.0, "days")

    process = build_playbook(
        "process_adherence", data, strong_in("process_adherence"), TODAY, CONTENT
    )
    found = by_label(process)
    assert len(process.behaviours) <= 5
    discovery = found["Days in discovery (median)"]
    assert (discovery.top, discovery.others) == (4.0, 10.0)
    assert discovery.note.startswith("Their deals move through discovery faster")
    assert "Sales cycle of won deals (median)" not in found  # the others won only 3 deals
    assert "Days in negotiation (median)" not in found  # to a win only: 3 others' deals
    qualified = found["Days in qualification (median)"]
    assert (qualified.top, qualified.others, qualified.top_n) == (5.0, 5.0, 8)
    assert qualified.basis == "deals"
    assert found["Days in prospecting (median)"].note == SIMILAR_NOTE
    per_week = found["Activities logged per week"]
    weeks = 180 / 7
    assert per_week.basis == "reps" and (per_week.top_n, per_week.others_n) == (2, 2)
    assert per_week.top == round(len(top_activities(data)) / (2 * weeks), 1)
    assert_clean(playbook_markdown(process))


def top_activities(data: CrmData) -> pd.DataFrame:
    start = pd.Timestamp(TODAY - timedelta(days=180), tz="UTC")
    acts = data.activities
    return acts[acts["owner_id"].isin(TOP) & (acts["occurred_at"] >= start + pd.Timedelta(days=1))]


def test_every_skill_renders_without_stage_history_or_activities() -> None:
    data = crm(money_deals())
    bare = CrmData(data.people, data.deals, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    for frames in (data, bare):
        for skill in SKILLS:
            playbook = build_playbook(skill, frames, strong_in(skill), TODAY, CONTENT)
            labels = " ".join(b.label for b in playbook.behaviours)
            assert "Meetings" not in labels and "Days in" not in labels
            assert "per week" not in labels or skill == "prospecting"
            markdown = playbook_markdown(playbook)
            assert markdown.startswith(f"# Playbook: {skill.replace('_', ' ').capitalize()}")
            assert_clean(markdown)


def test_prospecting_per_week_figures_pool_the_group_reps() -> None:
    deals = stakeholder_deals()
    acts = [(1, None, "call", TODAY - timedelta(days=d)) for d in range(1, 37)]
    acts += [(3, None, "email", TODAY - timedelta(days=d)) for d in range(1, 10)]
    acts += [(4, None, "meeting", TODAY - timedelta(days=3))]  # not a call or email
    playbook = build_playbook(
        "prospecting",
        crm(deals, activities=activity_frame(acts)),
        strong_in("prospecting"),
        TODAY,
        CONTENT,
    )

    found = by_label(playbook)
    weeks = 2 * 180 / 7
    outreach = found["Calls and emails per week"]
    assert (outreach.top, outreach.others) == (round(36 / weeks, 1), round(9 / weeks, 1))
    created = found["New deals created per week"]
    # Every window deal was created 60 days before it closed 10 days ago: 10 a group (the
    # old deal 300 and the manager's deal 302 do not count; the open one, 301, does).
    assert (created.top, created.others) == (round(10 / weeks, 1), round(11 / weeks, 1))
    assert created.unit == "per_week" and created.top_n == 2
    assert_clean(playbook_markdown(playbook))


# --- who the top performers are --------------------------------------------------------------


def test_top_performers_are_the_reps_strong_in_the_skill() -> None:
    payloads = [*strong_in("negotiation"), payload(5, ("discovery",))]
    assert top_performers(payloads, "negotiation") == {1, 2}
    # The latest assessment counts: rep 2 lost the strength since.
    later = [*payloads, payload(2, (), "2026-07-07"), payload(6, ("negotiation",), "2026-07-07")]
    assert top_performers(later, "negotiation") == {1, 6}


def test_top_performers_fall_back_to_the_top_win_rate_quartile() -> None:
    rates = [0.62, 0.55, 0.40, 0.35, 0.30, 0.28, 0.20, 0.10]
    payloads = [payload(10 + i, ("discovery",) * (i == 5), win_rate=r) for i, r in enumerate(rates)]
    payloads.append(payload(30, win_rate=0.9, status="not_enough_data"))  # not assessed
    payloads.append(payload(31, win_rate=None))  # no win rate
    payloads.append(payload(10, as_of="2026-01-01", win_rate=0.05))  # older, ignored

    # Only one rep is strong in discovery: the top quartile of eight by win rate instead.
    assert top_performers(payloads, "discovery") == {10, 11}
    # Ties at the cut-off are all in.
    tied = [*payloads, payload(40, win_rate=0.55)]
    assert top_performers(tied, "discovery") == {10, 11, 40}
    assert top_performers([], "discovery") == set()


def test_playbook_says_when_the_top_group_came_from_win_rates() -> None:
    payloads = [
        payload(rep, win_rate=rate) for rep, rate in ((1, 0.7), (2, 0.3), (3, 0.2), (4, 0.1))
    ]
    playbook = build_playbook(
        "stakeholder_engagement", crm(stakeholder_deals()), payloads, TODAY, CONTENT
    )

    assert playbook.selected_by == SELECTED_BY_WIN_RATE
    assert (playbook.top_reps, playbook.other_reps) == (1, 3)
    markdown = playbook_markdown(playbook)
    assert "the 1 rep with the highest win rates (fewer than two reps" in markdown
    assert "3 other active reps" in markdown
    assert_clean(markdown)


def test_no_assessments_renders_an_explanation() -> None:
    playbook = build_playbook("discovery", crm(stakeholder_deals()), [], TODAY, CONTENT)

    assert playbook.behaviours == () and playbook.top_reps == 0
    markdown = playbook_markdown(playbook)
    assert "No top performers to learn from yet" in markdown
    assert_clean(markdown)


def test_an_unknown_skill_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown skill"):
        build_playbook("juggling", crm(stakeholder_deals()), [], TODAY, CONTENT)


# --- exemplar calls --------------------------------------------------------------------------


def recorded(owner: int, account: str, closed: int, url: str, amount: float = 42_000) -> dict:
    return {
        "owner_id": owner,
        "account": account,
        "industry": "financial_services",
        "product": "Suite",
        "amount": amount,
        "recording_url": url,
        "closed_on": TODAY - timedelta(days=closed),
    }


def test_exemplar_calls_are_the_top_reps_recorded_wins_newest_first() -> None:
    wins = pd.DataFrame(
        [
            recorded(1, f"Account {i}", closed=i * 3, url=f"https://rec.example/{i}")
            for i in range(1, 8)
        ]
        + [
            recorded(3, "Others Inc", closed=0, url="https://rec.example/others"),
            recorded(2, "Scripted", closed=0, url="javascript:alert(1)"),
            recorded(2, "Future Co", closed=-5, url="https://rec.example/future"),
            recorded(2, "No Link", closed=1, url=None),
        ]
    )
    playbook = build_playbook(
        "stakeholder_engagement",
        crm(stakeholder_deals()),
        strong_in("stakeholder_engagement"),
        TODAY,
        CONTENT,
        recorded_wins=wins,
    )

    assert [c.url for c in playbook.exemplar_calls] == [
        f"https://rec.example/{i}" for i in range(1, 6)
    ]
    first = playbook.exemplar_calls[0]
    assert (first.account, first.details) == ("Account 1", ("Suite", "financial_services"))
    assert (first.amount, first.won_on) == (42_000, TODAY - timedelta(days=3))
    markdown = playbook_markdown(playbook)
    title = "Account 1 — Suite, financial services, $42k, won Jun 27, 2026"
    assert f"- [{escape_markdown(title)}](https://rec.example/1)" in markdown
    assert "Others Inc" not in markdown and "javascript" not in markdown
    assert_clean(markdown)


def test_markdown_escapes_crm_text_and_links() -> None:
    wins = pd.DataFrame(
        [recorded(1, "Pipe | [Bracket] <b>Co</b>", closed=2, url="https://rec.example/a call (1)")]
    )
    playbook = build_playbook(
        "stakeholder_engagement",
        crm(stakeholder_deals()),
        strong_in("stakeholder_engagement"),
        TODAY,
        CONTENT,
        recorded_wins=wins,
    )

    markdown = playbook_markdown(playbook)
    assert "Pipe \\| \\[Bracket\\] \\<b\\>Co\\</b\\>" in markdown
    assert "(https://rec.example/a%20call%20%281%29)" in markdown


# --- a generated org, assessed for real ------------------------------------------------------


def generated_org(seed: int = 3, reps: int = 12) -> CrmData:
    """Reps 1-3 engage more contacts and convert better; deals with stage history, activities
    and a year of closes."""
    rng = random.Random(seed)
    names = {pid: f"Generated Person{pid:02d}" for pid in range(1, reps + 1)} | {99: "Boss Person"}
    deals, events, acts = [], [], []
    deal_id = 0
    for owner in range(1, reps + 1):
        strong = owner <= 3
        for _ in range(60):
            deal_id += 1
            created = TODAY - timedelta(days=rng.randint(20, 330))
            reached = 0
            while reached < 5 and rng.random() < (0.85 if strong else 0.7):
                reached += 1
            won = reached == 5
            span = sum(rng.randint(3, 15) for _ in range(reached + 1))
            closed = created + timedelta(days=span)
            is_open = closed > TODAY
            item = deal(
                deal_id,
                owner,
                "open" if is_open else ("won" if won else "lost"),
                contacts=rng.randint(3, 6) if strong else rng.randint(1, 3),
                reason=rng.choice(
                    ["price", "no_decision", "competitor", "timing", "lost_champion"]
                ),
                competitor=rng.choice([None, None, "Contoso"]),
                stage=DEFAULT_STAGES[min(reached, 4)],
                amount=float(rng.randrange(5_000, 80_000, 500)),
                discount=float(rng.randint(0, 20)),
            )
            item["created_on"], item["closed_on"] = created, None if is_open else closed
            deals.append(item)
            day = created
            for stage in DEFAULT_STAGES[: min(reached, 4) + 1]:
                events.append((deal_id, stage, day))
                acts.append((owner, deal_id, rng.choice(["call", "meeting", "email", "demo"]), day))
                day += timedelta(days=rng.randint(1, 4))
        acts += [
            (owner, None, "call", TODAY - timedelta(days=rng.randint(1, 170))) for _ in range(30)
        ]
    acts = [a for a in acts if a[3] <= TODAY]
    events = [e for e in events if e[2] <= TODAY]
    return CrmData(
        people=people(names, managers=(99,)),
        deals=pd.DataFrame(deals),
        stage_events=pd.DataFrame(events, columns=["deal_id", "stage", "entered_on"]),
        activities=activity_frame(acts),
        feedback=pd.DataFrame(columns=FEEDBACK_COLUMNS),
    )


@pytest.fixture(scope="module")
def generated() -> tuple[CrmData, list[dict[str, Any]]]:
    data = generated_org()
    return data, [a.to_dict() for a in assess(data, TODAY)]


def test_every_skill_renders_on_a_generated_org(generated) -> None:
    data, payloads = generated
    names = dict(zip(data.people["id"], data.people["name"], strict=True))
    wins = data.deals[data.deals["outcome"] == "won"].assign(
        account="Acme Ltd", recording_url=lambda f: "https://rec.example/" + f["id"].astype(str)
    )
    for skill in SKILLS:
        playbook = build_playbook(skill, data, payloads, TODAY, CONTENT, recorded_wins=wins)
        assert playbook.top_reps >= 1 and playbook.other_reps >= 1
        assert 1 <= len(playbook.behaviours) <= 5, skill
        assert len(playbook.exemplar_calls) == 5
        assert playbook.tips == tuple(CONTENT["skills"][skill]["tips"]) or skill in (
            "discovery",
            "prospecting",
        )
        markdown = playbook_markdown(playbook)
        assert markdown.count("\n| ") == len(playbook.behaviours) + 2  # header, rule, rows
        assert_clean(markdown, names)


def test_generated_stakeholder_top_group_engages_more_contacts(generated) -> None:
    data, payloads = generated
    top = top_performers(payloads, "stakeholder_engagement")
    assert top and top <= {1, 2, 3}
    contacts = by_label(build_playbook("stakeholder_engagement", data, payloads, TODAY, CONTENT))[
        "Contacts engaged per deal"
    ]
    assert contacts.top > 4 and contacts.others < 2.5
