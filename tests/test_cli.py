"""The `coachbot` command as an admin runs it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.store import migrate
from bot.store.models import Deal
from tests.helpers import write, write_org
from tests.slack.blockkit_rules import block_errors, view_errors

COACHBOT = Path(sys.executable).with_name("coachbot")


def coachbot(*args: str, database_url: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_"))}
    environment |= {"DATABASE_URL": database_url, **env}
    return subprocess.run(
        [str(COACHBOT), *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
    )


def test_import_prints_what_it_did(database_url, tmp_path) -> None:
    files = [str(p) for p in write_org(tmp_path)]
    result = coachbot("import", *files, database_url=database_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "people.csv: 5 people rows (5 new, 0 updated)",
        "deals.csv: 4 deals rows (4 new, 0 updated)",
        "stage_history.csv: 7 stage_history rows (7 new, 0 updated)",
        "activities.csv: 4 activities rows (4 new, 0 updated)",
        "feedback.csv: 3 feedback rows (3 new, 0 updated)",
        "Slack is not configured yet: once it is, the worker matches people to Slack by "
        "email every night (or run `coachbot people sync`).",
    ]


def test_a_rejected_import_exits_1_and_lists_problems_on_stderr(db, database_url, tmp_path) -> None:
    people, deals, *_ = write_org(tmp_path)
    bad = write(tmp_path, "bad.csv", deals.read_text().replace("42,000.50", "forty two"))
    result = coachbot("import", str(people), str(bad), database_url=database_url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Nothing was imported: 1 problem(s) found.",
        "  - bad.csv, row 2, column 'amount', value 'forty two': expected an amount like 12500 or 12,500.00",
    ]
    with db.begin() as session:
        assert session.scalar(select(func.count()).select_from(Deal)) == 0


def test_a_bad_setting_exits_2_naming_the_variable(database_url, tmp_path) -> None:
    result = coachbot(
        "db",
        "current",
        database_url=database_url,
        cwd=tmp_path,
        COACHBOT_TIMEZONE="Europe/Atlantis",
    )
    assert result.returncode == 2
    assert "COACHBOT_TIMEZONE must be an IANA timezone" in result.stderr


def test_a_bad_schedule_stops_the_worker_before_it_starts(database_url, tmp_path) -> None:
    result = coachbot(
        "worker",
        database_url=database_url,
        cwd=tmp_path,
        COACHBOT_SCHEDULE_DIGESTS="61 * * * *",
    )
    assert result.returncode == 2
    assert "COACHBOT_SCHEDULE_DIGESTS must be a crontab" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_reports_the_revision(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = coachbot("db", "upgrade", database_url=url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    head = migrate.head_revision()  # every new migration moves it: not written out here
    assert result.stdout.strip() == f"schema revision: {head} (latest {head})"


def test_import_mapping_format_and_kind_options(database_url, tmp_path) -> None:
    crm = Path(__file__).parent / "fixtures" / "crm"
    result = coachbot(
        "import",
        "--format",
        "salesforce",
        "--kind",
        "deals",
        str(crm / "salesforce_opportunities.csv"),
        database_url=database_url,
        cwd=tmp_path,
    )
    assert result.returncode == 1  # the owners are not imported yet
    assert "expected the email or full name of a person in the people file" in result.stderr
    first = coachbot(
        "import", str(crm / "salesforce_people.csv"), database_url=database_url, cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    second = coachbot(
        "import",
        "--format",
        "salesforce",
        str(crm / "salesforce_opportunities.csv"),
        database_url=database_url,
        cwd=tmp_path,
    )
    assert second.returncode == 0, second.stderr
    assert "salesforce_opportunities.csv: 32 deals rows (32 new, 0 updated)" in second.stdout


def test_unknown_option_values_are_refused_by_the_parser(database_url, tmp_path) -> None:
    result = coachbot(
        "import", "--format", "pipedrive", "x.csv", database_url=database_url, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "invalid choice: 'pipedrive'" in result.stderr


@pytest.mark.parametrize("seed", [7])
def test_demo_data_writes_the_examples(tmp_path, seed: int) -> None:
    result = coachbot(
        "demo-data",
        "--seed",
        str(seed),
        "--out",
        str(tmp_path / "ex"),
        database_url="sqlite://",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    examples = Path(__file__).parents[1] / "examples"
    for name in ("people.csv", "deals.csv", "stage_history.csv", "activities.csv", "feedback.csv"):
        assert (tmp_path / "ex" / name).read_bytes() == (examples / name).read_bytes()


def test_demo_loads_the_org_and_prints_the_headline_table(tmp_path) -> None:
    examples = Path(__file__).parents[1] / "examples"
    result = coachbot(
        "demo",
        "--examples",
        str(examples),
        "--out",
        str(tmp_path / "out"),
        database_url="sqlite://",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "deals.csv: 6699 deals rows (6699 new, 0 updated)" in result.stdout
    assert "Assessments as of 2026-11-20, deals closed in the last 90 days" in result.stdout
    lena = next(line for line in result.stdout.splitlines() if "Lena Fischer" in line)
    assert lena.split()[4] == "1" and "not enough data yet" in lena  # the new hire
    tyler = next(line for line in result.stdout.splitlines() if line.startswith("Tyler Brooks"))
    assert "discovery $" in tyler
    assert "The 3 biggest gaps and their evidence:" in result.stdout
    assert "discovery → qualification conversion: 33% (n=36) vs peers 71% (n=324)" in result.stdout
    # Plans of different ages, each for a planted weakness: reviews at day 30, 60 and 90,
    # an intensification confirmed by the manager, and a replan waiting for them.
    assert "Tyler Brooks, day 30 (2026-11-20)" in result.stdout
    assert "Jasmine Patel, day 60 (2026-11-20)" in result.stdout
    assert ": intensify (confirmed by the manager, plan active)" in result.stdout
    assert "Marcus Greene, day 90 (2026-11-20): replan (waiting for the manager)" in result.stdout
    assert (tmp_path / "out" / "demo.db").exists()
    _every_preview_payload_is_one_slack_takes(tmp_path / "out")


def _every_preview_payload_is_one_slack_takes(out: Path) -> None:
    """Every message, Home tab and modal the demo would send passes the stub's Block Kit
    rules (independent of coachbot's own validator); every chart has alt text."""
    records = [r for page in out.rglob("messages.json") for r in json.loads(page.read_text())]
    kinds = {r["kind"] for r in records}
    assert {"message", "home", "file"} <= kinds, kinds
    buttons = 0
    for record in records:
        payload = record["payload"]
        if record["kind"] == "message":
            assert block_errors(payload["blocks"]) == [], (record["recipient"], payload["text"])
        elif record["kind"] in ("home", "modal"):
            assert view_errors(payload) == [], record["recipient"]
        else:
            assert payload["alt_text"].startswith("Win rate"), payload
        buttons += json.dumps(payload).count('"type": "button"')
        words = json.dumps(payload, ensure_ascii=False)
        # Slack text that fits Slack: no CLI commands or repository paths, no "(s)" plurals,
        # no false certainty, no negative progress.
        for unfit in ("`coachbot ", "docs/", "(s)", "95% certain", "-%", "% of the way · -"):
            assert unfit not in words, (unfit, record["recipient"], payload.get("text"))
        assert not re.search(r"-\d+% of the way", words), payload.get("text")
    assert buttons > 0


def test_assess_prints_json_per_rep_by_email(database_url, tmp_path) -> None:
    files = [str(p) for p in write_org(tmp_path)]
    assert coachbot("import", *files, database_url=database_url, cwd=tmp_path).returncode == 0

    result = coachbot(
        "assess", "--as-of", "2026-05-01", "--json", database_url=database_url, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["as_of"] == "2026-05-01" and payload["window_days"] == 90
    assert set(payload["reps"]) == {"ann@acme.example", "bob@acme.example"}
    ann = payload["reps"]["ann@acme.example"]
    assert ann["status"] == "not_enough_data"
    assert (
        ann["message"]
        == "not enough data yet: 2 closed deals in the last 90 days, 10 needed for a verdict"
    )
    assert ann["gaps"] == [] and ann["trend"]["direction"] == "not_enough_data"


def test_assess_table_and_its_errors(database_url, tmp_path) -> None:
    files = [str(p) for p in write_org(tmp_path)]
    coachbot("import", *files, database_url=database_url, cwd=tmp_path)
    table = coachbot("assess", "--as-of", "2026-05-01", database_url=database_url, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "Assessments as of 2026-05-01, deals closed in the last 90 days" in table.stdout
    assert "not enough data yet" in table.stdout

    unknown = coachbot("assess", "--workspace", "T0NOPE", database_url=database_url, cwd=tmp_path)
    assert unknown.returncode == 1
    assert "no data for workspace 'T0NOPE': import CRM files first" in unknown.stderr
    bad_date = coachbot("assess", "--as-of", "31/12/2026", database_url=database_url, cwd=tmp_path)
    assert bad_date.returncode == 2 and "expected a date like 2026-03-31" in bad_date.stderr


def test_playbook_writes_markdown_without_naming_reps(tmp_path) -> None:
    examples = Path(__file__).parents[1] / "examples"
    url = f"sqlite:///{tmp_path / 'pb.db'}"
    files = [
        str(examples / f)
        for f in ("people.csv", "deals.csv", "stage_history.csv", "activities.csv", "feedback.csv")
    ]
    env = {"COACHBOT_WORKSPACE": "T0PB"}
    assert (
        coachbot("import", "--quiet", *files, database_url=url, cwd=tmp_path, **env).returncode == 0
    )
    assert (
        coachbot(
            "assess", "--as-of", "2026-11-20", database_url=url, cwd=tmp_path, **env
        ).returncode
        == 0
    )
    out = tmp_path / "stakeholders.md"
    result = coachbot(
        "playbook",
        "stakeholder_engagement",
        "--as-of",
        "2026-11-20",
        "--out",
        str(out),
        database_url=url,
        cwd=tmp_path,
        **env,
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert text.startswith("# Playbook: Stakeholder engagement")
    assert "| Contacts engaged per deal |" in text
    names = [line.split(",")[1] for line in (examples / "people.csv").read_text().splitlines()[1:]]
    assert not [name for name in names if name in text]
