"""Benchmarks and targets sent over the API: written all or nothing, refused with problems
that name the record and the field, shown beside the peer value in the rep's assessment
(over the API and in Slack) without touching its verdicts, and kept to their workspace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.store.engine import Database
from tests.api import call, new_key
from tests.helpers import ACME, DEALS_CSV, TEAM, run, write
from tests.slackapp import SlackApp, acme_app, text_of

OTHER = "T0OTHER"
WINDOW_END = date(2026, 11, 20)  # the fixture clock's day


def _deals() -> str:
    """Acme's deals plus twelve closed in the last 90 days for each rep, so each is assessed
    (ten closed deals make a verdict): Ann wins 4, Bob and Zoe 6."""
    lines = [DEALS_CSV.rstrip("\n")]
    for owner, segment, won in (
        ("ann@acme.example", "mid_market", 4),
        ("bob@acme.example", "mid_market", 6),
        ("zoe@acme.example", "smb", 6),
    ):
        for i in range(12):
            closed = WINDOW_END - timedelta(days=5 + 6 * i)
            created = closed - timedelta(days=40)
            outcome = "won" if i < won else "lost"
            amount = 10000 + 1000 * i
            lines.append(
                f"X-{owner[:3]}-{i},{owner},Acct {i},software,{segment},Suite,{amount},USD,"
                f"{created},{closed},,{outcome},,,2,,"
            )
    return "\n".join(lines) + "\n"


@pytest.fixture
def app(db: Database, settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[SlackApp]:
    """Acme (its reps assessed) under T0TEST, and a second workspace with the same teams."""
    other = tmp_path / "other"
    other.mkdir()
    run(db, settings, clock, *(write(other, n, t) for n, t in ACME.items()), team_id=OTHER)
    with acme_app(db, settings, clock, tmp_path, **{"deals.csv": _deals()}) as running:
        yield running


def _post(app: SlackApp, key: str, *items: dict[str, Any], **headers: str) -> Any:
    return call(
        f"{app.api_url}/benchmarks", "POST", key, {"benchmarks": list(items)}, headers=headers
    )


def _evidence(app: SlackApp, key: str, email: str, metric: str) -> dict[str, Any]:
    answer = call(f"{app.api_url}/reps/{email}/assessment", key=key)
    assert answer.status == 200, answer.body
    [found] = [e for e in answer.body["comparisons"] if e["metric"] == metric]
    return found


def target(metric: str, scope: str, scope_value: str, value: float, source: str) -> dict[str, Any]:
    return {
        "kind": "target",
        "metric": metric,
        "scope": scope,
        "scope_value": scope_value,
        "value": value,
        "source": source,
    }


def test_a_team_target_shows_beside_the_peers_and_wins_over_the_workspaces(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    before = _evidence(app, key, "ann@acme.example", "win_rate")  # today's snapshot exists
    assert before["external"] == []
    benchmark = dict(target("win_rate", "workspace", "", 0.28, "Forecast"), kind="benchmark")
    answer = _post(
        app,
        key,
        target("win_rate", "workspace", "", 0.25, "Forecast"),
        target("win_rate", "team", "East", 0.3, "Sales Ops"),
        benchmark,
    )
    assert answer.status == 200, answer.body
    assert (answer.body["created"], answer.body["updated"]) == (3, 0)
    assert [b["scope_value"] for b in answer.body["data"]] == ["", "East", ""]

    after = _evidence(app, key, "ann@acme.example", "win_rate")
    assert after["external"] == [
        {
            "kind": "benchmark",
            "value": 0.28,
            "source": "Forecast",
            "scope": "workspace",
            "scope_value": "",
        },
        {
            "kind": "target",
            "value": 0.3,
            "source": "Sales Ops",
            "scope": "team",
            "scope_value": "East",
        },
    ]
    # Shown, never weighed: the peer comparison and its verdict are what they were.
    assert {k: v for k, v in after.items() if k != "external"} == {
        k: v for k, v in before.items() if k != "external"
    }
    zoe = _evidence(app, key, "zoe@acme.example", "win_rate")  # team West: the workspace's
    assert [(x["kind"], x["value"], x["scope"]) for x in zoe["external"]] == [
        ("benchmark", 0.28, "workspace"),
        ("target", 0.25, "workspace"),
    ]
    assert _evidence(app, key, "ann@acme.example", "deal_size")["external"] == []

    # Sent again with a new value: replaced, not added.
    again = _post(app, key, target("win_rate", "team", "East", 0.35, "Sales Ops"))
    assert (again.body["created"], again.body["updated"]) == (0, 1)
    assert again.body["data"][0]["id"] == answer.body["data"][1]["id"]
    ann = _evidence(app, key, "ann@acme.example", "win_rate")
    assert ann["external"][1]["value"] == 0.35


def test_a_segment_benchmark_reaches_the_reps_of_that_segment(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    sent = dict(target("deal_size", "segment", "smb", 15000, "Forecast"), kind="benchmark")
    assert _post(app, key, sent).status == 200
    zoe = _evidence(app, key, "zoe@acme.example", "deal_size")
    assert zoe["external"] == [
        {
            "kind": "benchmark",
            "value": 15000.0,
            "source": "Forecast",
            "scope": "segment",
            "scope_value": "smb",
        }
    ]
    assert _evidence(app, key, "ann@acme.example", "deal_size")["external"] == []  # mid_market


def test_problems_name_the_record_and_the_field_and_nothing_is_written(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    answer = _post(
        app,
        key,
        target("win_rate", "team", "East", 0.3, "Sales Ops"),  # fine on its own
        target("win_rates", "team", "East", 0.3, "Sales Ops"),
        target("win_rate", "team", "Eastt", 0.3, "Sales Ops"),
        target("win_rate", "workspace", "", 30, "Sales Ops"),  # 30%, sent as 30
        target("cycle_days", "segment", "enterprise", -5, "Sales Ops"),
        target("win_rate", "team", "East", 0.4, "Sales Ops"),  # the first one again
    )
    assert answer.status == 422
    assert answer.error_code == "validation_failed"
    problems = [(p["record"], p["field"], p["value"]) for p in answer.body["error"]["problems"]]
    assert problems == [
        (1, "metric", "win_rates"),
        (2, "scope_value", "Eastt"),
        (3, "value", "30.0"),
        (4, "scope_value", "enterprise"),
        (4, "value", "-5.0"),
        (5, "metric", "win_rate"),
    ]
    expected = {p["record"]: p["expected"] for p in answer.body["error"]["problems"]}
    assert "East" in expected[2] and "West" in expected[2]  # the teams there are
    assert "conversion:negotiation>won" in expected[1]
    assert "0 to 1" in expected[3]
    assert call(f"{app.api_url}/benchmarks", key=key).body["data"] == []

    # What the request model refuses carries the record and the field too.
    bad_kind = _post(app, key, dict(target("win_rate", "workspace", "", 0.3, "x"), kind="goal"))
    assert bad_kind.status == 422
    assert [(p["record"], p["field"]) for p in bad_kind.body["error"]["problems"]] == [(0, "kind")]
    assert _post(app, key).status == 422  # an empty batch


def test_a_retry_with_the_same_idempotency_key_changes_nothing(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    sent = target("activities_per_week", "team", "East", 40, "Sales Ops")
    first = _post(app, key, sent, **{"Idempotency-Key": "batch-1"})
    clock.advance(timedelta(minutes=5))
    retry = _post(app, key, sent, **{"Idempotency-Key": "batch-1"})
    assert first.status == retry.status == 200
    assert retry.headers.get("idempotent-replayed") == "true"
    assert retry.body == first.body
    listed = call(f"{app.api_url}/benchmarks", key=key).body["data"]
    assert len(listed) == 1 and listed[0]["updated_at"] == first.body["data"][0]["updated_at"]


def test_list_pages_and_delete_takes_it_off_the_assessment(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    written = _post(
        app,
        key,
        target("win_rate", "team", "East", 0.3, "Sales Ops"),
        target("discount", "workspace", "", 8, "Finance"),
    ).body["data"]
    page = call(f"{app.api_url}/benchmarks?limit=1", key=key).body
    assert [b["id"] for b in page["data"]] == [written[0]["id"]]
    rest = call(f"{app.api_url}/benchmarks?limit=1&cursor={page['next_cursor']}", key=key).body
    assert [b["id"] for b in rest["data"]] == [written[1]["id"]] and rest["next_cursor"] is None

    deleted = call(f"{app.api_url}/benchmarks/{written[0]['id']}", "DELETE", key)
    assert deleted.status == 200 and deleted.body["metric"] == "win_rate"
    assert _evidence(app, key, "ann@acme.example", "win_rate")["external"] == []
    assert call(f"{app.api_url}/benchmarks/{written[0]['id']}", "DELETE", key).status == 404
    reader = new_key(db, TEAM, clock.now(), scope="read")
    refused = call(f"{app.api_url}/benchmarks/{written[1]['id']}", "DELETE", reader)
    assert refused.status == 403
    assert _post(app, reader, target("win_rate", "workspace", "", 0.3, "x")).status == 403


def test_another_workspaces_key_neither_sees_nor_deletes_them(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    ours, theirs = new_key(db, TEAM, clock.now()), new_key(db, OTHER, clock.now())
    [stored] = _post(app, ours, target("win_rate", "team", "East", 0.3, "Sales Ops")).body["data"]
    assert call(f"{app.api_url}/benchmarks", key=theirs).body["data"] == []
    theirs_delete = call(f"{app.api_url}/benchmarks/{stored['id']}", "DELETE", theirs)
    nobody = call(f"{app.api_url}/benchmarks/999999", "DELETE", theirs)
    assert theirs_delete.status == nobody.status == 404
    assert theirs_delete.body == nobody.body
    assert len(call(f"{app.api_url}/benchmarks", key=ours).body["data"]) == 1
    # Their Ann is in a team East too, and sees nothing of ours.
    answer = call(f"{app.api_url}/reps/ann@acme.example/assessment", key=theirs).body
    assert all(e["external"] == [] for e in answer["comparisons"])


def test_coach_me_shows_the_target_beside_the_peers_escaped(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now())
    assert (
        _post(
            app,
            key,
            target("win_rate", "team", "East", 0.3, "Sales Ops"),
            dict(
                target("win_rate", "workspace", "", 0.28, "<!channel> Forecast"), kind="benchmark"
            ),
        ).status
        == 200
    )
    app.command("me", "U0ANN")
    [dm] = app.dms_to("U0ANN")
    shown = text_of(dm)
    assert "Your coaching snapshot" in shown
    fields = [f["text"] for b in dm.json_field("blocks") for f in b.get("fields", [])]
    [win_rate] = [text for text in fields if text.startswith("*Win rate*")]
    assert "(peers " in win_rate
    assert "target 30% (Sales Ops)" in win_rate
    assert "benchmark 28% (&lt;!channel&gt; Forecast)" in win_rate
    assert "<!channel>" not in shown


def test_a_malformed_id_is_a_validation_problem(app: SlackApp, db: Database, clock) -> None:
    key = new_key(db, TEAM, clock.now())
    answer = call(f"{app.api_url}/benchmarks/abc", "DELETE", key)
    assert answer.status == 422 and answer.error_code == "validation_failed"
    assert answer.body["error"]["problems"][0]["field"] == "benchmark_id"
