"""A deterministic synthetic sales org in the native CSV format (docs/import-format.md).

The same seed and as_of give byte-identical files: randomness comes only from one
`random.Random(seed)` drawn in a fixed order, and nothing reads the clock. Who the reps are and
which patterns are planted is defined in `bot.demo.patterns`; examples/README.md lists them.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.demo import patterns as pat
from bot.demo.patterns import RepProfile, Segment, email_for
from bot.vocabulary import DEFAULT_STAGES, SKILLS

DEMO_AS_OF: date = date(2026, 11, 20)  # the "today" of the demo data (a Friday)
DEFAULT_SEED = 7
HISTORY_DAYS = 395  # about 13 months of closed deals, open pipeline and activity
# Deals created this long before the history starts are simulated too and kept if they close
# inside it: otherwise the first months would hold only quick (mostly lost) deals, and every
# rep's win rate would seem to rise.
WARMUP_DAYS = 150
BUSINESS_DAYS_PER_MONTH = 21.7
BOOK_SIZE = 20  # accounts per rep: deals come back to the same accounts

# fmt: off
COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("email", "name", "role", "manager_email", "team", "region", "segment",
               "timezone", "slack_user_id", "hire_date", "active"),
    "deals": ("external_id", "owner", "account", "industry", "segment", "product", "amount",
              "currency", "created_on", "closed_on", "furthest_stage", "outcome", "loss_reason",
              "competitor", "contacts_engaged", "discount_pct", "recording_url"),
    "stage_history": ("deal", "stage", "entered_on"),
    "activities": ("external_id", "owner", "deal", "kind", "occurred_at", "duration_minutes"),
    "feedback": ("external_id", "about", "author", "source", "skill", "rating", "note",
                 "given_on"),
}
# What a rep logs on a deal in each stage (one touch per stage keeps activities.csv < 2 MB);
# the discovery-weak rep demos where others ask questions.
STAGE_TOUCHES: tuple[dict[str, float], ...] = (
    {"call": 50, "email": 50},
    {"call": 45, "meeting": 40, "email": 15},
    {"meeting": 50, "call": 30, "email": 20},
    {"demo": 50, "meeting": 25, "email": 25},
    {"meeting": 45, "call": 35, "email": 20},
)
DEMO_FIRST: dict[str, float] = {"demo": 60, "call": 20, "meeting": 20}
DURATIONS: dict[str, tuple[int, ...]] = {
    "call": (5, 10, 15, 20, 30, 45), "meeting": (30, 45, 60), "demo": (45, 60, 90),
    "cold_call": (2, 3, 5, 8),
}
# fmt: on

Row = dict[str, str]


@dataclass(frozen=True)
class DemoOrg:
    people: list[Row]
    deals: list[Row]
    stage_history: list[Row]
    activities: list[Row]
    feedback: list[Row]


@dataclass
class _World:
    """What every step needs: the one random stream, the time span, and who was hired when."""

    rng: random.Random
    start: date  # first day of the history
    as_of: date
    hires: dict[str, date] = field(default_factory=dict)

    def progress(self, day: date) -> float:
        """0 at the start of the history, 1 on as_of (clamped)."""
        return min(1.0, max(0.0, (day - self.start).days / (self.as_of - self.start).days))

    def pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class _Deal:
    rep: RepProfile
    account: tuple[str, str]  # (name, industry)
    amount: int
    created: date
    entered: list[date]  # one date per stage reached, as known on as_of
    outcome: str
    closed: date | None
    details: Row = field(default_factory=dict)  # product, loss_reason, competitor, ...
    external_id: str = ""


def generate_org(seed: int = DEFAULT_SEED, as_of: date = DEMO_AS_OF) -> DemoOrg:
    world = _World(random.Random(seed), as_of - timedelta(days=HISTORY_DAYS), as_of)
    profiles = pat.build_profiles(world.rng)
    world.hires = _hire_dates(profiles, world)
    books = _account_books(profiles, world.rng)
    deals: list[_Deal] = []
    for rep in profiles:
        deals += _rep_deals(rep, books[rep.name], world)
    deals = [d for d in deals if d.closed is None or d.closed >= world.start]
    deals.sort(key=lambda d: (d.created, d.rep.email))
    for number, deal in enumerate(deals, 1):
        deal.external_id = f"D-{number:06d}"
    return DemoOrg(
        people=_people_rows(profiles, world.hires),
        deals=[_deal_row(d) for d in deals],
        stage_history=_stage_rows(deals, world.rng),
        activities=_activity_rows(deals, profiles, world),
        feedback=_feedback_rows(profiles, deals, world),
    )


def write_csvs(org: DemoOrg, out_dir: Path) -> list[Path]:
    """Write the five native-format files (UTF-8, \\n); returns their paths in COLUMNS order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, columns in COLUMNS.items():
        path = out_dir / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(getattr(org, kind))
        paths.append(path)
    return paths


