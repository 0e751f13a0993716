"""Scenarios come from the rep's own deal mix and losses: different reps, different scenarios;
the same inputs, the same scenario."""

from __future__ import annotations

from datetime import date

import pandas as pd

from bot.coaching import roleplay
from bot.coaching.scenarios import build_scenario
from bot.services.roleplays import content


def _deals(
    reason: str, competitor: str | None, industry: str, product: str, amount: float, n: int = 12
) -> pd.DataFrame:
    rows = []
    for i in range(n):
        lost = i % 3 != 0
        rows.append(
            {
                "id": i,
                "owner_id": 1,
                "industry": industry,
                "product": product,
                "amount": amount,
                "outcome": "lost" if lost else "won",
                "loss_reason": reason if lost else None,
                "competitor": competitor if lost else None,
                "furthest_stage": "negotiation" if lost else None,
                "created_on": date(2026, 1, 1),
            }
        )
    return pd.DataFrame(rows)


def test_scenarios_follow_the_reps_losses() -> None:
    library = content()
    price = build_scenario(
        1, _deals("price", "Stackline", "retail", "Suite", 12_000), "negotiation", library
    )
    champion = build_scenario(
        2, _deals("lost_champion", None, "healthcare", "Insights", 180_000), "negotiation", library
    )
    assert (price.objection, price.industry, price.product, price.competitor) == (
        "price",
        "retail",
        "Suite",
        "Stackline",
    )
    assert (champion.objection, champion.industry, champion.product) == (
        "authority",
        "healthcare",
        "Insights",
    )
    assert price.amount_band == "$10k-$50k" and champion.amount_band == "over $150k"
    assert (
        "lost to price" in price.loss_pattern and "lost to lost champion" in champion.loss_pattern
    )
    assert roleplay.start(price, library).buyer != roleplay.start(champion, library).buyer


def test_the_same_inputs_give_the_same_scenario() -> None:
    library = content()
    deals = _deals("competitor", "Apex", "software", "Suite", 40_000)
    first = build_scenario(7, deals, "objection_handling", library)
    again = build_scenario(7, deals.sample(frac=1, random_state=3), "objection_handling", library)
    assert first == again
    assert roleplay.start(first, library).buyer == roleplay.start(again, library).buyer


def test_without_a_loss_pattern_the_skill_chooses_the_objection() -> None:
    scenario = build_scenario(
        3,
        _deals("", None, "logistics", "Suite", 5_000).assign(loss_reason=None),
        "discovery",
        content(),
    )
    assert scenario.objection == "no_need"
    assert "no dominant loss reason" in scenario.loss_pattern


def test_every_content_entry_has_what_the_role_play_needs() -> None:
    library = content()
    for objection in library["objections"].values():
        assert {"buyer_lines", "harder_lines", "softer_lines", "script", "exemplar"} <= set(
            objection
        )
    for persona in library["buyers"].values():
        assert {
            "roles",
            "opener",
            "vague_reply",
            "open_reply",
            "value_question",
            "stall",
            "agree_next_step",
            "decline_next_step",
        } <= set(persona)
    assert {r["skill"] for r in library["resources"]} == set(library["skills"])
