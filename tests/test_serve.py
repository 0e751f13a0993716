"""`coachbot serve --http` as production runs it: gunicorn on loopback, the signed Slack
endpoint, the health check; and the manifest asks for exactly the scopes the code uses."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from bot.slack.installs import BOT_SCOPES
from tests.helpers import run, write_org
from tests.slack import requests as slack
from tests.slack.stub import SlackStub

ROOT = Path(__file__).parents[1]
COACHBOT = Path(sys.executable).with_name("coachbot")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not become healthy")


def test_serve_http_answers_signed_commands_behind_gunicorn(
    db, database_url, settings, clock, tmp_path
) -> None:
    run(db, settings, clock, *write_org(tmp_path))
    port = _free_port()
    with SlackStub(users={"U0ANN": {"email": "ann@acme.example"}}) as stub:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_"))}
        env |= {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": slack.SIGNING_SECRET,
            "SLACK_API_URL": stub.base_url,
            "COACHBOT_WORKSPACE": "T0TEST",
        }
        process = subprocess.Popen(
            [
                str(COACHBOT),
                "serve",
                "--http",
                "--port",
                str(port),
                "--workers",
                "1",
                "--threads",
                "4",
            ],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            root = f"http://127.0.0.1:{port}"
            _wait_healthy(f"{root}/healthz", process)
            command = slack.slash_command(
                "help", "U0ANN", response_url=f"{stub.root_url}/response/1"
            )
            status, _headers, _body = slack.post(f"{root}/slack/events", command)
            assert status == 200
            [reply] = stub.wait_for("response_url")
            assert "Here is what I can do" in str(reply.body)
            assert slack.post(f"{root}/slack/events", slack.forged(command))[0] == 401
            assert slack.post(f"{root}/nowhere", command)[0] == 404
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def test_serve_refuses_to_start_without_credentials(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    http = subprocess.run(
        [str(COACHBOT), "serve", "--http"], env=env, capture_output=True, text=True, timeout=60
    )
    assert (
        http.returncode != 0
        and "HTTP mode needs SLACK_SIGNING_SECRET and either SLACK_BOT_TOKEN" in http.stderr
    )
    socket_mode = subprocess.run(
        [str(COACHBOT), "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert socket_mode.returncode != 0 and "and SLACK_APP_TOKEN (xapp-…" in socket_mode.stderr


# Each Web API method coachbot calls, and the bot scope it needs (None: no scope needed).
METHOD_SCOPES = {
    "chat_postMessage": "chat:write",
    "conversations_open": "im:write mpim:write",  # 1:1 DMs and group DMs (mentoring)
    "conversations_history": "im:history",  # a job reads its own DM message back
    "users_info": "users:read",
    "users_list": "users:read",  # the directory sync of a large roster
    "users_lookupByEmail": "users:read.email",  # the directory sync, one email at a time
    "auth_test": None,  # which workspace a bot token belongs to
    "views_publish": None,
    "views_open": None,
    "files_upload_v2": "files:write",
}
# Needs beyond method calls: the slash command, DMs received, emails read, uploads downloaded.
OTHER_SCOPES = {"commands", "im:history", "users:read.email", "files:read"}


def test_the_manifest_asks_for_exactly_the_scopes_the_code_uses() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    source = "\n".join(
        p.read_text() for p in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py")]
    )
    # Called, or handed to slack_api.calling (partial(client.users_list, ...)).
    called = set(re.findall(r"client\.([a-z]+_[A-Za-z0-9_]+)[(,]", source))
    unknown = called - set(METHOD_SCOPES)
    assert not unknown, f"add these Slack methods to METHOD_SCOPES and the manifest: {unknown}"
    needed = {s for m in called for s in (METHOD_SCOPES[m] or "").split()} | OTHER_SCOPES
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/coach"]
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "message.im",
        "app_uninstalled",
        "tokens_revoked",
    }
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)  # what OAuth asks for
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_the_procfile_runs_the_production_server() -> None:
    procfile = (ROOT / "Procfile").read_text()
    assert re.search(r"^web: coachbot serve --http ", procfile, re.M)
    assert re.search(r"^worker: coachbot worker$", procfile, re.M)
