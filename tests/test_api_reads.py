"""The API's reads beyond assessments, over real HTTP as a neighbouring system calls them: the
team development report, plans and their checkpoints, effectiveness, coaching content and
playbooks. Every answer is checked against the OpenAPI description (no field more, none
missing, each of its type). The Acme org for the shapes and workspaces; the demo org once,
for real gaps, plans and effects."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from bot.clock import FixedClock
from bot.coaching.plans import BASE_CADENCE
from bot.config import Settings
from bot.demo.run import DEMO_FILES, DEMO_TEAM_ID, plant_plans
from bot.services import checkpoints, plans
from bot.services.assessments import assessment_config
from bot.services.identity import viewer_for_person
from bot.store.engine import Database
from bot.store.models import Checkpoint
from bot.vocabulary import SKILLS
from tests.api import call, new_key
from tests.helpers import ACME, TEAM, draft_plan, person_id, run, write
from tests.slackapp import SlackApp, acme_app, running_app

OTHER = "T0OTHER"
EXAMPLES = Path(__file__).parents[1] / "examples"
PLACEHOLDER = re.compile(r"\{\w+\}")


@pytest.fixture
def app(db: Database, settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[SlackApp]:
    """Acme under T0TEST, and a second workspace with its own Ann (same email)."""
    other = tmp_path / "other"
    other.mkdir()
    files = {name: text.replace("Ann Archer", "Ann Otherworkspace") for name, text in ACME.items()}
    run(db, settings, clock, *(write(other, n, t) for n, t in files.items()), team_id=OTHER)
    with acme_app(db, settings, clock, tmp_path) as running:
        yield running


def documented(app: SlackApp, path: str, answer: Any) -> Any:
    """The answer's body, once it is a 200 exactly as the description documents `path`."""
    assert answer.status == 200, answer.body
    spec = call(f"{app.api_url}/openapi.json").body
    schemas = copy.deepcopy(spec["components"]["schemas"])
    for schema in schemas.values():
        if "properties" in schema:
            schema["additionalProperties"] = False  # no field the description leaves out
    ok = spec["paths"][f"/api/v1{path}"]["get"]["responses"]["200"]
    root = {**ok["content"]["application/json"]["schema"], "components": {"schemas": schemas}}
    problems = [e.message for e in Draft202012Validator(root).iter_errors(answer.body)]
    assert problems == [], problems
    return answer.body


def _person(db: Database, team_id: str, email: str) -> int:
    return person_id(db, email, team_id)


def _draft(db: Database, clock: FixedClock, team_id: str, email: str, skill: str) -> int:
    return draft_plan(db, email, clock.now().date(), clock.now(), skill, team_id)


def _approve(db: Database, settings: Settings, clock: FixedClock, plan_id: int) -> None:
    manager = viewer_for_person(db, settings, TEAM, _person(db, TEAM, "mia@acme.example"))
    plans.approve(db, manager, plan_id, clock.now().date(), clock.now())


