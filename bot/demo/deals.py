"""The demo org's deals: each rep's book of accounts, the deals they open, how each one ends,
and the rows of deals.csv and stage_history.csv."""

from __future__ import annotations

import random
from datetime import date, timedelta

from bot.demo import content
from bot.demo import outcomes as out
from bot.demo import patterns as pat
from bot.demo.patterns import RepProfile, Segment
from bot.demo.world import COLUMNS, Row, SimulatedDeal, World
from bot.vocabulary import DEFAULT_STAGES

# Deals created this long before the history starts are simulated too and kept if they close
# inside it: otherwise the first months would hold only quick (mostly lost) deals, and every
# rep's win rate would seem to rise.
WARMUP_DAYS = 150
BUSINESS_DAYS_PER_MONTH = 21.7
BOOK_SIZE = 20  # accounts per rep: deals come back to the same accounts


def account_books(
    profiles: list[RepProfile], rng: random.Random
) -> dict[str, list[tuple[str, str]]]:
    """Each rep owns a territory of distinct accounts; every account has one industry."""
    accounts = [
        (f"{stem} {suffix}", industry)
        for stem in content.ACCOUNT_STEMS
        for industry, suffixes in content.INDUSTRY_SUFFIXES.items()
        for suffix in suffixes
    ]
    rng.shuffle(accounts)
    return {
        rep.name: accounts[i * BOOK_SIZE : (i + 1) * BOOK_SIZE] for i, rep in enumerate(profiles)
    }


def rep_deals(rep: RepProfile, book: list[tuple[str, str]], world: World) -> list[SimulatedDeal]:
    segment = pat.SEGMENTS[rep.team.segment]
    per_day = min(0.97, segment.deals_per_month * rep.deal_rate / BUSINESS_DAYS_PER_MONTH)
    luck = {False: out.Luck(world.rng), True: out.Luck(world.rng)}  # by size: both sizes track
    deals = []
    # Onboarding comes first; before the history, deals only feed the warm-up.
    day = max(world.start - timedelta(days=WARMUP_DAYS), world.hires[rep.name] + timedelta(days=14))
    while day <= world.as_of:
        if day.weekday() < 5 and world.rng.random() < per_day:
            account = world.rng.choice(book)
            deals.append(_simulate_deal(rep, segment, account, day, luck, world))
        day += timedelta(days=1)
    return deals


def _amount(rep: RepProfile, segment: Segment, rng: random.Random) -> int:
    low, high = segment.amount_bounds
    raw = segment.amount_median * rep.amount_factor * rng.lognormvariate(0, 0.4)
    clipped = min(max(raw, low), high * rep.amount_factor)
    return round(clipped / segment.amount_step) * segment.amount_step


def _dwell(segment: Segment, rep: RepProfile, rng: random.Random) -> timedelta:
    days = rng.gammavariate(2.5, segment.stage_days * rep.cycle_factor / 2.5)
    return timedelta(days=max(1, round(days)))


def _simulate_deal(
    rep: RepProfile,
    segment: Segment,
    account: tuple[str, str],
    created: date,
    luck: dict[bool, out.Luck],
    world: World,
) -> SimulatedDeal:
    rng = world.rng
    amount = _amount(rep, segment, rng)
    big = amount > segment.amount_median
    # Trends follow the month a deal closes in, so judge skill at its expected close.
    expected_close = created + timedelta(days=3.5 * segment.stage_days)
    probs = out.conversion(rep, big, world.progress(expected_close))
    # Small SMB deals sometimes sign straight off the proposal.
    fast_track = rep.team.segment == "smb" and amount < 10_000 and rng.random() < 0.25
    reached, won = out.walk(probs, 3 if fast_track else 4, luck[big].draw())
    entered = [created]
    for _ in range(reached):
        entered.append(entered[-1] + _dwell(segment, rep, rng))
    closed: date | None = entered[-1] + _dwell(segment, rep, rng)
    outcome = "won" if won else "lost"
    if closed > world.as_of:  # not decided on as_of: open, at the stage it has reached
        outcome, closed = "open", None
        entered = [day for day in entered if day <= world.as_of]
    deal = SimulatedDeal(rep, account, amount, created, entered, outcome, closed)
    deal.details = _deal_details(deal, segment, world)
    return deal


def _deal_details(deal: SimulatedDeal, segment: Segment, world: World) -> Row:
    rep, rng, reached = deal.rep, world.rng, len(deal.entered) - 1
    stage = DEFAULT_STAGES[reached]
    reason = ""
    if deal.outcome == "lost":
        reason = world.pick(content.LOSS_MIX[stage])
        if rep.pattern in pat.WEAKNESS_LOSS:
            chance, stages, mix = pat.WEAKNESS_LOSS[rep.pattern]
            if stage in stages and rng.random() < chance:
                reason = world.pick(mix)
    competitor = ""
    if reason == "competitor" or (reached >= 3 and rng.random() < 0.15):
        competitor = world.pick(content.COMPETITORS)
    if rep.pattern == "single_threaded":
        contacts = 1 if rng.random() < 0.8 else 2
    else:  # more people get involved as a deal moves on
        mean = segment.contacts - 0.35 * (4 - reached) + rep.contacts_shift
        contacts = max(1, round(rng.gauss(mean + (0.5 if deal.outcome == "won" else 0), 0.9)))
    discount = 0
    if reached >= 3:  # discounts only come up once there is a proposal
        low, high = rep.discount
        discount = round(rng.triangular(low, high, low + (high - low) / 3))
    recorded = reached >= 1 and rng.random() < 0.33
    return {
        "product": world.pick(content.PRODUCTS[rep.team.segment]),
        "loss_reason": reason,
        "competitor": competitor,
        "contacts_engaged": str(contacts),
        "discount_pct": str(discount),
        "recording_url": "yes" if recorded else "",  # the URL needs the id, given after sorting
    }


def deal_row(deal: SimulatedDeal) -> Row:
    recording = f"https://recordings.northwind.example/calls/{deal.external_id}"
    row = deal.details | {
        "external_id": deal.external_id,
        "owner": deal.rep.email,
        "account": deal.account[0],
        "industry": deal.account[1],
        "segment": deal.rep.team.segment,
        "amount": str(deal.amount),
        "currency": "USD",
        "created_on": deal.created.isoformat(),
        "closed_on": deal.closed.isoformat() if deal.closed else "",
        "furthest_stage": DEFAULT_STAGES[len(deal.entered) - 1],
        "outcome": deal.outcome,
        "recording_url": recording if deal.details["recording_url"] else "",
    }
    return {column: row[column] for column in COLUMNS["deals"]}


def stage_rows(deals: list[SimulatedDeal], rng: random.Random) -> list[Row]:
    # ~15% of deals have no history, as in real exports, so the furthest_stage fallback runs.
    rows = []
    for deal in deals:
        if rng.random() < 0.15:
            continue
        for stage, day in zip(DEFAULT_STAGES, deal.entered, strict=False):
            rows.append({"deal": deal.external_id, "stage": stage, "entered_on": day.isoformat()})
    return rows
