"""What the demo org's CRM rows are made of: why deals die, competitors, products, account
names, buyer contacts and the words of manager, buyer and peer feedback. Which rep gets what
is decided in `patterns.py`; these are the shared norms."""

from __future__ import annotations

# fmt: off
# Why deals die, by the stage they died in (weights).
LOSS_MIX: dict[str, dict[str, float]] = {
    "prospecting": {"no_budget": 35, "timing": 30, "no_decision": 25, "product_fit": 10},
    "discovery": {"no_decision": 30, "product_fit": 25, "timing": 20, "no_budget": 20,
                  "competitor": 5},
    "qualification": {"no_budget": 25, "timing": 20, "no_decision": 20, "competitor": 15,
                      "product_fit": 15, "lost_champion": 5},
    "proposal": {"competitor": 30, "price": 25, "no_decision": 20, "timing": 10,
                 "lost_champion": 10, "product_fit": 5},
    "negotiation": {"price": 35, "competitor": 30, "timing": 15, "no_decision": 10,
                    "lost_champion": 10},
}
COMPETITORS: dict[str, float] = {
    "Apex Revenue": 35, "Clearpath CRM": 30, "Lumen Sales Cloud": 20, "Stackline": 15,
}
PRODUCTS: dict[str, dict[str, float]] = {
    "enterprise": {"Revenue Insights": 40, "Forecast Pro": 35, "Data Connect": 25},
    "mid_market": {"Pipeline Cloud": 40, "Forecast Pro": 35, "Revenue Insights": 25},
    "smb": {"Pipeline Cloud": 70, "Forecast Pro": 30},
}
ACCOUNT_STEMS: tuple[str, ...] = (
    "Blue Ridge", "Cedar Point", "Harborview", "Summit", "Ironwood", "Maple Grove", "Granite",
    "Silverline", "Redwood", "Beacon", "Northgate", "Lakeshore", "Pinnacle", "Riverbend",
    "Stonebridge", "Evergreen", "Oakmont", "Clearwater", "Copperfield", "Falcon", "Meridian",
    "Sterling", "Westfield", "Highland", "Bayside", "Crestview", "Juniper", "Keystone",
    "Larkspur", "Monarch", "Northstar", "Old Mill", "Prairie", "Quarry Hill", "Sable",
    "Tidewater", "Union Square", "Vista", "Willow Creek", "Yellowstone", "Aurora", "Birchwood",
    "Cobalt", "Driftwood", "Elmhurst", "Foxhall", "Goldcrest", "Hawthorne", "Ivy Hill",
    "Jasper", "Kingsbridge", "Lighthouse", "Magnolia", "Navarro", "Orchard", "Pacific Crest",
    "Red Rock", "Sandstone", "Trident", "Upland",
)
INDUSTRY_SUFFIXES: dict[str, tuple[str, ...]] = {
    "healthcare": ("Health", "Medical Group", "Clinics", "Care Partners"),
    "financial_services": ("Capital", "Bancorp", "Insurance", "Credit Union"),
    "manufacturing": ("Industries", "Manufacturing", "Components", "Fabrication"),
    "retail": ("Outfitters", "Markets", "Home & Garden", "Apparel"),
    "software": ("Software", "Labs", "Systems", "Cloud"),
    "education": ("Academy", "College", "Learning", "School District"),
    "logistics": ("Logistics", "Freight", "Shipping", "Transport"),
}

CUSTOMER_CONTACTS: tuple[str, ...] = (
    "Dana Ruiz, CFO", "Mark Feldman, VP Operations", "Keisha Grant, Head of RevOps",
    "Tom Albrecht, IT Director", "Laura Castillo, COO", "Raj Mehta, Director of Sales",
    "Ingrid Larsen, Procurement Lead", "Victor Osei, CTO",
)

