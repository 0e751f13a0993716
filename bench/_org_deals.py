"""The generated org's deals and, for a share of them, their stage history."""

from __future__ import annotations

from dataclasses import dataclass

import _harness  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
from _org_columns import bulk_insert, const, dates, ids, ints, labels, numbered, numbers, pick
from _org_people import SEGMENT_SHIFT, SEGMENTS, Reps, Target

from bot.vocabulary import DEFAULT_STAGES, LOSS_REASONS

STAGE_HISTORY_SHARE = 0.3  # deals whose export carries a stage history
# Chance that a deal in each stage moves on (the last: negotiation -> won), about 0.3 overall.
BASE_CONVERSION = np.array([0.90, 0.72, 0.82, 0.82, 0.72])
INDUSTRIES = (
    "software",
    "retail",
    "healthcare",
    "manufacturing",
    "financial_services",
    "education",
    "logistics",
)
PRODUCTS = ("Core", "Analytics", "Platform", "Services")
COMPETITORS = ("Acme CRM", "Globex", "Initech", "Umbrella", "Hooli")


@dataclass(frozen=True)
class Deals:
    """The generated deals, one array entry each, in id order (= creation order)."""

    first: int  # the first deal's id
    count: int
    owner: np.ndarray  # index into the reps
    created: np.ndarray  # day numbers
    closed_on: np.ndarray  # day numbers; past as_of while open
    won: np.ndarray
    is_open: np.ndarray
    stage: np.ndarray  # furthest stage reached, an index into DEFAULT_STAGES


def write_deals(target: Target, rng: np.random.Generator, reps: Reps, n: int) -> Deals:
    today = target.today
    seg, skill, weak_stage = reps.segment, reps.skill, reps.weak_stage
    first_day, days_on = reps.first_day, reps.days_on

    # Deals: created over the history, owner by volume and time on the team; each moves stage
    # by stage until it fails or wins; it is open while its cycle has not ended by as_of.
    weights = reps.volume * days_on
    owner = rng.choice(reps.count, n, p=weights / weights.sum())
    created = first_day[owner] + (rng.random(n) * days_on[owner]).astype(np.int64)
    order = np.argsort(created, kind="stable")  # ids in creation order, as a CRM numbers them
    owner, created = owner[order], created[order]
    logit = (
        np.log(BASE_CONVERSION / (1 - BASE_CONVERSION))[None, :]
        + (SEGMENT_SHIFT[seg] + skill)[:, None]
    )
    logit[np.arange(reps.count), weak_stage] -= np.where(weak_stage >= 0, 1.0, 0.0)
    advance = 1 / (1 + np.exp(-logit))
    passed = rng.random((n, len(DEFAULT_STAGES))) < advance[owner]
    reach = np.where(passed.all(axis=1), len(DEFAULT_STAGES), passed.argmin(axis=1))
    del passed
    won = reach == len(DEFAULT_STAGES)
    cycle = reps.pace[owner] * rng.lognormal(0, 0.5, n) * np.where(won, 1.0, (reach + 1) / 6)
    cycle = np.maximum(cycle.astype(np.int64), 1)
    closed_on = created + cycle
    is_open = closed_on > today
    outcome = np.where(is_open, 2, np.where(won, 0, 1))  # won, lost, open
    elapsed = np.clip((today - created) / cycle, 0, 1)
    stage = np.where(
        is_open, np.minimum(reach, (elapsed * len(DEFAULT_STAGES)).astype(np.int64)), reach
    )
    stage = np.minimum(stage, len(DEFAULT_STAGES) - 1)
    amount = np.maximum(np.round(reps.size[owner] * rng.lognormal(0, 0.6, n), -2), 500.0)
    deal_discount = np.clip(reps.discount[owner] + rng.normal(0, 4, n), 0, 60)
    has_discount = won | (rng.random(n) < 0.5)
    engaged = 1 + rng.poisson(reps.contacts[owner] * (0.35 + 0.65 * stage / 4))
    has_contacts = rng.random(n) >= 0.08
    lost = outcome == 1
    reason = pick(rng, reps.loss_mix, owner)
    has_reason = lost & (rng.random(n) >= 0.1)
    rival = rng.integers(0, len(COMPETITORS), n)
    has_rival = (has_reason & (reason == LOSS_REASONS.index("competitor"))) | (rng.random(n) < 0.1)
    account = owner * 30 + rng.integers(0, 30, n)
    product = rng.choice(len(PRODUCTS), n, p=[0.5, 0.2, 0.2, 0.1])
    recorded = rng.random(n) < 0.25
    deal0 = target.first["deals"]
    deal_numbers = np.arange(1, n + 1)
    bulk_insert(
        target.engine,
        target.tables["deals"],
        n,
        {
            "id": ids(deal0),
            "workspace_id": const(target.workspace),
            "external_id": numbered("D-", 7),
            "owner_id": ints(reps.ids[owner]),
            "account": numbered("Account ", 6, account),
            "industry": labels((account * 2654435761) % len(INDUSTRIES), INDUSTRIES),
            "segment": labels(seg[owner], SEGMENTS),
            "product": labels(product, PRODUCTS),
            "amount": numbers(amount),
            "currency": const("USD"),
            "created_on": dates(created),
            "closed_on": dates(closed_on, ~is_open),
            "furthest_stage": labels(stage, DEFAULT_STAGES),
            "outcome": labels(outcome, ("won", "lost", "open")),
            "loss_reason": labels(reason, LOSS_REASONS, has_reason),
            "competitor": labels(rival, COMPETITORS, has_rival),
            "contacts_engaged": ints(engaged, has_contacts),
            "discount_pct": numbers(deal_discount, has_discount),
            "recording_url": lambda part: [
                f"https://calls.bench.example/D-{i:07d}" if r else None
                for i, r in zip(deal_numbers[part].tolist(), recorded[part].tolist(), strict=True)
            ],
            "updated_at": const(target.stamp),
        },
    )
    target.log(f"deals: {n:,} ({won.mean():.0%} won, {is_open.mean():.0%} open)")
    return Deals(deal0, n, owner, created, closed_on, won, is_open, stage)


def write_stage_events(target: Target, rng: np.random.Generator, deals: Deals) -> int:
    """Stage history for a share of deals: one row per stage entered, spread over its cycle.
    Returns the rows written."""
    won, stage, created = deals.won, deals.stage, deals.created
    with_history = np.flatnonzero(rng.random(deals.count) < STAGE_HISTORY_SHARE)
    entered = np.where(won, len(DEFAULT_STAGES), stage + 1)[with_history]
    event_deal = np.repeat(with_history, entered)
    event_stage = np.arange(len(event_deal)) - np.repeat(np.cumsum(entered) - entered, entered)
    span = np.where(deals.is_open, target.today, deals.closed_on)[event_deal] - created[event_deal]
    event_day = created[event_deal] + (span * event_stage) // np.repeat(entered, entered)
    events = len(event_deal)
    bulk_insert(
        target.engine,
        target.tables["stage_events"],
        events,
        {
            "id": ids(target.first["stage_events"]),
            "workspace_id": const(target.workspace),
            "deal_id": ints(deals.first + event_deal),
            "stage": labels(event_stage, DEFAULT_STAGES),
            "entered_on": dates(event_day),
        },
    )
    target.log(f"stage events: {events:,} (for {len(with_history):,} deals)")
    return events
