"""The API's door: keys, scopes, workspaces kept apart, the allowance per key, what is logged,
and the OpenAPI description, all over real HTTP on the server that also serves Slack."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from bot.api.app import build_api
from bot.api.routes import BLUEPRINTS
from bot.clock import FixedClock
from bot.config import Settings
from bot.services.api_keys import revoke_key
from bot.store.engine import Database
from tests.api import call, new_key
from tests.helpers import ACME, TEAM, run, write
from tests.slackapp import SlackApp, acme_app

OTHER = "T0OTHER"


@pytest.fixture
def app(db: Database, settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[SlackApp]:
    """Acme under T0TEST, and a second workspace whose Ann is someone else (same email)."""
    other = tmp_path / "other"
    other.mkdir()
    people = ACME["people.csv"].replace("Ann Archer", "Ann Otherworkspace")
    files = dict(ACME, **{"people.csv": people})
    deals = files["deals.csv"].replace("Ann Archer", "Ann Otherworkspace")
    files["deals.csv"] = deals
    run(db, settings, clock, *(write(other, n, t) for n, t in files.items()), team_id=OTHER)
    with acme_app(db, replace(settings, api_requests_per_minute=5), clock, tmp_path) as running:
        yield running


def test_no_key_or_a_bad_key_is_refused_with_401(app: SlackApp, db: Database, clock) -> None:
    url = f"{app.api_url}/reps/ann@acme.example/assessment"
    key = new_key(db, TEAM, clock.now())
    prefix = key.split("_")[1]
    tries: list[dict[str, str]] = [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": f"Bearer cbk_{prefix}_wrongsecret"},
        {"Authorization": "Bearer cbk_000000000000_" + key.split("_", 2)[2]},
    ]
    for headers in tries:
        answer = call(url, headers=headers)
        assert answer.status == 401, headers
        assert answer.error_code == "unauthorized"
        assert answer.headers["www-authenticate"].startswith("Bearer")
    assert call(url, key=key).status == 200


def test_a_revoked_key_stops_working(app: SlackApp, db: Database, clock) -> None:
    url = f"{app.api_url}/reps/ann@acme.example/assessment"
    key = new_key(db, TEAM, clock.now())
    assert call(url, key=key).status == 200
    revoke_key(db, TEAM, key.split("_")[1], clock.now())
    assert call(url, key=key).status == 401


def test_a_key_sees_its_own_workspace_only(app: SlackApp, db: Database, clock) -> None:
    ours, theirs = new_key(db, TEAM, clock.now()), new_key(db, OTHER, clock.now())
    url = f"{app.api_url}/reps/ann@acme.example/assessment"
    assert call(url, key=ours).body["name"] == "Ann Archer"
    assert call(url, key=theirs).body["name"] == "Ann Otherworkspace"
    listed = call(f"{app.api_url}/assessments?limit=200", key=theirs).body["data"]
    assert "Ann Archer" not in {a["name"] for a in listed}
    assert "Ann Otherworkspace" in {a["name"] for a in listed}


def test_another_workspaces_rep_is_not_found_like_nobody(
    app: SlackApp, db: Database, clock, tmp_path: Path
) -> None:
    run_other_only = "only@other.example"
    other = tmp_path / "only"
    other.mkdir(exist_ok=True)
    people = "email,name,role\nonly@other.example,Only Other,rep\n"
    run(db, app.settings, clock, write(other, "people.csv", people), team_id=OTHER)
    key = new_key(db, TEAM, clock.now())
    there = call(f"{app.api_url}/reps/{run_other_only}/assessment", key=key)
    nobody = call(f"{app.api_url}/reps/nobody@nowhere.example/assessment", key=key)
    assert there.status == nobody.status == 404
    assert there.body == nobody.body


def test_each_key_has_its_allowance_with_retry_after(app: SlackApp, db: Database, clock) -> None:
    url = f"{app.api_url}/reps/ann@acme.example/assessment"
    busy, calm = new_key(db, TEAM, clock.now()), new_key(db, TEAM, clock.now())
    answers = [call(url, key=busy) for _ in range(6)]
    assert [a.status for a in answers] == [200] * 5 + [429]
    assert answers[0].headers["ratelimit-limit"] == "5"
    assert answers[4].headers["ratelimit-remaining"] == "0"
    refused = answers[5]
    assert refused.error_code == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert call(url, key=calm).status == 200  # another key's allowance is its own
    clock.advance(timedelta(seconds=int(refused.headers["retry-after"])))
    assert call(url, key=busy).status == 200


def test_keys_never_reach_the_logs(
    app: SlackApp, db: Database, clock, caplog: pytest.LogCaptureFixture
) -> None:
    key = new_key(db, TEAM, clock.now())
    caplog.set_level(logging.DEBUG)
    call(f"{app.api_url}/reps/ann@acme.example/assessment", key=key)
    call(f"{app.api_url}/reps/ann@acme.example/assessment", key=key + "x")
    call(f"{app.api_url}/nowhere", key=key)
    secret = key.split("_", 2)[2]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "key=" + key.split("_")[1] in logged  # requests are logged by the key's prefix
    assert secret not in logged


def test_reads_carry_an_etag_and_answer_304_when_unchanged(
    app: SlackApp, db: Database, clock
) -> None:
    key = new_key(db, TEAM, clock.now())
    url = f"{app.api_url}/reps/ann@acme.example/assessment"
    first = call(url, key=key)
    again = call(url, key=key, headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 304
    assert call(url, key=key, headers={"If-None-Match": '"stale"'}).status == 200


def test_paging_walks_every_rep_once(app: SlackApp, db: Database, clock) -> None:
    key = new_key(db, TEAM, clock.now())
    seen, cursor, pages = [], None, 0
    while True:
        query = "limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = call(f"{app.api_url}/assessments?{query}", key=key).body
        seen += [a["email"] for a in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == ["ann@acme.example", "bob@acme.example", "zoe@acme.example"]
    assert pages == 3
    refused = call(f"{app.api_url}/assessments?cursor=%%%", key=key)
    assert refused.status == 422
    assert refused.body["error"]["problems"][0]["field"] == "cursor"


def test_updated_since_leaves_out_what_did_not_change(app: SlackApp, db: Database, clock) -> None:
    key = new_key(db, TEAM, clock.now())
    everyone = call(f"{app.api_url}/assessments", key=key).body["data"]
    assert len(everyone) == 3
    later = (clock.now() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert call(f"{app.api_url}/assessments?updated_since={later}", key=key).body["data"] == []


def test_unknown_paths_and_methods_answer_in_the_error_shape(
    app: SlackApp, db: Database, clock
) -> None:
    key = new_key(db, TEAM, clock.now())
    missing = call(f"{app.api_url}/nowhere", key=key)
    assert (missing.status, missing.error_code) == (404, "not_found")
    wrong = call(f"{app.api_url}/assessments", method="DELETE", key=key)
    assert (wrong.status, wrong.error_code) == (405, "method_not_allowed")
    assert call(f"{app.root_url}/healthz").status == 200  # Slack's side is untouched
    assert call(app.events_url, method="POST", raw=b"{}").status == 401


def _api_routes(settings: Settings, db: Database, clock: FixedClock) -> set[tuple[str, str]]:
    api = build_api(settings, db, clock, lambda _team: None)
    found = set()
    for rule in api.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in {b.name for b in BLUEPRINTS}:
            continue  # the description and its page
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                found.add((method.lower(), path))
    return found


def test_the_openapi_description_is_valid_and_matches_the_routes(
    app: SlackApp, db: Database, clock
) -> None:
    answer = call(f"{app.api_url}/openapi.json")
    assert answer.status == 200  # public: no key needed to read how to call the API
    spec: dict[str, Any] = answer.body
    validate(spec)
    described = {
        (method, path)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert described == _api_routes(app.settings, db, clock)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert operation.get("security") == [{"bearer": []}], f"{method} {path}"
            assert "401" in operation["responses"], f"{method} {path}"
    page = call(f"{app.api_url}/swagger")
    assert page.status == 200 and "openapi.json" in page.body


def test_every_schema_has_a_name_of_its_own() -> None:
    """The description names schemas by class name; two models with one name would silently
    document one of them as the other."""
    import importlib
    import pkgutil
    from enum import Enum

    from pydantic import BaseModel

    import bot.api.schemas

    owners: dict[str, set[str]] = {}
    for module_info in pkgutil.iter_modules(bot.api.schemas.__path__):
        module = importlib.import_module(f"bot.api.schemas.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel | Enum)
                and value.__module__ == module.__name__
            ):
                owners.setdefault(value.__name__, set()).add(module.__name__)
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}