# Manager notes by skill and band (low = 1-2, mid = 3, high = 4-5).
MANAGER_NOTES: dict[str, dict[str, tuple[str, ...]]] = {
    "discovery": {
        "low": (
            "Jumped to the demo before understanding the pain.",
            "Asked two surface questions, then pitched; we never learned who owns the problem.",
            "No discovery notes on three new deals; the proposal guessed at the use case.",
        ),
        "mid": ("Solid discovery call; dig one level deeper on impact and cost of inaction.",),
        "high": (
            "Excellent discovery: quantified the pain before showing anything.",
            "Great questions on the first call; the buyer did most of the talking.",
        ),
    },
    "qualification": {
        "low": ("Kept chasing a deal with no budget and no timeline; qualify out sooner.",),
        "mid": ("Qualification is fine; confirm the decision process in writing.",),
        "high": ("Tight qualification: budget, authority and timeline clear by week two.",),
    },
    "value_articulation": {
        "low": ("Led with features; the buyer could not repeat why it matters to them.",),
        "mid": ("Good value story; tie it to the customer's own numbers next time.",),
        "high": ("Built the business case with the CFO's numbers. Textbook.",),
    },
    "negotiation": {
        "low": (
            "Offered 25% before the buyer asked for anything.",
            "Conceded on price without getting anything back; lost it to Apex anyway.",
            "Discounting to close is becoming a habit; trade, don't give.",
        ),
        "mid": ("Held price reasonably well; prepare your walk-away point before the call.",),
        "high": ("Traded a longer term for a small discount. Great negotiation.",),
    },
    "stakeholder_engagement": {
        "low": (
            "Single-threaded again: everything runs through one champion.",
            "Champion left and the deal went dark; we had no other contact.",
            "Never met the economic buyer on the biggest deal in the pipeline.",
        ),
        "mid": ("Good champion; get in front of finance before the proposal.",),
        "high": ("Multi-threaded across IT, finance and ops. Excellent.",),
    },
    "objection_handling": {
        "low": ("Got defensive on the security question; acknowledge, then answer.",),
        "mid": ("Handled the pricing objection fine; have the ROI sheet ready.",),
        "high": ("Turned the 'we already have a tool' objection into a pilot. Nice.",),
    },
    "process_adherence": {
        "low": ("Next steps missing on half the open deals; CRM hygiene is slipping.",),
        "mid": ("CRM mostly up to date; close dates need a weekly pass.",),
        "high": ("Pipeline is clean and forecast calls are spot on.",),
    },
    "prospecting": {
        "low": ("Pipeline for next quarter is thin; block time for outbound.",),
        "mid": ("Steady outbound; try a more specific first line.",),
        "high": ("Best outbound numbers on the team this month.",),
    },
}

# What a buyer says in a win/loss interview, by skill and band.
CUSTOMER_NOTES: dict[str, dict[str, tuple[str, ...]]] = {
    "discovery": {
        "low": (
            "They showed us the product before they understood our process.",
            "The demo was generic; nobody asked how our team actually works.",
        ),
        "mid": ("Asked good questions, though the proposal missed one of our workflows.",),
        "high": ("Understood our business better than the other vendors.",),
    },
    "negotiation": {
        "low": (
            "We were offered a bigger discount each time we hesitated.",
            "Price moved a lot; we were never sure what the real number was.",
        ),
        "mid": ("Fair commercial terms, a bit slow to get approvals.",),
        "high": ("Straightforward, fair negotiation; no games.",),
    },
    "stakeholder_engagement": {
        "low": (
            "Only our project lead was ever involved; finance had no idea what we were buying.",
            "When our sponsor moved roles, the conversation just stopped.",
        ),
        "mid": ("Kept the core team informed; could have met our CFO earlier.",),
        "high": ("Made it easy to get our CFO and IT comfortable with the investment.",),
    },
    "value_articulation": {
        "low": ("Lots of features, but the business case was ours to build.",),
        "mid": ("Clear pitch; the ROI numbers were a little generic.",),
        "high": ("The business case used our numbers; it sold itself internally.",),
    },
}

PEER_SKILLS: tuple[str, ...] = (
    "objection_handling", "prospecting", "process_adherence", "value_articulation",
)
PEER_NOTES: dict[str, tuple[str, ...]] = {
    "low": ("Could share account notes more before handing over territory.",),
    "mid": ("Helpful in deal reviews; happy to pair on calls.",),
    "high": (
        "Generous with their talk tracks; my first-call conversion went up.",
        "Ran a great objection-handling session for the team.",
    ),
}
# fmt: on
