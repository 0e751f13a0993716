"""`coachbot doctor` as an admin runs it: it finds a misconfigured setup, says how to fix each
problem, and exits 1 until everything holds."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import ORG, write
from tests.slack.stub import SlackStub
from tests.test_cli import coachbot

SECRET = "8f742231b10e8888abcd99aa00ff85a5"


def test_with_nothing_configured_it_says_what_to_do_first(tmp_path: Path) -> None:
    result = coachbot("doctor", database_url=f"sqlite:///{tmp_path / 'none.db'}", cwd=tmp_path)
    assert result.returncode == 1
    assert "✗ there is no database at sqlite:///" in result.stdout
    assert not (tmp_path / "none.db").exists()  # looking created nothing


def test_bad_settings_are_problems_with_their_fix(tmp_path: Path) -> None:
    result = coachbot(
        "doctor", database_url="sqlite://", cwd=tmp_path, COACHBOT_SEND_THREADS="many"
    )
    assert result.returncode == 1
    assert "✗ setting: COACHBOT_SEND_THREADS must be how many" in result.stdout


def test_it_finds_data_under_the_wrong_workspace_and_the_move_fixes_it(
    database_url: str, tmp_path: Path
) -> None:
    """The classic first install: data imported before Slack was set up lands in 'local'."""
    people = write(tmp_path, "people.csv", ORG["people.csv"])
    deals = write(tmp_path, "deals.csv", ORG["deals.csv"])
    imported = coachbot("import", str(people), str(deals), database_url=database_url, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr

    with SlackStub(team_id="T0ACME") as stub:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-acme",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": stub.base_url,
        }
        stub.scopes.remove("users:read.email")
        result = coachbot("doctor", database_url=database_url, cwd=tmp_path, **env)
        out = result.stdout
        assert result.returncode == 1
        assert "✓ Slack: team id T0ACME (Coachbot Test), bot user U0BOT" in out
        assert "✗ the bot token lacks scopes: users:read.email" in out
        assert "sit under workspace 'local', which is not the Slack workspace" in out
        assert "fix: move them: `coachbot workspace move local T0ACME`" in out
        assert "✗ workspace T0ACME has no CRM data" in out
        assert "✗ the worker has never run" in out and "Procfile's `worker:` line" in out

        moved = coachbot(
            "workspace", "move", "local", "T0ACME", database_url=database_url, cwd=tmp_path
        )
        assert moved.returncode == 0, moved.stderr
        assert "workspace local is now T0ACME: 5 people and 4 deals moved" in moved.stdout
        again = coachbot(
            "workspace", "move", "local", "T0ACME", database_url=database_url, cwd=tmp_path
        )
        assert again.returncode == 1 and "no workspace 'local'" in again.stderr

        stub.scopes.append("users:read.email")
        after = coachbot("doctor", database_url=database_url, cwd=tmp_path, **env).stdout
        assert "✓ all 9 scopes the manifest asks for are granted" in after
        assert "✓ workspace T0ACME holds 5 people and 4 deals" in after
        assert "'local'" not in after
        # The roster's Slack ids came with the CRM export here; Bob has none.
        assert "! 4 of 5 people in T0ACME are matched to Slack; 1 not found" in after
        assert "`coachbot people unmatched --workspace T0ACME`" in after


def test_a_workspace_set_to_another_team_than_the_token_is_a_problem(
    database_url: str, tmp_path: Path
) -> None:
    with SlackStub(team_id="T0ACME") as stub:
        result = coachbot(
            "doctor",
            database_url=database_url,
            cwd=tmp_path,
            SLACK_BOT_TOKEN="xoxb-acme",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=stub.base_url,
            COACHBOT_WORKSPACE="T0OTHER",
        )
    assert result.returncode == 1
    assert "COACHBOT_WORKSPACE is T0OTHER, but the bot token belongs to T0ACME" in result.stdout


def test_a_refused_token_is_explained(database_url: str, tmp_path: Path) -> None:
    with SlackStub() as stub:
        stub.fail_next("auth.test", status=200, body={"ok": False, "error": "invalid_auth"})
        result = coachbot(
            "doctor",
            database_url=database_url,
            cwd=tmp_path,
            SLACK_BOT_TOKEN="xoxb-pasted-wrong",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=stub.base_url,
        )
    assert result.returncode == 1
    assert "✗ Slack: Slack refused the bot token (invalid_auth)" in result.stdout
    assert "copy the Bot User OAuth Token (xoxb-…) again" in result.stdout


def test_settings_come_from_a_dotenv_file(database_url: str, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("COACHBOT_SEND_THREADS=many\n")
    result = coachbot("doctor", database_url=database_url, cwd=tmp_path)
    assert "COACHBOT_SEND_THREADS must be how many" in result.stdout  # read from .env


def test_serve_with_a_partial_set_of_tokens_says_what_is_missing(tmp_path: Path) -> None:
    result = coachbot(
        "serve", database_url="sqlite://", cwd=tmp_path, SLACK_APP_TOKEN="xapp-1-A0-1-abc"
    )
    assert result.returncode == 1
    assert "Socket Mode needs SLACK_BOT_TOKEN (xoxb-…" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_worker_check_reads_the_schedulers_next_run_times(database_url: str) -> None:
    """Running: the next due job is in the future or only just due; stopped: long overdue."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    from bot.doctor import _worker
    from bot.store.engine import Database

    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    db = Database.from_url(database_url)
    with db.engine.begin() as connection:  # PostgreSQL keeps it from other tests' workers
        connection.execute(text("drop table if exists apscheduler_jobs"))
    try:
        [never] = _worker(db, now)
        assert never.status == "problem" and "never run" in never.text
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "create table apscheduler_jobs (id varchar(191) primary key, "
                    "next_run_time float, job_state bytea)".replace(
                        "bytea", "blob" if db.engine.dialect.name == "sqlite" else "bytea"
                    )
                )
            )
            due = (now + timedelta(minutes=5)).timestamp()
            connection.execute(
                text("insert into apscheduler_jobs values ('x', :t, null)"), {"t": due}
            )
        [running] = _worker(db, now)
        assert running.status == "ok" and "ran recently" in running.text
        [stopped] = _worker(db, now + timedelta(hours=2))
        assert stopped.status == "problem" and "not running" in stopped.text
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("drop table if exists apscheduler_jobs"))
        db.dispose()