def test_plans_page_filter_and_stay_in_their_workspace(
    app: SlackApp, db: Database, settings: Settings, clock: FixedClock
) -> None:
    ann = _draft(db, clock, TEAM, "ann@acme.example", "discovery")
    bob = _draft(db, clock, TEAM, "bob@acme.example", "qualification")
    zoe = _draft(db, clock, TEAM, "zoe@acme.example", "discovery")
    theirs = _draft(db, clock, OTHER, "ann@acme.example", "discovery")
    _approve(db, settings, clock, ann)
    with db.begin() as session:
        day_30 = session.scalar(
            select(Checkpoint.id).where(Checkpoint.plan_id == ann, Checkpoint.day == 30)
        )
    checkpoints.run_checkpoint(db, TEAM, day_30, clock.now(), settings.stages)
    key = new_key(db, TEAM, clock.now(), scope="read")

    seen, cursor = [], None
    while True:
        query = "limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = documented(app, "/plans", call(f"{app.api_url}/plans?{query}", key=key))
        seen += [p["id"] for p in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [ann, bob, zoe]  # every plan once, oldest first; not the other workspace's

    active = call(f"{app.api_url}/plans?status=active", key=key).body["data"]
    assert [p["id"] for p in active] == [ann]
    bobs = call(f"{app.api_url}/plans?rep=Bob@acme.example", key=key).body["data"]
    assert [(p["id"], p["rep_email"]) for p in bobs] == [(bob, "bob@acme.example")]
    assert call(f"{app.api_url}/plans?status=paused", key=key).status == 422

    plan = documented(app, "/plans/{plan_id}", call(f"{app.api_url}/plans/{ann}", key=key))
    assert (plan["status"], plan["rep_name"], plan["manager_email"]) == (
        "active",
        "Ann Archer",
        "mia@acme.example",
    )
    assert plan["objectives"][0]["skill"] == "discovery"
    assert plan["objectives"][0]["baseline"] == 0.33 and plan["objectives"][0]["target"] == 0.52
    assert plan["approach"] == ["practice", "feedback", "observation"]
    assert plan["cadence"] == list(BASE_CADENCE)
    today = clock.now().date()
    assert [(c["day"], c["due_on"]) for c in plan["checkpoints"]] == [
        (d, (today + timedelta(days=d)).isoformat()) for d in (30, 60, 90)
    ]
    reviewed = plan["checkpoints"][0]
    assert reviewed["decision"] in {"graduate", "continue", "intensify", "replan"}
    assert reviewed["reason"] and reviewed["manager_decision"] is None
    [measured] = reviewed["measured"]
    assert measured["metric"] == "conversion:discovery>qualification"
    assert measured["standing"] and measured["baseline"] == 0.33
    assert plan["checkpoints"][1]["decision"] is None and plan["checkpoints"][1]["measured"] == []

    elsewhere = call(f"{app.api_url}/plans/{theirs}", key=key)
    nowhere = call(f"{app.api_url}/plans/999999", key=key)
    assert elsewhere.status == nowhere.status == 404
    assert elsewhere.body == nowhere.body

    # updated_since: only what changed after the instant.
    since = (clock.now() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    naive = call(f"{app.api_url}/plans?updated_since=2026-11-20T09:00:00", key=key)
    assert (naive.status, naive.body["error"]["problems"][0]["field"]) == (422, "updated_since")
    assert call(f"{app.api_url}/plans?updated_since={since}", key=key).body["data"] == []
    clock.advance(timedelta(hours=1))
    _approve(db, settings, clock, bob)
    changed = call(f"{app.api_url}/plans?updated_since={since}", key=key).body["data"]
    assert [(p["id"], p["updated_at"]) for p in changed] == [
        (bob, clock.now().isoformat().replace("+00:00", "Z"))
    ]


def test_the_development_report_counts_gaps_and_plans_per_team(
    app: SlackApp, db: Database, settings: Settings, clock: FixedClock
) -> None:
    _approve(db, settings, clock, _draft(db, clock, TEAM, "ann@acme.example", "discovery"))
    _draft(db, clock, TEAM, "bob@acme.example", "discovery")  # a draft is not in progress
    key = new_key(db, TEAM, clock.now(), scope="read")
    url = f"{app.api_url}/development-report"
    report = documented(app, "/development-report", call(url, key=key))
    teams = {t["team"]: t for t in report["teams"]}
    assert {name: t["reps"] for name, t in teams.items()} == {"East": 2, "West": 1}
    for team in teams.values():
        assert sorted(s["skill"] for s in team["skills"]) == sorted(SKILLS)
    east = {s["skill"]: s for s in teams["East"]["skills"]}
    assert east["discovery"]["plans_in_progress"] == 1
    assert east["discovery"]["effect_so_far"] is None  # a plan measures after two weeks
    assert _gaps_by_team(app, key) == _report_gaps(report)

    west = call(f"{url}?team=West", key=key).body
    assert [t["team"] for t in west["teams"]] == ["West"]
    assert call(f"{url}?team=Nowhere", key=key).body["teams"] == []
    again = call(url, key=key, headers={"If-None-Match": call(url, key=key).headers["etag"]})
    assert again.status == 304


def test_effectiveness_answers_with_its_documented_shape(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now(), scope="read")
    report = documented(app, "/effectiveness", call(f"{app.api_url}/effectiveness", key=key))
    assert report["as_of"] == clock.now().date().isoformat()
    assert report["plans"] == [] and report["roi"] is None  # no plan has run two weeks


def test_skills_and_their_content_filled_from_the_reps_deals(
    app: SlackApp, db: Database, clock: FixedClock
) -> None:
    key = new_key(db, TEAM, clock.now(), scope="read")
    skills = documented(app, "/skills", call(f"{app.api_url}/skills", key=key))["data"]
    assert [s["skill"] for s in skills] == list(SKILLS)
    assert all(s["summary"] and s["name"] for s in skills)

    path = "/skills/{skill}/content"
    url = f"{app.api_url}/skills/objection_handling/content"
    # Bob lost to Contoso on price, in healthcare (his open deal is in manufacturing).
    bob = documented(app, path, call(f"{url}?rep=bob@acme.example", key=key))
    text = json.dumps(bob, ensure_ascii=False)
    assert "Contoso" in text and "healthcare" in text
    assert PLACEHOLDER.findall(text) == []
    assert bob["placeholders"]["competitor"] == "Contoso"
    assert bob["placeholders"]["industry"] == "healthcare"
    scripts = [s["objection"] for s in bob["objection_scripts"]]
    assert scripts[0] == "price" and len(scripts) == 6  # his losses' objection first
    competitor = next(s for s in bob["objection_scripts"] if s["objection"] == "competitor")
    assert "Contoso" in competitor["acknowledge"]
    assert bob["questions"][0]["layer"] == "situation"
    assert bob["resources"] and all(r["title"] for r in bob["resources"])

    plain = documented(app, path, call(url, key=key))
    assert plain["rep"] is None and plain["placeholders"] is None
    plain_text = json.dumps(plain, ensure_ascii=False)
    assert PLACEHOLDER.findall(plain_text) == [] and "Contoso" not in plain_text
    assert "  " not in plain_text  # a placeholder left out leaves no double space

    discovery = call(f"{app.api_url}/skills/discovery/content", key=key).body
    assert [s["objection"] for s in discovery["objection_scripts"]] == ["no_need"]

    unknown = call(f"{app.api_url}/skills/juggling/content", key=key)
    stranger = call(f"{url}?rep=nobody@acme.example", key=key)
    manager = call(f"{url}?rep=mia@acme.example", key=key)  # content is filled for reps
    assert unknown.status == stranger.status == manager.status == 404
    assert unknown.body == stranger.body == call(f"{app.api_url}/nowhere", key=key).body


def test_a_playbook_as_data_and_as_markdown(app: SlackApp, db: Database, clock) -> None:
    key = new_key(db, TEAM, clock.now(), scope="read")
    book = documented(
        app, "/playbooks/{skill}", call(f"{app.api_url}/playbooks/discovery", key=key)
    )
    assert book["skill"] == "discovery" and book["window_days"] == 180
    assert book["markdown"].startswith("# Playbook: Discovery")
    assert book["summary"] in book["markdown"]
    assert book["top_reps"] + book["other_reps"] == 3
    assert call(f"{app.api_url}/playbooks/juggling", key=key).status == 404


def test_a_playbook_needs_someone_to_learn_from(
    db: Database, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    nobody = {name: text.splitlines()[0] + "\n" for name, text in ACME.items()}
    nobody["people.csv"] = "email,name,role\nops@acme.example,Olu Ops,admin\n"
    with acme_app(db, settings, clock, tmp_path, **nobody) as app:
        key = new_key(db, TEAM, clock.now(), scope="read")
        refused = call(f"{app.api_url}/playbooks/discovery", key=key)
    assert (refused.status, refused.error_code) == (409, "not_ready")


def _gaps_by_team(app: SlackApp, key: str) -> dict[tuple[str | None, str], tuple[int, float]]:
    """What GET /assessments says: per team and skill, reps with the gap and its revenue."""
    found: defaultdict[tuple[str | None, str], list[float]] = defaultdict(list)
    for assessment in call(f"{app.api_url}/assessments?limit=200", key=key).body["data"]:
        for gap in assessment["gaps"]:
            found[(assessment["team"], gap["skill"])].append(gap["revenue_at_stake"])
    return {k: (len(v), round(sum(v), 2)) for k, v in found.items()}


def _report_gaps(report: dict[str, Any]) -> dict[tuple[str | None, str], tuple[int, float]]:
    return {
        (team["team"], row["skill"]): (row["reps_with_gap"], row["revenue_at_stake"])
        for team in report["teams"]
        for row in team["skills"]
        if row["reps_with_gap"]
    }


def test_the_demo_orgs_report_matches_its_assessments_plans_and_effects(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    """The demo org: 30 reps with planted gaps, three plans started 90, 60 and 30 days ago
    with their reviews, and a fresh draft (bot/demo/run.py)."""
    run(db, settings, clock, *(EXAMPLES / f for f in DEMO_FILES), team_id=DEMO_TEAM_ID)
    plant_plans(db, settings, assessment_config(settings))
    with running_app(replace(settings, slack_lookup_rate=1000), db, clock, {}) as app:
        key = new_key(db, DEMO_TEAM_ID, clock.now(), scope="read")
        report = documented(
            app, "/development-report", call(f"{app.api_url}/development-report", key=key)
        )
        gaps = _gaps_by_team(app, key)
        active = call(f"{app.api_url}/plans?status=active", key=key).body["data"]
        effects = documented(app, "/effectiveness", call(f"{app.api_url}/effectiveness", key=key))

    assert sum(count for count, _ in gaps.values()) >= 3  # real gaps, planted
    assert _report_gaps(report) == gaps
    assert sum(t["reps"] for t in report["teams"]) == 30

    rows = {(t["team"], s["skill"]): s for t in report["teams"] for s in t["skills"]}
    in_progress = Counter(
        (p["team"], skill)
        for p in effects["plans"]
        if p["status"] == "active"
        for skill in {o["skill"] for o in p["objectives"]}
    )
    assert len(active) == sum(1 for p in effects["plans"] if p["status"] == "active") >= 1
    assert {k: r["plans_in_progress"] for k, r in rows.items() if r["plans_in_progress"]} == (
        dict(in_progress)
    )

    measured = [(p["team"], o) for p in effects["plans"] for o in p["objectives"] if o["interval"]]
    assert measured, "the 90-day plan has an effect against its uncoached peers"
    for team, objective in measured:
        assert objective["interval"][0] <= objective["effect"] <= objective["interval"][1]
        assert objective["comparison_reps"] >= 2
        [pooled] = [
            e
            for e in rows[(team, objective["skill"])]["effect_so_far"]
            if e["metric"] == objective["metric"]
        ]
        same = [o for t, o in measured if t == team and o["metric"] == objective["metric"]]
        if len(same) == 1:
            assert pooled["effect"] == pytest.approx(objective["effect"])
            assert pooled["interval"] == pytest.approx(objective["interval"])
    pooled_keys = {(team, o["skill"]) for team, o in measured}
    assert all(r["effect_so_far"] is None for k, r in rows.items() if k not in pooled_keys)
