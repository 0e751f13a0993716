"""Peer learning groups respect a rep's own setting: a rep who turned them off is left out."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.services.pairing import _form_groups
from bot.store.models import Person
from tests.helpers import run, write

ROSTER = "email,name,role,manager_email\n" + "".join(
    f"r{i}@acme.example,Rep {i},rep,\n" for i in range(6)
)


def _payload(gap: bool, strong: bool) -> dict:
    return {
        "gaps": [{"skill": "discovery", "revenue_at_stake": 1000.0}] if gap else [],
        "strengths": [{"skill": "discovery", "priority": 1.0}] if strong else [],
        "comparisons": [],
    }


def test_a_rep_who_turned_peer_groups_off_is_in_no_group(db, settings, clock, tmp_path) -> None:
    run(db, settings, clock, write(tmp_path, "people.csv", ROSTER))
    with db.begin() as session:
        reps = session.scalars(select(Person).order_by(Person.email)).all()
        workspace_id = reps[0].workspace_id
        ids = [p.id for p in reps]
        reps[1].peer_groups_opt_out = True
    payloads = {ids[0]: _payload(gap=False, strong=True)} | {
        rep: _payload(gap=True, strong=False) for rep in ids[1:]
    }
    facts = {rep: ("UTC", None, None, False, rep == ids[1]) for rep in ids}
    [group_id] = _form_groups(db, workspace_id, payloads, facts, date(2026, 12, 7))
    from bot.store.models import PeerGroup

    with db.begin() as session:
        group = session.get(PeerGroup, group_id)
        assert group.leader_id == ids[0]
        assert sorted(group.member_ids) == sorted(ids[2:])  # Rep 1 left out, as they asked
