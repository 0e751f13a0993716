"""The Maven CRM fixture (tests/fixtures/maven): reproducible from its converter, complete, and
valid native import input. Fast and database-free; see tests/fixtures/maven/README.md."""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from collections import Counter
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "maven"
SOURCE = (
    Path(__file__).parents[1] / ".." / "shared" / "data" / "real" / "maven-crm-sales-opportunities"
)

# From the source's SOURCE.md: 8,800 opportunities (Won 4,238 / Lost 2,473 / Engaging 1,589 /
# Prospecting 500); no row is dropped by the conversion.
SOURCE_STAGES = {"Won": 4238, "Lost": 2473, "Engaging": 1589, "Prospecting": 500}
PROSPECTING_DATE = "2017-12-31"  # rows without any date sit on the snapshot date (README)
PEOPLE_COLUMNS = ["email", "name", "role", "manager_email", "team", "region", "timezone"]
DEAL_COLUMNS = [
    "external_id",
    "owner",
    "account",
    "industry",
    "product",
    "amount",
    "currency",
    "created_on",
    "closed_on",
    "furthest_stage",
    "outcome",
]
TIMEZONES = {
    "Central": "America/Chicago",
    "East": "America/New_York",
    "West": "America/Los_Angeles",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@cache
def converter() -> ModuleType:
    spec = importlib.util.spec_from_file_location("maven_convert", FIXTURE / "convert.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def text(name: str) -> str:
    return (FIXTURE / name).read_bytes().decode("utf-8")


@cache
def header(name: str) -> list[str]:
    return next(csv.reader(io.StringIO(text(name))))


def rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text(name))))


@pytest.mark.skipif(
    not (SOURCE / "sales_pipeline.csv").is_file(),
    reason=f"source data set not present at {SOURCE.resolve()}; the committed fixture is used as is",
)
def test_fixture_is_what_the_converter_produces_from_the_source() -> None:
    produced = converter().convert(SOURCE)
    assert sorted(produced) == ["deals.csv", "people.csv"]
    for name, expected in produced.items():
        assert text(name) == expected, f"{name} is stale: rerun tests/fixtures/maven/convert.py"


def test_files_are_utf8_without_bom_with_lf_endings_and_small() -> None:
    for name in ("people.csv", "deals.csv"):
        raw = (FIXTURE / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), name
        assert b"\r" not in raw, name
        assert raw.endswith(b"\n"), name
        assert len(raw) < 1_000_000, name


def test_headers_are_native_columns() -> None:
    assert header("people.csv") == PEOPLE_COLUMNS
    assert header("deals.csv") == DEAL_COLUMNS


def test_deal_and_outcome_counts_match_the_source() -> None:
    deals = rows("deals.csv")
    assert len(deals) == sum(SOURCE_STAGES.values()) == 8800
    assert Counter(d["outcome"] for d in deals) == {
        "won": SOURCE_STAGES["Won"],
        "lost": SOURCE_STAGES["Lost"],
        "open": SOURCE_STAGES["Engaging"] + SOURCE_STAGES["Prospecting"],
    }
    assert Counter((d["outcome"], d["furthest_stage"]) for d in deals) == {
        ("won", ""): SOURCE_STAGES["Won"],
        ("lost", ""): SOURCE_STAGES["Lost"],
        ("open", "discovery"): SOURCE_STAGES["Engaging"],
        ("open", "prospecting"): SOURCE_STAGES["Prospecting"],
    }


def test_people_are_every_agent_and_manager_with_unique_emails() -> None:
    people = rows("people.csv")
    emails = [p["email"] for p in people]
    assert len(emails) == len(set(emails)) == 41
    assert emails == sorted(emails)
    assert len({p["name"] for p in people}) == 41
    assert Counter(p["role"] for p in people) == {"rep": 35, "manager": 6}
    managers = {p["email"]: p for p in people if p["role"] == "manager"}
    for person in people:
        assert re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+(\d+)?@maven\.example", person["email"])
        assert person["timezone"] == TIMEZONES[person["region"]]
        if person["role"] == "manager":
            assert person["manager_email"] == ""
        else:
            boss = managers[person["manager_email"]]
            assert (person["team"], person["region"]) == (boss["team"], boss["region"])
    assert len({p["team"] for p in people}) == 6


def test_every_deal_owner_is_a_rep_in_people() -> None:
    reps = {p["email"] for p in rows("people.csv") if p["role"] == "rep"}
    owners = {d["owner"] for d in rows("deals.csv")}
    assert owners <= reps
    assert len(owners) == 30  # five agents in sales_teams.csv have no deals


def test_deals_are_valid_native_rows() -> None:
    deals = rows("deals.csv")
    ids = [d["external_id"] for d in deals]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    for deal in deals:
        assert float(deal["amount"]) > 0, deal
        assert deal["currency"] == "USD"
        assert _DATE.match(deal["created_on"]), deal
        if deal["outcome"] == "open":
            assert deal["closed_on"] == "", deal
        else:
            assert _DATE.match(deal["closed_on"]), deal
            assert deal["closed_on"] >= deal["created_on"], deal
        if deal["furthest_stage"] == "prospecting":
            assert deal["created_on"] == PROSPECTING_DATE
        assert deal["product"] != "GTXPro"
        assert deal["industry"] != "technolgy"
        assert bool(deal["account"]) == bool(deal["industry"]), deal


def test_emails_are_ascii_folded_and_made_unique() -> None:
    emails = converter().assign_emails(["José Núñez", "Jose Nunez", "Mei-Mei Johns", "Jose Nunez"])
    assert emails == {
        "Jose Nunez": "jose.nunez@maven.example",
        "José Núñez": "jose.nunez2@maven.example",
        "Mei-Mei Johns": "mei-mei.johns@maven.example",
    }
