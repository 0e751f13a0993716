"""One database, several Slack workspaces: nothing crosses between them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.ingest.problems import ImportRejected
from bot.services import frames
from bot.store.models import Deal, Person, Workspace
from bot.store.workspaces import find_workspace_id
from tests.helpers import run, write, write_org


def test_the_same_files_in_two_workspaces_stay_apart(db, settings, clock, tmp_path) -> None:
    files = write_org(tmp_path)
    run(db, settings, clock, *files, team_id="T0AAA")
    run(db, settings, clock, *files, team_id="T0BBB")

    with db.begin() as session:
        assert set(session.scalars(select(Workspace.team_id))) == {"T0AAA", "T0BBB"}
        a = find_workspace_id(session, "T0AAA")
        b = find_workspace_id(session, "T0BBB")
        deals_a = frames.deals_frame(session, a)
        deals_b = frames.deals_frame(session, b)
        people_a = set(frames.people_frame(session, a)["id"])
        people_b = set(frames.people_frame(session, b)["id"])
    assert len(deals_a) == len(deals_b) == 4
    assert not people_a & people_b
    assert set(deals_a["owner_id"]) <= people_a and set(deals_b["owner_id"]) <= people_b


def test_owners_resolve_only_within_the_workspace(db, settings, clock, tmp_path) -> None:
    people, deals, *_ = write_org(tmp_path)
    run(db, settings, clock, people, team_id="T0AAA")
    with pytest.raises(ImportRejected) as caught:
        run(db, settings, clock, deals, team_id="T0BBB")
    assert "column 'owner'" in str(caught.value.log.shown[0])
    with db.begin() as session:
        assert session.scalar(select(Deal.id)) is None


def test_an_update_in_one_workspace_leaves_the_other_alone(db, settings, clock, tmp_path) -> None:
    people, *_ = write_org(tmp_path)
    run(db, settings, clock, people, team_id="T0AAA")
    run(db, settings, clock, people, team_id="T0BBB")
    renamed = write(tmp_path, "renamed.csv", "email,name,role\nann@acme.example,Ann Smith,rep\n")

    run(db, settings, clock, renamed, team_id="T0AAA")

    with db.begin() as session:
        names = session.execute(
            select(Workspace.team_id, Person.name)
            .join(Workspace, Workspace.id == Person.workspace_id)
            .where(Person.email == "ann@acme.example")
        ).all()
    assert sorted(names) == [("T0AAA", "Ann Smith"), ("T0BBB", "Ann Archer")]