# --- people ----------------------------------------------------------------------------------


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _hire_dates(profiles: list[RepProfile], world: _World) -> dict[str, date]:
    hires = {pat.VP_NAME: date(2019, 3, 4), pat.ADMIN_NAME: date(2020, 6, 1)}
    for team in pat.TEAMS:
        hires[team.manager] = _monday(world.start - timedelta(days=world.rng.randint(900, 2400)))
    for rep in profiles:
        if rep.pattern == "new_hire":
            hires[rep.name] = _monday(world.as_of - timedelta(days=39))  # 5-6 weeks in
        elif rep.pattern == "improving":
            hires[rep.name] = _monday(world.start - timedelta(days=45))  # ramping all year
        else:  # before the warm-up, so every deal history is complete; stars are veterans
            veteran = rep.pattern in ("top_performer", "declining")
            days = world.rng.randint(1100 if veteran else 200, 2500)
            hires[rep.name] = _monday(world.start - timedelta(days=days))
    return hires


def _people_rows(profiles: list[RepProfile], hires: dict[str, date]) -> list[Row]:
    vp, east = email_for(pat.VP_NAME), "America/New_York"
    people = [
        (pat.ADMIN_NAME, "admin", vp, "", "", east),
        (pat.VP_NAME, "manager", "", "", "", east),
    ]
    for team in pat.TEAMS:
        people.append((team.manager, "manager", vp, team.name, team.segment, team.timezone))
    for rep in profiles:
        manager = email_for(rep.team.manager)
        people.append((rep.name, "rep", manager, rep.team.name, rep.team.segment, rep.timezone))
    return [
        {
            "email": email_for(name),
            "name": name,
            "role": role,
            "manager_email": manager,
            "team": team,
            "region": "EMEA" if tz == pat.LONDON else "NA",
            "segment": segment,
            "timezone": tz,
            "slack_user_id": f"U0DEMO{number:03d}",
            "hire_date": hires[name].isoformat(),
            "active": "true",
        }
        for number, (name, role, manager, team, segment, tz) in enumerate(people, 1)
    ]


# --- deals -----------------------------------------------------------------------------------


def _account_books(
    profiles: list[RepProfile], rng: random.Random
) -> dict[str, list[tuple[str, str]]]:
    """Each rep owns a territory of distinct accounts; every account has one industry."""
    accounts = [
        (f"{stem} {suffix}", industry)
        for stem in pat.ACCOUNT_STEMS
        for industry, suffixes in pat.INDUSTRY_SUFFIXES.items()
        for suffix in suffixes
    ]
    rng.shuffle(accounts)
    return {
        rep.name: accounts[i * BOOK_SIZE : (i + 1) * BOOK_SIZE] for i, rep in enumerate(profiles)
    }


def _rep_deals(rep: RepProfile, book: list[tuple[str, str]], world: _World) -> list[_Deal]:
    segment = pat.SEGMENTS[rep.team.segment]
    per_day = min(0.97, segment.deals_per_month * rep.deal_rate / BUSINESS_DAYS_PER_MONTH)
    luck = {False: pat.Luck(world.rng), True: pat.Luck(world.rng)}  # by size: both sizes track
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
    luck: dict[bool, pat.Luck],
    world: _World,
) -> _Deal:
    rng = world.rng
    amount = _amount(rep, segment, rng)
    big = amount > segment.amount_median
    # Trends follow the month a deal closes in, so judge skill at its expected close.
    expected_close = created + timedelta(days=3.5 * segment.stage_days)
    probs = pat.conversion(rep, big, world.progress(expected_close))
    # Small SMB deals sometimes sign straight off the proposal.
    fast_track = rep.team.segment == "smb" and amount < 10_000 and rng.random() < 0.25
    reached, won = pat.walk(probs, 3 if fast_track else 4, luck[big].draw())
    entered = [created]
    for _ in range(reached):
        entered.append(entered[-1] + _dwell(segment, rep, rng))
    closed: date | None = entered[-1] + _dwell(segment, rep, rng)
    outcome = "won" if won else "lost"
    if closed > world.as_of:  # not decided on as_of: open, at the stage it has reached
        outcome, closed = "open", None
        entered = [day for day in entered if day <= world.as_of]
    deal = _Deal(rep, account, amount, created, entered, outcome, closed)
    deal.details = _deal_details(deal, segment, world)
    return deal


