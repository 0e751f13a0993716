"""The API's writes of CRM records, over real HTTP: batches checked as the CSV import checks
them, all or nothing, problems by record index, Idempotency-Key retries, workspaces apart, and
what lands showing in the next assessment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.render.sentences import sentence
from bot.store.engine import Database
from bot.store.models import Activity, Deal, Feedback, Person, StageEvent, Workspace
from tests.api import Answer, call, new_key
from tests.helpers import ACME, TEAM, run, snapshot, write
from tests.slackapp import SlackApp, acme_app, at_once

OTHER = "T0OTHER"
# What every request writes whatever it asks (its key's last use, the allowance window, the
# idempotency record): the rest must not change when a batch is refused or replayed.
BOOKKEEPING = {"api_keys", "api_request_windows", "idempotent_requests"}


@pytest.fixture
def app(db: Database, settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[SlackApp]:
    """Acme under T0TEST, and a second workspace whose Ann is someone else (same email)."""
    other = tmp_path / "other"
    other.mkdir()
    files = {name: text.replace("Ann Archer", "Ann Otherworkspace") for name, text in ACME.items()}
    run(db, settings, clock, *(write(other, n, t) for n, t in files.items()), team_id=OTHER)
    with acme_app(db, replace(settings, api_requests_per_minute=1000), clock, tmp_path) as running:
        yield running


def post(
    app: SlackApp, path: str, key: str, records: Any, idempotency: str | None = None
) -> Answer:
    headers = {"Idempotency-Key": idempotency} if idempotency else {}
    return call(f"{app.api_url}/{path}", "POST", key, {"records": records}, headers)


def data(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {t: rows for t, rows in snapshot(db).items() if t not in BOOKKEEPING}


def activities_in(db: Database, team_id: str) -> dict[str, str]:
    """The workspace's activities by external_id, with their owner's name."""
    with db.begin() as session:
        rows = session.execute(
            select(Activity.external_id, Person.name)
            .join(Person, Person.id == Activity.owner_id)
            .join(Workspace, Workspace.id == Activity.workspace_id)
            .where(Workspace.team_id == team_id)
        )
        return {row.external_id: row.name for row in rows}


NOVEMBER_ACTIVITIES = [
    {"external_id": "N-1", "owner": "ann@acme.example", "kind": "call", "occurred_at": "2026-11-02T15:00:00Z", "duration_minutes": 30},
    {"external_id": "N-2", "owner": "ann@acme.example", "deal": "D-1", "kind": "meeting", "occurred_at": "2026-11-05T10:00:00"},
    {"external_id": "N-3", "owner": "Ann Archer", "kind": "email", "occurred_at": "2026-11-10"},
    {"external_id": "N-4", "owner": "ann@acme.example", "kind": "Demo", "occurred_at": "2026-11-12T09:30:00-06:00", "duration_minutes": None},
    {"owner": "ann@acme.example", "kind": "call", "occurred_at": "2026-11-16T16:00:00Z"},
    {"external_id": "N-6", "owner": "bob@acme.example", "kind": "call", "occurred_at": "2026-11-17T16:00:00Z"},
]  # fmt: skip

FEEDBACK = [
    {"external_id": "F-1", "about": "ann@acme.example", "author": "mia@acme.example", "source": "manager", "skill": "discovery", "rating": 2, "note": "Few questions", "given_on": "2026-11-03"},
    {"about": "Ann Archer", "author": "Dana Ruiz, CFO at Globex", "source": "customer", "rating": 4, "given_on": "2026-11-09"},
]  # fmt: skip


def test_activities_and_feedback_land_and_show_in_the_next_assessment(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    url = f"{app.api_url}/reps/ann@acme.example/assessment"
    before = call(url, key=key).body  # assessed now and kept as today's snapshot
    assert before["headline"]["activities_per_week"] == 0.0

    sent = post(app, "activities", key, NOVEMBER_ACTIVITIES)
    assert sent.status == 200, sent.body
    assert sent.body == {"kind": "activities", "received": 6, "created": 6, "updated": 0}
    feedback = post(app, "feedback", key, FEEDBACK)
    assert feedback.body == {"kind": "feedback", "received": 2, "created": 2, "updated": 0}

    # Same clock, same day: only the data changed, and the assessment follows it.
    after = call(url, key=key).body
    weeks = after["window_days"] / 7
    assert after["headline"]["activities_per_week"] == pytest.approx(5 / weeks, abs=1e-3)
    assert after["assessed_at"] >= before["assessed_at"]
    with db.begin() as session:
        mia = session.scalar(
            select(Person.id)
            .join(Workspace)
            .where(Workspace.team_id == TEAM, Person.email == "mia@acme.example")
        )
        ratings = session.execute(
            select(Feedback.rating, Feedback.author_id, Person.email)
            .join(Person, Person.id == Feedback.about_id)
            .join(Workspace, Workspace.id == Feedback.workspace_id)
            .where(Workspace.team_id == TEAM, Feedback.given_on >= date(2026, 11, 1))
        ).all()
    assert sorted((r.rating, r.email, r.author_id) for r in ratings) == [
        (2, "ann@acme.example", mia),  # an author given as a person is linked to them
        (4, "ann@acme.example", None),
    ]
    assert activities_in(db, TEAM)["N-6"] == "Bob Baker"

    again = post(app, "activities", key, NOVEMBER_ACTIVITIES)  # no key: runs, updates
    assert again.body == {"kind": "activities", "received": 6, "created": 0, "updated": 6}


def test_a_batch_with_problems_is_refused_whole_with_each_record_named(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    deals = [
        {"external_id": f"API-{n}", "owner": "bob@acme.example", "amount": 1000 + n,
         "created_on": "2026-10-01", "outcome": "open"}
        for n in range(7)
    ]  # fmt: skip
    deals[3]["created_on"] = "2026-02-30"
    deals[5]["owner"] = "nobody@acme.example"
    before = data(db)
    answer = post(app, "deals", key, deals)
    assert answer.status == 422
    assert answer.error_code == "validation_failed"
    assert answer.body["error"]["problems"] == [
        {
            "record": 3,
            "field": "created_on",
            "value": "2026-02-30",
            "expected": "expected a date like 2026-03-14",
        },
        {
            "record": 5,
            "field": "owner",
            "value": "nobody@acme.example",
            "expected": "expected the email of a person in the people file (import people first)",
        },
    ]
    assert answer.body["error"]["message"] == sentence("api_records_refused", total=2, shown=2)
    assert data(db) == before


def test_problems_across_records_come_out_as_in_the_csv_import(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    deal = {"external_id": "API-1", "owner": "Bob Baker", "amount": "USD 12,500.00",
            "created_on": "2026-10-01", "stage": "won", "closed_on": "2026-09-01"}  # fmt: skip
    answer = post(app, "deals", key, [dict(deal, closed_on="2026-10-20"), deal, dict(deal)])
    assert answer.body["error"]["problems"] == [
        {
            "record": 1,
            "field": "closed_on",
            "value": "2026-09-01",
            "expected": "a date on or after created_on (2026-10-01)",
        },
        {
            "record": 2,
            "field": "closed_on",
            "value": "2026-09-01",
            "expected": "a date on or after created_on (2026-10-01)",
        },
    ]
    twice = post(app, "deals", key, [dict(deal, closed_on="2026-10-20")] * 2)
    assert twice.body["error"]["problems"] == [
        {
            "record": 1,
            "field": "external_id",
            "value": "API-1",
            "expected": "a value not used before in this file (row 0)",
        }
    ]
    stages = post(
        app,
        "stage-events",
        key,
        [{"deal": "D-404", "stage": "proposal", "entered_on": "2026-10-02"}],
    )
    assert stages.body["error"]["problems"] == [
        {
            "record": 0,
            "field": "deal",
            "value": "D-404",
            "expected": "expected the external_id of a deal in this import or already imported",
        }
    ]  # fmt: skip
    people = post(app, "people", key, [{"email": "", "name": "Nemo", "role": "rep"}])
    assert people.body["error"]["problems"] == [
        {"record": 0, "field": "email", "value": "", "expected": "a value (this column is required)"}
    ]  # fmt: skip


def test_every_kind_writes_and_fields_left_out_keep_what_is_stored(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    people = [
        {"email": "kim@acme.example", "name": "Kim Kent", "role": "rep", "manager_email": "lea@acme.example", "active": "yes"},
        {"email": "lea@acme.example", "name": "Lea Lund", "role": "manager", "active": True},
        {"email": "ann@acme.example", "name": "Ann Archer", "role": "rep", "team": "North"},
    ]  # fmt: skip
    assert post(app, "people", key, people).body == {
        "kind": "people",
        "received": 3,
        "created": 2,
        "updated": 1,
    }
    deal = {"external_id": "API-1", "owner": "kim@acme.example", "amount": 12500.5,
            "created_on": "2026-10-01", "stage": "proposal", "contacts_engaged": 3}  # fmt: skip
    assert post(app, "deals", key, [deal]).body["created"] == 1
    stage = {"deal": "API-1", "stage": "proposal", "entered_on": "2026-10-15"}
    assert post(app, "stage-events", key, [stage]).body == {
        "kind": "stage_history",
        "received": 1,
        "created": 1,
        "updated": 0,
    }
    with db.begin() as session:
        ann, kim = (
            session.scalars(
                select(Person)
                .join(Workspace)
                .where(Workspace.team_id == TEAM, Person.email == email)
            ).one()
            for email in ("ann@acme.example", "kim@acme.example")
        )
        lea_id = session.scalar(select(Person.id).where(Person.email == "lea@acme.example"))
        assert (ann.team, ann.slack_user_id, ann.region, ann.timezone) == (
            "North",
            "U0ANN",  # no record sent it: left as stored
            "NA",
            "America/New_York",
        )
        assert (kim.manager_id, kim.active) == (lea_id, True)
        stored = session.scalars(select(Deal).where(Deal.external_id == "API-1")).one()
        assert (str(stored.amount), stored.outcome, stored.furthest_stage) == (
            "12500.50",
            "open",
            "proposal",
        )
        assert session.scalar(select(StageEvent.entered_on).where(StageEvent.deal_id == stored.id))


def test_fields_and_types_the_records_do_not_have_are_refused(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    before = data(db)
    record = {"about": "ann@acme.example", "source": "peer", "rating": 3, "given_on": "2026-11-01"}
    unknown = post(app, "feedback", key, [record, dict(record, colour="red")])
    assert unknown.status == 422 and unknown.error_code == "validation_failed"
    assert unknown.body["error"]["problems"] == [
        {"record": 1, "field": "colour", "value": "red", "expected": sentence("api_field_unknown")}
    ]
    typed = post(app, "feedback", key, [dict(record, rating="4"), dict(record, about=None)])
    assert [(p["record"], p["field"]) for p in typed.body["error"]["problems"]] == [
        (0, "rating"),
        (1, "about"),
    ]
    amount = {"external_id": "X", "owner": "Bob Baker", "amount": True, "created_on": "2026-10-01"}
    refused = post(app, "deals", key, [amount])
    assert refused.body["error"]["problems"] == [
        {
            "record": 0,
            "field": "amount",
            "value": "True",
            "expected": sentence("api_number_or_text"),
        }
    ]
    missing = post(app, "people", key, [{"email": "x@acme.example", "role": "rep"}])
    assert missing.body["error"]["problems"] == [
        {"record": 0, "field": "name", "value": None, "expected": sentence("api_field_required")}
    ]
    assert call(f"{app.api_url}/people", "POST", key, [record]).status == 422  # not a batch
    assert data(db) == before


def test_a_batch_holds_1_to_5000_records(app: SlackApp, db: Database, clock: FixedClock) -> None:
    key = new_key(db, TEAM, clock.now())
    before = data(db)
    event = {"deal": "D-1", "stage": "proposal", "entered_on": "2026-02-10"}
    for records in ([], [event] * 5001):
        answer = post(app, "stage-events", key, records)
        assert answer.status == 422, len(records)
        (problem,) = answer.body["error"]["problems"]
        assert (problem["record"], problem["field"]) == (None, "records")
    assert data(db) == before
    repeated = post(app, "stage-events", key, [event] * 5000)  # 5,000 pass the shape...
    assert repeated.status == 422  # ...and the importer names each repeat by its index
    assert repeated.body["error"]["problems"][0] == {
        "record": 1,
        "field": "stage",
        "value": "proposal",
        "expected": "a value not used before in this file (row 0)",
    }
    assert repeated.body["error"]["message"] == sentence(
        "api_records_refused", total=4999, shown=20
    )
    assert post(app, "stage-events", key, [event]).body["updated"] == 1


def test_a_read_key_may_not_write(app: SlackApp, db: Database, clock: FixedClock) -> None:
    key = new_key(db, TEAM, clock.now(), scope="read")
    before = data(db)
    answer = post(app, "activities", key, NOVEMBER_ACTIVITIES, idempotency="k-1")
    assert answer.status == 403 and answer.error_code == "insufficient_scope"
    assert data(db) == before


def test_a_retry_with_the_same_key_replays_and_changes_nothing(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    first = post(app, "activities", key, NOVEMBER_ACTIVITIES, idempotency="batch-7")
    assert first.status == 200 and "idempotent-replayed" not in first.headers
    written = data(db)
    retry = post(app, "activities", key, NOVEMBER_ACTIVITIES, idempotency="batch-7")
    assert (retry.status, retry.body) == (200, first.body)
    assert retry.headers["idempotent-replayed"] == "true"
    assert data(db) == written
    other = post(app, "activities", key, NOVEMBER_ACTIVITIES[:2], idempotency="batch-7")
    assert other.status == 422 and other.error_code == "idempotency_key_reused"
    assert data(db) == written


def test_a_refused_batch_may_be_corrected_under_the_same_key(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    wrong = [dict(NOVEMBER_ACTIVITIES[0], owner="nobody@acme.example")]
    assert post(app, "activities", key, wrong, idempotency="fix-1").status == 422
    assert post(app, "activities", key, wrong, idempotency="fix-1").status == 422  # not kept
    fixed = post(app, "activities", key, NOVEMBER_ACTIVITIES[:1], idempotency="fix-1")
    assert fixed.status == 200 and fixed.body["created"] == 1
    assert "N-1" in activities_in(db, TEAM)


def test_each_key_writes_into_its_own_workspace_only(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    ours, theirs = new_key(db, TEAM, clock.now()), new_key(db, OTHER, clock.now())
    pat = [{"email": "pat@other.example", "name": "Pat Other", "role": "rep"}]
    assert post(app, "people", theirs, pat).body["created"] == 1
    assert post(app, "activities", theirs, NOVEMBER_ACTIVITIES[:1]).status == 200
    assert activities_in(db, OTHER)["N-1"] == "Ann Otherworkspace"
    assert "N-1" not in activities_in(db, TEAM)
    with db.begin() as session:
        teams = session.scalars(
            select(Workspace.team_id).join(Person).where(Person.email == "pat@other.example")
        ).all()
    assert teams == [OTHER]

    before = data(db)
    theirs_only = [dict(NOVEMBER_ACTIVITIES[1], owner="pat@other.example")]
    answer = post(app, "activities", ours, theirs_only)
    assert answer.body["error"]["problems"] == [
        {
            "record": 0,
            "field": "owner",
            "value": "pat@other.example",
            "expected": "expected the email of a person in the people file (import people first)",
        }
    ]
    assert data(db) == before


def test_the_same_batch_sent_twice_at_once_is_written_once(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    batch = [
        {"external_id": f"P-{n}", "owner": "zoe@acme.example", "kind": "call",
         "occurred_at": f"2026-11-{1 + n % 19:02d}T10:00:00Z"}
        for n in range(400)
    ]  # fmt: skip

    def send() -> Answer:
        return post(app, "activities", key, batch, idempotency="twice")

    answers = at_once(send, send)
    assert sorted(a.status for a in answers) in ([200, 200], [200, 409])
    ran = [a for a in answers if a.status == 200 and "idempotent-replayed" not in a.headers]
    assert len(ran) == 1 and ran[0].body["created"] == 400
    for answer in answers:
        if answer.status == 409:
            assert answer.error_code == "idempotency_key_in_use"
        elif answer is not ran[0]:
            assert answer.body == ran[0].body
    zoe = [x for x, owner in activities_in(db, TEAM).items() if x.startswith("P-")]
    assert len(zoe) == 400
    assert send().headers["idempotent-replayed"] == "true"
