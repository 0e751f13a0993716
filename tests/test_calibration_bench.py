"""A fast subset of bench/calibration.py as a test: generated Salesforce and HubSpot exports,
imported through the real import path and assessed, must show every planted pattern, no
verdict from data the export does not have, and few verdicts on reps who differ by luck."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).parents[1] / "bench"
SEEDS = [0, 1]  # from the tuning set; the report set is for bench/calibration.py only
SHAPES = ["export", "contacts", "feedback"]
PRESETS = ["salesforce", "hubspot"]


@cache
def bench() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("calibration", BENCH / "calibration.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["calibration"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report() -> dict:
    return bench().summarise(bench().run(SEEDS, SHAPES, PRESETS, workers=1))


def test_every_measurable_planted_pattern_is_found(report) -> None:
    for row in report["rows"]:
        for pattern, recall in row["recall"].items():
            if recall is None:  # not measurable in this shape: no data for it
                assert row["shape"] == "export", (row["shape"], pattern)
                continue
            assert recall["n"] == len(SEEDS), (row["preset"], row["shape"], pattern)
            assert recall["k"] == recall["n"], (row["preset"], row["shape"], pattern)


def test_nothing_is_claimed_from_missing_data(report) -> None:
    assert all(row["no_data_verdicts"] == 0 for row in report["rows"])


def test_reps_who_differ_by_luck_are_left_alone(report) -> None:
    for row in report["rows"]:
        # Looser than the benchmark's 1 in 12: a small sample of noise-only reps.
        assert row["noise_gap"]["share"] <= 1 / 6, row
        assert row["noise_strength"]["share"] <= 1 / 6, row
        assert row["new_hire_verdict"]["k"] == 0, row


def test_both_presets_read_the_same_org_alike(report) -> None:
    by_shape: dict[str, list[dict]] = {}
    for row in report["rows"]:
        by_shape.setdefault(row["shape"], []).append(row)
    for rows in by_shape.values():
        first, second = ({k: v for k, v in r.items() if k != "preset"} for r in rows)
        assert first == second


def test_the_generator_is_deterministic_and_plants_every_pattern() -> None:
    bench()  # puts bench/ on the path
    import _calibration_orgs as data

    today = date(2026, 11, 30)
    one = data.generate_org(7, "feedback", "salesforce", today)
    two = data.generate_org(7, "feedback", "salesforce", today)
    assert one.files == two.files
    assert sorted(one.planted.values()) == sorted(data.PATTERNS)
    assert not set(one.planted) & set(one.noise)
    assert one.files["opportunities.csv"].startswith("\ufeff")  # as Salesforce writes it
    assert data.generate_org(8, "export", "salesforce", today).files != one.files