def _deal_details(deal: _Deal, segment: Segment, world: _World) -> Row:
    rep, rng, reached = deal.rep, world.rng, len(deal.entered) - 1
    stage = DEFAULT_STAGES[reached]
    reason = ""
    if deal.outcome == "lost":
        reason = world.pick(pat.LOSS_MIX[stage])
        if rep.pattern in pat.WEAKNESS_LOSS:
            chance, stages, mix = pat.WEAKNESS_LOSS[rep.pattern]
            if stage in stages and rng.random() < chance:
                reason = world.pick(mix)
    competitor = ""
    if reason == "competitor" or (reached >= 3 and rng.random() < 0.15):
        competitor = world.pick(pat.COMPETITORS)
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
        "product": world.pick(pat.PRODUCTS[rep.team.segment]),
        "loss_reason": reason,
        "competitor": competitor,
        "contacts_engaged": str(contacts),
        "discount_pct": str(discount),
        "recording_url": "yes" if recorded else "",  # the URL needs the id, given after sorting
    }


def _deal_row(deal: _Deal) -> Row:
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


def _stage_rows(deals: list[_Deal], rng: random.Random) -> list[Row]:
    # ~15% of deals have no history, as in real exports, so the furthest_stage fallback runs.
    rows = []
    for deal in deals:
        if rng.random() < 0.15:
            continue
        for stage, day in zip(DEFAULT_STAGES, deal.entered, strict=False):
            rows.append({"deal": deal.external_id, "stage": stage, "entered_on": day.isoformat()})
    return rows


# --- activities ------------------------------------------------------------------------------


def _work_time(first: date, last: date, tz: ZoneInfo, rng: random.Random) -> datetime | None:
    """A weekday moment in business hours (08:00-17:00 local) between two dates, if any."""
    if last < first:
        return None
    day = first + timedelta(days=rng.randint(0, (last - first).days))
    if day.weekday() >= 5:
        day -= timedelta(days=day.weekday() - 4)  # back to Friday
        if day < first:
            return None
    minutes = rng.randrange(8 * 12, 17 * 12) * 5
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=tz)


def _activity_rows(deals: list[_Deal], profiles: list[RepProfile], world: _World) -> list[Row]:
    rng = world.rng
    # Only the history's activity is exported, and it stops the day before as_of so that no
    # local evening becomes "tomorrow" in UTC.
    first_day, last_day = world.start, world.as_of - timedelta(days=1)
    events: list[tuple[datetime, str, str, str]] = []  # when, owner, deal id, kind
    for deal in deals:
        tz = ZoneInfo(deal.rep.timezone)
        ends = [*deal.entered[1:], deal.closed or world.as_of]
        for stage, (begin, end) in enumerate(zip(deal.entered, ends, strict=True)):
            demo_first = stage == 1 and deal.rep.pattern == "discovery_weak"
            kind = world.pick(DEMO_FIRST if demo_first else STAGE_TOUCHES[stage])
            when = _work_time(max(begin, first_day), min(end, last_day), tz, rng)
            if when:
                events.append((when, deal.rep.email, deal.external_id, kind))
    for rep in profiles:  # cold calls that did not (yet) become a deal
        tz = ZoneInfo(rep.timezone)
        day = max(first_day, world.hires[rep.name] + timedelta(days=7))
        while day <= last_day:
            when = _work_time(day, day, tz, rng) if rng.random() < 0.25 else None
            if when:  # None on weekends too
                events.append((when, rep.email, "", "call"))
            day += timedelta(days=1)
    events.sort(key=lambda e: (e[0].timestamp(), e[1], e[2], e[3]))
    rows = []
    for number, (when, owner, deal_id, kind) in enumerate(events, 1):
        durations = DURATIONS.get(kind if deal_id else "cold_call")
        duration = str(rng.choice(durations)) if durations else ""
        cells = (f"A-{number:06d}", owner, deal_id, kind, when.isoformat(), duration)
        rows.append(dict(zip(COLUMNS["activities"], cells, strict=True)))
    return rows


