"""The calibration orgs' deals written as real CRM exports: a Salesforce "Details Only"
report, a HubSpot deals export, and coachbot's native stage history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

STAGES: tuple[str, ...] = ("prospecting", "discovery", "qualification", "proposal", "negotiation")

SF_STAGES = {
    "prospecting": "Prospecting",
    "discovery": "Needs Analysis",
    "qualification": "Value Proposition",
    "proposal": "Proposal/Price Quote",
    "negotiation": "Negotiation/Review",
    "won": "Closed Won",
    "lost": "Closed Lost",
}
HS_STAGES = {
    "discovery": "Appointment scheduled",
    "qualification": "Qualified to buy",
    "proposal": "Presentation scheduled",
    "negotiation": "Contract sent",
    "won": "Closed won",
    "lost": "Closed lost",
}
SF_REASONS = {
    "price": "Price",
    "competitor": "Lost to Competitor",
    "no_decision": "No Decision",
    "timing": "Timing",
    "no_budget": "No Budget",
    "lost_champion": "Lost Champion",
    "product_fit": "Product Fit",
}
HS_REASONS = {
    "price": "Too expensive",
    "competitor": "Went with competitor",
    "no_decision": "Went dark",
    "timing": "Bad timing",
    "no_budget": "Budget cut",
    "lost_champion": "Champion left",
    "product_fit": "Missing features",
}


@dataclass
class Deal:
    """A generated deal, before any export spells it its own way."""

    key: str
    owner: int
    amount: float
    created: date
    closed: date | None
    outcome: str
    stage: str  # furthest stage reached (for closed deals) or current stage (open)
    reason: str | None
    contacts: int
    discount: float | None


def rep_name(rep: int) -> str:
    return f"Rep {rep:02d} Calib"


def csv_row(values: list[str]) -> str:
    return ",".join('"' + v.replace('"', '""') + '"' for v in values)


def salesforce(deals: list[Deal], extra: bool) -> str:
    """A Salesforce "Details Only" report export: quoted, M/D/YYYY dates, a footer."""
    header = [
        "Opportunity Owner",
        "Account Name",
        "Opportunity Name",
        "Stage",
        "Amount",
        "Probability (%)",
        "Close Date",
        "Created Date",
        "Type",
        "Lead Source",
        "Industry",
        "Loss Reason",
        "Opportunity ID",
    ]
    if extra:
        header += ["Contact Roles", "Discount (%)"]
    rows = [csv_row(header)]
    for d in deals:
        stage = SF_STAGES[d.outcome] if d.outcome != "open" else SF_STAGES[d.stage]
        close = d.closed or (d.created + timedelta(days=60))
        values = [
            rep_name(d.owner),
            f"Account {d.key}",
            f"Deal {d.key}",
            stage,
            f"{d.amount:,.2f}",
            "100" if d.outcome == "won" else "0" if d.outcome == "lost" else "40",
            f"{close.month}/{close.day}/{close.year}",
            f"{d.created.month}/{d.created.day}/{d.created.year}",
            "New Business",
            "Web",
            "Software",
            SF_REASONS[d.reason] if d.reason else "",
            export_id(d, "salesforce"),
        ]
        if extra:
            values += [str(d.contacts), "" if d.discount is None else f"{d.discount}"]
        rows.append(csv_row(values))
    footer = [
        "",
        "",
        '"Calibration - All Opportunities"',
        '"Copyright (c) 2000-2026 salesforce.com"',
    ]
    return "\ufeff" + "\r\n".join(rows + footer) + "\r\n"


def hubspot(deals: list[Deal], extra: bool) -> str:
    """A HubSpot deals export: plain numbers, "YYYY-MM-DD HH:MM" dates, stage labels."""
    header = [
        "Record ID",
        "Deal Name",
        "Deal Stage",
        "Close Date",
        "Deal owner",
        "Amount",
        "Create Date",
        "Associated Company (Primary)",
        "Closed Lost Reason",
    ]
    if extra:
        header += ["Number of Associated Contacts", "Discount (%)"]
    rows = [",".join(header)]
    for d in deals:
        stage = (
            HS_STAGES[d.outcome]
            if d.outcome != "open"
            else HS_STAGES.get(d.stage, "Appointment scheduled")
        )
        close = d.closed or (d.created + timedelta(days=60))
        values = [
            export_id(d, "hubspot"),
            f"Deal {d.key}",
            stage,
            f"{close.isoformat()} 16:00",
            rep_name(d.owner),
            f"{d.amount}",
            f"{d.created.isoformat()} 09:30",
            f"Account {d.key}",
            HS_REASONS[d.reason] if d.reason else "",
        ]
        if extra:
            values += [str(d.contacts), "" if d.discount is None else f"{d.discount}"]
        rows.append(csv_row(values))
    return "\n".join(rows) + "\n"


def history(deals: list[Deal], preset: str) -> str:
    """Native stage history: every stage up to the furthest one, days apart."""
    rows = ["deal,stage,entered_on"]
    for d in deals:
        last = len(STAGES) - 1 if d.stage == "won" else STAGES.index(d.stage)
        for index in range(last + 1):
            entered = d.created + timedelta(days=3 * index)
            rows.append(f"{export_id(d, preset)},{STAGES[index]},{entered.isoformat()}")
    return "\n".join(rows) + "\n"


def export_id(d: Deal, preset: str) -> str:
    """The deal's id as the export carries it (a Salesforce record id, a HubSpot number)."""
    return f"0068c0000{d.key}" if preset == "salesforce" else f"1842{d.key}"
