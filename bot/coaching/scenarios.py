"""Role-play scenarios built from the rep's own deals: the industry, product, competitor and
objection that most often cost them deals. Pure and deterministic: the same deals and skill
give the same scenario."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

# The objection a buyer most likely raised when a deal was lost for this reason.
OBJECTION_FOR_LOSS: dict[str, str] = {
    "price": "price",
    "no_budget": "price",
    "competitor": "competitor",
    "timing": "timing",
    "no_decision": "status_quo",
    "lost_champion": "authority",
    "product_fit": "no_need",
}
# Without a loss pattern, the objection that practises the skill best.
OBJECTION_FOR_SKILL: dict[str, str] = {
    "discovery": "no_need",
    "qualification": "authority",
    "value_articulation": "price",
    "negotiation": "price",
    "stakeholder_engagement": "authority",
    "objection_handling": "competitor",
    "process_adherence": "timing",
    "prospecting": "status_quo",
}
GOALS: dict[str, str] = {
    "discovery": (
        "Ask layered open questions until the buyer names a pain in numbers, before any pitch."
    ),
    "qualification": "Find out who decides, by when, and what it is worth to them.",
    "value_articulation": (
        "Tie the product to the buyer's own numbers: a from-to they can repeat to their boss."
    ),
    "negotiation": "Hold the price by trading value, not discount; get a dated next step.",
    "stakeholder_engagement": "Learn who else is involved and get a meeting that includes them.",
    "objection_handling": "Acknowledge, clarify, respond, confirm: then move to a next step.",
    "process_adherence": "Leave with a clear, dated next step that fits the buyer's process.",
    "prospecting": "Earn the right to a first meeting with one relevant question.",
}
GOOD_LOOKS_LIKE: dict[str, str] = {
    "discovery": (
        "two or more open questions before you describe the product, "
        "and the buyer's pain restated in their numbers"
    ),
    "qualification": "the decision maker, the timeline and the budget named by the buyer",
    "value_articulation": "one quantified outcome (hours, errors, revenue) in the buyer's terms",
    "negotiation": "no discount offered; the objection acknowledged; a dated next step",
    "stakeholder_engagement": "a named second stakeholder and a meeting that includes them",
    "objection_handling": (
        "the objection acknowledged before answering, clarified with a question, and confirmed"
    ),
    "process_adherence": "a specific next step with a date before the conversation ends",
    "prospecting": "a reason to meet that matters to this buyer, and a proposed time",
}


@dataclass(frozen=True)
class Scenario:
    skill: str
    industry: str
    role: str
    company_band: str
    product: str
    competitor: str | None
    amount_band: str
    stage: str
    objection: str
    loss_pattern: str  # why this scenario: the rep's own numbers, in words
    goal: str
    good_looks_like: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def placeholders(self) -> dict[str, str]:
        industry = "growing" if self.industry == "default" else self.industry.replace("_", " ")
        return {
            "industry": industry,
            "product": self.product,
            "competitor": self.competitor or "the other vendor",
            "role": self.role,
            "company": f"a {self.company_band} {industry} company",
            "amount_band": self.amount_band,
        }


def build_scenario(
    rep_id: int, deals: pd.DataFrame, skill: str, content: dict[str, Any]
) -> Scenario:
    """A scenario from the rep's deals (`deals`: their rows of the deals frame, any window)."""
    lost = deals[deals["outcome"] == "lost"]
    source = lost if len(lost) >= 3 else deals
    industry = _mode(source, "industry") or "default"
    buyers = content["buyers"]
    persona = buyers.get(industry) or buyers["default"]
    reasons = lost["loss_reason"].dropna().astype(str).str.strip().str.lower()
    known = reasons[reasons.isin(OBJECTION_FOR_LOSS)]
    if len(known):
        top_reason = known.value_counts().sort_index().idxmax()
        objection = OBJECTION_FOR_LOSS[top_reason]
        share = (known == top_reason).sum() / max(len(lost), 1)
        pattern = (
            f"{share:.0%} of your lost deals ({(known == top_reason).sum()} of {len(lost)}) were "
            f"lost to {top_reason.replace('_', ' ')}"
        )
    else:
        objection = OBJECTION_FOR_SKILL[skill]
        pattern = "your deals show no dominant loss reason, so this practises the skill itself"
    amounts = source["amount"].astype(float)
    median = float(amounts.median()) if len(amounts) else 0.0
    return Scenario(
        skill=skill,
        industry=industry,
        role=_pick(persona["roles"], rep_id, skill),
        company_band=_company_band(median),
        product=_mode(source, "product") or "the product",
        competitor=_mode(lost, "competitor"),
        amount_band=_amount_band(median),
        stage=_mode(lost, "furthest_stage") or "proposal",
        objection=objection,
        loss_pattern=pattern,
        goal=GOALS[skill],
        good_looks_like=GOOD_LOOKS_LIKE[skill],
    )


def _mode(frame: pd.DataFrame, column: str) -> str | None:
    if column not in frame or frame.empty:
        return None
    values = frame[column].dropna().astype(str).str.strip()
    values = values[values != ""]
    if values.empty:
        return None
    counts = values.value_counts()
    top = counts[counts == counts.max()].index
    return str(sorted(top)[0])  # ties broken alphabetically: deterministic


def _pick(options: list[str], rep_id: int, skill: str) -> str:
    digest = hashlib.sha256(f"{rep_id}:{skill}".encode()).digest()
    return options[digest[0] % len(options)]


def _amount_band(amount: float) -> str:
    for limit, band in ((10_000, "under $10k"), (50_000, "$10k-$50k"), (150_000, "$50k-$150k")):
        if amount < limit:
            return band
    return "over $150k"


def _company_band(amount: float) -> str:
    if amount < 25_000:
        return "small"
    if amount < 120_000:
        return "mid-size"
    return "large"