# --- feedback --------------------------------------------------------------------------------

Feedback = tuple[date, str, str, str, str, int, str]  # given, about, author, source, skill, ...


def _rating(rep: RepProfile, skill: str, progress: float, rng: random.Random) -> int:
    if rep.skill_trend:
        first, last = rep.skill_trend
        mean = first + (last - first) * progress
    else:
        mean = rep.skill_means[skill]
    return min(5, max(1, round(rng.gauss(mean, 0.5))))


def _band(rating: int) -> str:
    return "low" if rating <= 2 else "mid" if rating == 3 else "high"


def _feedback_skill(rep: RepProfile, choices: tuple[str, ...], rng: random.Random) -> str:
    # A manager keeps coming back to the weakness; so do buyers who felt it.
    weak = pat.WEAK_SKILL.get(rep.pattern)
    if weak and weak in choices and rng.random() < 0.55:
        return weak
    return rng.choice(choices)


def _internal_feedback(rep: RepProfile, peers: list[str], world: _World) -> list[Feedback]:
    """Two manager ratings a month (about the weakness, for weak reps) and some peer notes."""
    rng, events = world.rng, []
    month = world.start.replace(day=1)
    while month <= world.as_of:
        for source in ("manager", "manager", "peer"):
            if source == "peer" and rng.random() > 0.3:
                continue
            given = month + timedelta(days=rng.randint(14, 27))
            given = min(given - timedelta(days=max(0, given.weekday() - 4)), world.as_of)
            if given < max(world.start, world.hires[rep.name] + timedelta(days=21)):
                continue
            if source == "manager":
                skill, author = _feedback_skill(rep, SKILLS, rng), email_for(rep.team.manager)
            else:
                skill, author = rng.choice(pat.PEER_SKILLS), rng.choice(peers)
            rating = _rating(rep, skill, world.progress(given), rng)
            notes = pat.MANAGER_NOTES[skill] if source == "manager" else pat.PEER_NOTES
            note = rng.choice(notes[_band(rating)])
            events.append((given, rep.email, author, source, skill, rating, note))
        month = (month + timedelta(days=32)).replace(day=1)
    return events


def _customer_feedback(deal: _Deal, closed: date, world: _World) -> Feedback:
    """A win/loss interview: buyers who signed are kinder."""
    rng = world.rng
    given = min(world.as_of, closed + timedelta(days=rng.randint(3, 20)))
    skill = _feedback_skill(deal.rep, tuple(pat.CUSTOMER_NOTES), rng)
    rating = _rating(deal.rep, skill, world.progress(given), rng)
    rating = min(5, rating + 1) if deal.outcome == "won" else rating
    author = f"{rng.choice(pat.CUSTOMER_CONTACTS)} at {deal.account[0]}"
    note = rng.choice(pat.CUSTOMER_NOTES[skill][_band(rating)])
    return (given, deal.rep.email, author, "customer", skill, rating, note)


def _feedback_rows(profiles: list[RepProfile], deals: list[_Deal], world: _World) -> list[Row]:
    events: list[Feedback] = []
    for rep in profiles:
        peers = [p.email for p in profiles if p.team == rep.team and p.name != rep.name]
        events += _internal_feedback(rep, peers, world)
    for deal in deals:
        if deal.closed is not None and world.rng.random() < 0.03:
            events.append(_customer_feedback(deal, deal.closed, world))
    events.sort(key=lambda e: (e[0], e[1], e[3], e[4]))
    return [
        dict(zip(COLUMNS["feedback"], (f"F-{n:05d}", *_feedback_cells(e)), strict=True))
        for n, e in enumerate(events, 1)
    ]


def _feedback_cells(event: Feedback) -> tuple[str, ...]:
    given, about, author, source, skill, rating, note = event
    return (about, author, source, skill, str(rating), note, given.isoformat())
