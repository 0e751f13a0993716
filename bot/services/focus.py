"""A rep's one focus for the week: their plan's first objective when a plan is active, else
their top gap, else a strength to keep sharp, else the basics. The Monday nudge and the Home
tab say the same thing."""

from __future__ import annotations

from typing import Any

from bot.render.sentences import sentence
from bot.services import plans
from bot.services.roleplays import content
from bot.store.engine import Database


def weekly_focus(
    db: Database, workspace_id: int, rep_id: int, payload: dict[str, Any]
) -> dict[str, Any]:
    """{skill, action, objective (or None), reason: plan, gap, win_rate, strength, basics}."""
    plan = plans.open_plan_of(db, workspace_id, rep_id)
    if plan and plan["status"] == "active" and plan["objectives"]:
        focus = plan["objectives"][0]
        action = sentence("weekly_focus_action", indicator=focus["leading_indicator"])
        return {
            "skill": focus["skill"],
            "action": action,
            "objective": focus["statement"],
            "reason": "gap",
        }
    if payload.get("gaps"):
        top = payload["gaps"][0]
        skill, reason = top["skill"], "win_rate" if top.get("diagnostic") else "gap"
    elif payload.get("strengths"):
        skill, reason = payload["strengths"][0]["skill"], "strength"
    else:
        skill, reason = "discovery", "basics"
    action = content()["skills"][skill]["exercise"]
    return {"skill": skill, "action": action, "objective": None, "reason": reason}
