"""The generated org's activities (calls, emails, meetings, demos) and feedback notes."""

from __future__ import annotations

import _harness  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
from _org_columns import bulk_insert, const, dates, ids, instants, ints, labels, numbered, pick
from _org_deals import Deals
from _org_people import HISTORY_DAYS, TEAM_SIZE, UTC_OFFSET_HOURS, Reps, Target

from bot.vocabulary import ACTIVITY_KINDS, FEEDBACK_SOURCES, SKILLS

STAGE_SKILLS = ("prospecting", "discovery", "qualification", "value_articulation", "negotiation")
DURATIONS = {"call": (5, 10, 15, 20, 30, 45), "meeting": (30, 45, 60), "demo": (45, 60, 90)}
NOTES = {
    "low": ("Talked over the buyer again", "Skipped the agreed next step", "Needs more prep"),
    "mid": ("Solid call, could dig deeper", "Followed the playbook", None),
    "high": ("Excellent questions, buyer opened up", "Great control of the deal", None),
}


def write_activities(
    target: Target, rng: np.random.Generator, reps: Reps, deals: Deals, a: int
) -> None:
    """Activities: by busy-ness and time on the team, on weekdays in local business hours, most
    on one of the rep's deals; in time order as a CRM export lists them."""
    today, first_day, days_on = target.today, reps.first_day, reps.days_on
    owner, created, n = deals.owner, deals.created, deals.count
    weights = reps.busy * days_on * np.array([1.3, 1.0, 0.8])[reps.segment]
    doer = rng.choice(reps.count, a, p=weights / weights.sum())
    day = first_day[doer] + (rng.random(a) * days_on[doer]).astype(np.int64)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    day -= np.where((weekday >= 5) & (rng.random(a) < 0.9), weekday - 4, 0)
    day = np.maximum(day, first_day[doer])
    seconds = (
        day * 86_400
        + rng.integers(8 * 3600, 18 * 3600, a)
        - UTC_OFFSET_HOURS[reps.region[doer]] * 3600
    )
    seconds = np.minimum(seconds, (today + 1) * 86_400 - 1)
    order = np.argsort(seconds, kind="stable")
    doer, seconds = doer[order], seconds[order]
    del day, weekday, order
    kind = pick(rng, reps.kind_mix, doer)
    # The deal: one of the rep's ten latest created by that day (deals are in creation order).
    by_owner = np.argsort(owner, kind="stable")
    keys = owner[by_owner] * 100_000 + created[by_owner]
    offset = np.searchsorted(keys, np.arange(reps.count) * 100_000)
    known = np.searchsorted(keys, doer * 100_000 + seconds // 86_400, side="right") - offset[doer]
    on_deal = (rng.random(a) < 0.65) & (known > 0)
    slot = offset[doer] + known - 1 - (rng.random(a) * np.minimum(known, 10)).astype(np.int64)
    activity_deal = deals.first + by_owner[np.clip(slot, 0, n - 1)]
    del keys, known
    duration = np.zeros(a, dtype=np.int64)
    for code, name in enumerate(ACTIVITY_KINDS):
        if name in DURATIONS:
            mask = kind == code
            duration[mask] = rng.choice(DURATIONS[name], int(mask.sum()))
    bulk_insert(
        target.engine,
        target.tables["activities"],
        a,
        {
            "id": ids(target.first["activities"]),
            "workspace_id": const(target.workspace),
            "external_id": numbered("A-", 8),
            "owner_id": ints(reps.ids[doer]),
            "deal_id": ints(activity_deal, on_deal),
            "kind": labels(kind, ACTIVITY_KINDS),
            "occurred_at": instants(seconds),
            "duration_minutes": ints(duration, duration > 0),
        },
    )
    target.log(f"activities: {a:,}")


def write_feedback(target: Target, rng: np.random.Generator, reps: Reps, f: int) -> None:
    """Feedback: from managers, peers and customers, half of it on a weak stage's skill when the
    rep has one; ratings follow skill."""
    today, rep_team, rep_ids, manager0 = target.today, reps.team, reps.ids, reps.manager0
    about = rng.integers(0, reps.count, f)
    source = rng.choice(len(FEEDBACK_SOURCES), f, p=[0.5, 0.2, 0.3])
    weak = reps.weak_stage[about]
    on_weakness = (weak >= 0) & (rng.random(f) < 0.5)
    skill_code = np.where(
        on_weakness,
        np.array([SKILLS.index(s) for s in STAGE_SKILLS])[np.maximum(weak, 0)],
        rng.integers(0, len(SKILLS), f),
    )
    rating = np.clip(
        np.round(3.6 + 1.5 * reps.skill[about] - 1.3 * on_weakness + rng.normal(0, 0.8, f)), 1, 5
    ).astype(np.int64)
    peer = (about // TEAM_SIZE) * TEAM_SIZE + rng.integers(0, TEAM_SIZE, f)
    peer = np.where(peer >= reps.count, about, peer)
    given = np.maximum(today - rng.integers(0, HISTORY_DAYS, f), reps.hired[about])
    band = np.where(rating <= 2, "low", np.where(rating >= 4, "high", "mid"))
    note_pick = rng.integers(0, 3, f)

    def author(i: int) -> tuple[str, int | None]:
        kind = FEEDBACK_SOURCES[source[i]]
        if kind == "manager":
            return f"Manager {rep_team[about[i]] + 1:03d}", int(manager0 + rep_team[about[i]])
        if kind == "peer":
            return f"Rep {peer[i] + 1:05d}", int(rep_ids[peer[i]])
        return f"Buyer {i + 1}, VP at Account {about[i] * 30:06d}", None

    authors = [author(i) for i in range(f)]
    bulk_insert(
        target.engine,
        target.tables["feedback"],
        f,
        {
            "id": ids(target.first["feedback"]),
            "workspace_id": const(target.workspace),
            "external_id": numbered("F-", 7),
            "about_id": ints(rep_ids[about]),
            "author": lambda part: [name for name, _ in authors[part]],
            "author_id": lambda part: [person for _, person in authors[part]],
            "source": labels(source, FEEDBACK_SOURCES),
            "skill": labels(skill_code, SKILLS),
            "rating": ints(rating),
            "note": lambda part: [
                NOTES[b][k]
                for b, k in zip(band[part].tolist(), note_pick[part].tolist(), strict=True)
            ],
            "given_on": dates(given),
        },
    )
    target.log(f"feedback: {f:,}")
