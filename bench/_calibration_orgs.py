"""Generated sales orgs for the calibration benchmark, written as real CRM exports.

Independent of the demo generator (bot/demo): every org has reps who differ from their team
only by luck ("noise-only") and one rep per planted pattern, with the effect sizes below.
Files come in the shapes real imports have: a Salesforce or HubSpot deal export and a roster,
then optionally contacts and discounts, stage history, activities and feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from _crm_exports import STAGES, Deal, history, hubspot, rep_name, salesforce

# Planted patterns and their effect sizes (relative to the rep's team).
LOW_WIN_RATE = 0.5  # win probability x0.5; teams win 55-70% of deals worked with 3+ contacts
SINGLE_THREADED_CONTACTS = 1  # every deal worked with one contact (peers 2-6)
FEW_CONTACTS_WIN_FACTOR = 0.6  # for everyone: deals with <3 contacts are won at x0.6
SMALL_DEAL_SIZE = 0.5  # deal size x0.5 ...
SMALL_DEAL_PRICE_LOSSES = 0.6  # ... 60% of losses to price (mix: 15%) ...
SMALL_DEAL_WIN_FACTOR = 0.75  # ... and win probability x0.75
SLOW_CYCLE = 1.8  # sales cycle x1.8
HEAVY_DISCOUNT_POINTS = 12.0  # discount +12 points
NEW_HIRE_DAYS = 45  # hired 45 days before today, otherwise average

PATTERNS: tuple[str, ...] = (
    "low_win_rate",
    "single_threaded",
    "small_deals_lost_on_price",
    "slow_cycle",
    "heavy_discount",
    "new_hire",
)
EFFECTS: dict[str, str] = {
    "low_win_rate": f"win probability x{LOW_WIN_RATE} (teams win 55-70% of multithreaded deals)",
    "single_threaded": f"{SINGLE_THREADED_CONTACTS} contact on every deal (peers 2-6); "
    f"deals with <3 contacts won x{FEW_CONTACTS_WIN_FACTOR} (everyone)",
    "small_deals_lost_on_price": f"deal size x{SMALL_DEAL_SIZE}, {SMALL_DEAL_PRICE_LOSSES:.0%} "
    f"of losses to price (peers 15%), win probability x{SMALL_DEAL_WIN_FACTOR}",
    "slow_cycle": f"sales cycle x{SLOW_CYCLE}",
    "heavy_discount": f"discount +{HEAVY_DISCOUNT_POINTS:.0f} points",
    "new_hire": f"hired {NEW_HIRE_DAYS} days ago, otherwise average (expected: no verdict)",
}

SHAPES: tuple[str, ...] = ("export", "contacts", "history", "activities", "feedback")
PRESETS: tuple[str, ...] = ("salesforce", "hubspot")
LOSS_MIX: dict[str, float] = {
    "price": 0.15,
    "competitor": 0.2,
    "no_decision": 0.25,
    "timing": 0.15,
    "no_budget": 0.1,
    "lost_champion": 0.08,
    "product_fit": 0.07,
}
TEAMS = 3
REPS_PER_TEAM = 8
HISTORY_DAYS = 270  # deals created over the last nine months; the assessment window is 90
DEALS_PER_REP = 200  # about 65 closed in the window

FEEDBACK_SKILLS = {
    "low_win_rate": "discovery",
    "single_threaded": "stakeholder_engagement",
    "small_deals_lost_on_price": "value_articulation",
    "heavy_discount": "negotiation",
    "slow_cycle": "process_adherence",
}


@dataclass
class Org:
    files: dict[str, str]  # file name -> CSV text
    deal_file: str  # the export, imported with the preset (and mapping, when given)
    mapping: str | None  # a --mapping file name among files, for the extra export columns
    native_files: list[str]  # stage history, activities, feedback (native format)
    planted: dict[str, str]  # email -> pattern
    noise: list[str] = field(default_factory=list)  # emails of noise-only reps


def generate_org(seed: int, shape: str, preset: str, today: date) -> Org:
    rng = np.random.default_rng(seed)
    reps = TEAMS * REPS_PER_TEAM
    chosen = rng.choice(reps, size=len(PATTERNS), replace=False)
    pattern_of = {int(rep): pattern for rep, pattern in zip(chosen, PATTERNS, strict=True)}
    teams = [
        {
            "win": rng.uniform(0.55, 0.7),
            "size": rng.uniform(20_000, 60_000),
            "cycle": rng.uniform(45, 70),
            "drop": rng.dirichlet([4, 3, 3, 3, 2]),  # where lost deals stop
        }
        for _ in range(TEAMS)
    ]
    people = ["email,name,role,manager_email,team,region,segment,timezone,hire_date,active"]
    for team in range(TEAMS):
        people.append(
            f"manager{team}@calib.example,Manager {team},manager,,Team {team},NA,,"
            "America/New_York,2019-01-07,true"
        )
    deals: list[Deal] = []
    for rep in range(reps):
        team = rep // REPS_PER_TEAM
        pattern = pattern_of.get(rep)
        hired = today - timedelta(days=NEW_HIRE_DAYS) if pattern == "new_hire" else date(2021, 1, 4)
        people.append(
            f"{_email(rep)},{rep_name(rep)},rep,manager{team}@calib.example,Team {team},NA,,"
            f"America/New_York,{hired.isoformat()},true"
        )
        deals += _deals(rng, rep, teams[team], pattern, hired, today)
    noise = [_email(r) for r in range(reps) if r not in pattern_of]
    planted = {_email(rep): pattern for rep, pattern in pattern_of.items()}
    files = {"people.csv": "\n".join(people) + "\n"}
    extra = SHAPES.index(shape) >= SHAPES.index("contacts")
    if preset == "salesforce":
        files["opportunities.csv"] = salesforce(deals, extra)
        deal_file = "opportunities.csv"
    else:
        files["hubspot-deals.csv"] = hubspot(deals, extra)
        deal_file = "hubspot-deals.csv"
    mapping = None
    if extra:
        # Columns orgs add to their report: a mapping on top of the preset reads them.
        mapping = "extra-columns.yml"
        contacts = "Contact Roles" if preset == "salesforce" else None
        lines = ["kind: deals", "columns:", '  "Discount (%)": discount_pct']
        if contacts:
            lines.append(f'  "{contacts}": contacts_engaged')
        files[mapping] = "\n".join(lines) + "\n"
    native = []
    if SHAPES.index(shape) >= SHAPES.index("history"):
        files["stage_history.csv"] = history(deals, preset)
        native.append("stage_history.csv")
    if SHAPES.index(shape) >= SHAPES.index("activities"):
        files["activities.csv"] = _activities(rng, reps, today)
        native.append("activities.csv")
    if SHAPES.index(shape) >= SHAPES.index("feedback"):
        files["feedback.csv"] = _feedback(rng, reps, pattern_of, today)
        native.append("feedback.csv")
    return Org(files, deal_file, mapping, native, planted, noise)


def _email(rep: int) -> str:
    return f"rep{rep:02d}@calib.example"


def _deals(
    rng: np.random.Generator,
    rep: int,
    team: dict,
    pattern: str | None,
    hired: date,
    today: date,
) -> list[Deal]:
    win = team["win"] * {"low_win_rate": LOW_WIN_RATE, "small_deals_lost_on_price": 0.75}.get(
        pattern or "", 1.0
    )
    size = team["size"] * (SMALL_DEAL_SIZE if pattern == "small_deals_lost_on_price" else 1.0)
    cycle = team["cycle"] * (SLOW_CYCLE if pattern == "slow_cycle" else 1.0)
    reasons, mix = list(LOSS_MIX), np.array(list(LOSS_MIX.values()))
    if pattern == "small_deals_lost_on_price":
        mix = mix * (1 - SMALL_DEAL_PRICE_LOSSES) / (1 - mix[0])
        mix[0] = SMALL_DEAL_PRICE_LOSSES
    # Deals are created at a steady pace and close one cycle later; a deal whose cycle runs
    # past today is still open, as in a real export (so slow reps close fewer deals).
    start = max(today - timedelta(days=HISTORY_DAYS), hired)
    days = (today - start).days
    count = int(DEALS_PER_REP * days / HISTORY_DAYS)
    result = []
    for n in range(count):
        created = start + timedelta(days=int(rng.integers(0, max(days, 1))))
        closed = created + timedelta(days=int(rng.gamma(4, cycle / 4)) + 1)
        contacts = (
            SINGLE_THREADED_CONTACTS if pattern == "single_threaded" else int(rng.integers(2, 7))
        )
        chance = win * (FEW_CONTACTS_WIN_FACTOR if contacts < 3 else 1.0)
        won = rng.random() < chance
        discount = float(np.clip(rng.normal(8, 4), 0, 60))
        if pattern == "heavy_discount":
            discount += HEAVY_DISCOUNT_POINTS
        is_open = closed > today
        stage = "won" if won else STAGES[int(rng.choice(len(STAGES), p=team["drop"]))]
        result.append(
            Deal(
                key=f"{rep:02d}{n:04d}",
                owner=rep,
                amount=round(float(rng.lognormal(np.log(size), 0.6)), 2),
                created=created,
                closed=None if is_open else closed,
                outcome="open" if is_open else ("won" if won else "lost"),
                stage=STAGES[int(rng.integers(0, len(STAGES)))] if is_open else stage,
                reason=None if won or is_open else str(rng.choice(reasons, p=mix / mix.sum())),
                contacts=contacts,
                discount=round(discount, 1) if won else None,
            )
        )
    return result


def _activities(rng: np.random.Generator, reps: int, today: date) -> str:
    rows = ["external_id,owner,deal,kind,occurred_at"]
    kinds = ("call", "email", "meeting", "demo")
    for rep in range(reps):
        for n in range(int(rng.poisson(20 * 13))):
            moment = datetime.combine(today, datetime.min.time()) - timedelta(
                minutes=int(rng.integers(60, 89 * 24 * 60))
            )
            rows.append(
                f"A{rep:02d}{n:05d},{_email(rep)},,{kinds[int(rng.integers(0, 4))]},"
                f"{moment.isoformat()}Z"
            )
    return "\n".join(rows) + "\n"


def _feedback(rng: np.random.Generator, reps: int, pattern_of: dict[int, str], today: date) -> str:
    rows = ["about,author,source,skill,rating,note,given_on"]
    skills = ("discovery", "qualification", "negotiation", "stakeholder_engagement")
    for rep in range(reps):
        team = rep // REPS_PER_TEAM
        weak = FEEDBACK_SKILLS.get(pattern_of.get(rep, ""))
        for n in range(6):
            skill = skills[n % len(skills)]
            rating = int(rng.integers(3, 5))
            if weak and n % 2 == 0:
                skill, rating = weak, 2
            given = today - timedelta(days=int(rng.integers(1, 150)))
            rows.append(
                f"{_email(rep)},manager{team}@calib.example,manager,{skill},{rating},"
                f"Call review {n + 1},{given.isoformat()}"
            )
    return "\n".join(rows) + "\n"
