"""`coachbot doctor`: is this install ready to coach? Each check says what it found and, for a
problem, how to fix it. Read-only: it changes nothing (not even the schema)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from bot.config import DEFAULT_WORKSPACE, ConfigError, Settings, load_settings
from bot.slack.installs import BOT_SCOPES
from bot.slack.team import SlackSetupError, TeamIdentity, whoami
from bot.store import migrate
from bot.store.engine import Database
from bot.store.models import Deal, Person, Workspace

# The shortest job interval is 10 minutes (idle role-plays): a due job this much older than
# its time means no scheduler is running.
WORKER_SILENCE = timedelta(minutes=30)
JOBS_TABLE = "apscheduler_jobs"

OK, WARN, PROBLEM = "ok", "warning", "problem"
MARK = {OK: "✓", WARN: "!", PROBLEM: "✗"}


@dataclass(frozen=True)
class Finding:
    status: str  # ok, warning, problem
    text: str
    fix: str | None = None

    def __str__(self) -> str:
        fix = f"\n    fix: {self.fix}" if self.fix else ""
        return f"{MARK[self.status]} {self.text}{fix}"


def diagnose(environ: Mapping[str, str], now: datetime) -> list[Finding]:
    """Every check, in the order an admin would fix things."""
    try:
        settings = load_settings(environ)
    except ConfigError as error:
        return [Finding(PROBLEM, f"setting: {p}") for p in error.problems]
    findings = [Finding(OK, "settings are valid")]
    db = Database.from_url(settings.database_url)
    try:
        database = _database(db, settings)
        findings += database
        if any(f.status == PROBLEM for f in database):
            return findings
        teams, slack = _slack(db, settings)
        findings += slack
        findings += _workspaces(db, settings, teams)
        findings += _worker(db, now)
        findings += _people(db, teams)
    finally:
        db.dispose()
    return findings


def failed(findings: list[Finding]) -> bool:
    return any(f.status == PROBLEM for f in findings)


def _database(db: Database, settings: Settings) -> list[Finding]:
    where = db.engine.url.render_as_string(hide_password=True)
    url = db.engine.url
    file = url.database if url.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not Path(file).exists():
        # connecting would create the file: the doctor only looks
        return [
            Finding(
                PROBLEM,
                f"there is no database at {where} yet",
                "set DATABASE_URL if it lives elsewhere; otherwise `coachbot db upgrade` "
                "creates it (so do import, serve and worker)",
            )
        ]
    try:
        with db.engine.connect() as connection:
            connection.execute(text("select 1"))
        current = migrate.current_revision(db.engine)
    except SQLAlchemyError as error:
        reason = str(error.__cause__ or error).splitlines()[0]
        return [
            Finding(
                PROBLEM,
                f"database {where} cannot be reached: {reason}",
                "check DATABASE_URL, and that the database server runs and accepts this user",
            )
        ]
    head = migrate.head_revision()
    if current != head:
        return [
            Finding(
                PROBLEM,
                f"database {where} is at schema {current or 'none'}, this coachbot needs {head}",
                "run `coachbot db upgrade` (serve and worker also upgrade when they start)",
            )
        ]
    return [Finding(OK, f"database {where} is reachable, schema {head} is current")]


def _slack(db: Database, settings: Settings) -> tuple[list[str], list[Finding]]:
    """The team ids coachbot answers for, and what Slack said about each token."""
    if settings.slack_bot_token:
        return _one_workspace(settings)
    if settings.oauth:
        return _installed(db, settings)
    return [], [
        Finding(
            PROBLEM,
            "Slack is not configured: coachbot only writes previews to out/preview",
            "create the app from manifest.yml, install it to your workspace, then set "
            "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (and SLACK_APP_TOKEN for Socket Mode); "
            "see the README's 'Connect to Slack'",
        )
    ]


def _one_workspace(settings: Settings) -> tuple[list[str], list[Finding]]:
    try:
        identity = whoami(settings)
    except SlackSetupError as problem:
        return [], [Finding(PROBLEM, f"Slack: {problem}")]
    findings = [_identity_finding(identity), *_scope_findings(set(identity.scopes))]
    if settings.workspace not in (DEFAULT_WORKSPACE, identity.team_id):
        findings.append(
            Finding(
                PROBLEM,
                f"COACHBOT_WORKSPACE is {settings.workspace}, but the bot token belongs to "
                f"{identity.team_id}: Slack's requests would find no data",
                f"set COACHBOT_WORKSPACE={identity.team_id} (or leave it unset)",
            )
        )
    if not settings.slack_app_token and not settings.slack_signing_secret:
        findings.append(
            Finding(
                PROBLEM,
                "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP) is set",
                "set SLACK_APP_TOKEN (Basic Information → App-Level Tokens, scope "
                "connections:write) or SLACK_SIGNING_SECRET (Basic Information)",
            )
        )
    return [identity.team_id], findings


def _installed(db: Database, settings: Settings) -> tuple[list[str], list[Finding]]:
    from bot.slack.installs import BotTokens, installation_store, installed_teams

    teams = installed_teams(db.engine, settings)
    if not teams:
        return [], [
            Finding(
                PROBLEM,
                "no workspace has installed coachbot yet (many-workspace mode, SLACK_CLIENT_ID)",
                f"open {_install_url(settings)} and choose Allow",
            )
        ]
    tokens = BotTokens(installation_store(settings, db.engine), settings)
    findings: list[Finding] = []
    for team in teams:
        try:
            identity = whoami(settings, tokens(team))
        except SlackSetupError as problem:
            findings.append(Finding(PROBLEM, f"Slack, workspace {team}: {problem}"))
            continue
        findings.append(_identity_finding(identity))
        findings += _scope_findings(set(identity.scopes), identity.team_id)
    return teams, findings


def _install_url(settings: Settings) -> str:
    redirect = settings.slack_redirect_uri or "https://YOUR-HOST/slack/oauth_redirect"
    return redirect.rsplit("/slack/", 1)[0] + "/slack/install"


def _identity_finding(identity: TeamIdentity) -> Finding:
    return Finding(
        OK,
        f"Slack: team id {identity.team_id} ({identity.team or 'unnamed'}), bot user "
        f"{identity.bot_user_id}",
    )


def _scope_findings(granted: set[str], team: str | None = None) -> list[Finding]:
    where = f" in {team}" if team else ""
    missing = [s for s in BOT_SCOPES if s not in granted]
    if not granted:
        return [Finding(WARN, f"Slack did not say which scopes the token has{where}")]
    if missing:
        return [
            Finding(
                PROBLEM,
                f"the bot token lacks scopes{where}: {', '.join(missing)}",
                "add them under OAuth & Permissions → Bot Token Scopes (or recreate the app "
                "from manifest.yml), then reinstall the app to the workspace",
            )
        ]
    return [Finding(OK, f"all {len(BOT_SCOPES)} scopes the manifest asks for are granted{where}")]


def _workspaces(db: Database, settings: Settings, teams: list[str]) -> list[Finding]:
    with db.begin() as session:
        rows = session.execute(
            select(
                Workspace.team_id,
                select(func.count(Person.id))
                .where(Person.workspace_id == Workspace.id)
                .scalar_subquery(),
                select(func.count(Deal.id))
                .where(Deal.workspace_id == Workspace.id)
                .scalar_subquery(),
            ).order_by(Workspace.team_id)
        ).all()
    holding = {team: (people, deals) for team, people, deals in rows if people or deals}
    if not holding:
        return [
            Finding(
                PROBLEM,
                "there is no CRM data yet",
                "import your exports: `coachbot import people.csv deals.csv` (see the README's "
                "'Import your CRM data'), or drop the CSV files into coachbot's DM in Slack",
            )
        ]
    findings = [
        Finding(OK, f"workspace {team} holds {people} people and {deals} deals")
        if deals
        else Finding(
            WARN,
            f"workspace {team} holds {people} people but no deals: nobody can be assessed",
            f"import the deals export: `coachbot import --workspace {team} deals.csv`",
        )
        for team, (people, deals) in holding.items()
        if not teams or team in teams
    ]
    for team, (people, deals) in holding.items():
        if teams and team not in teams:
            target = teams[0] if len(teams) == 1 else "T…"
            findings.append(
                Finding(
                    PROBLEM,
                    f"{people} people and {deals} deals sit under workspace {team!r}, which "
                    f"is not the Slack workspace coachbot answers for ({', '.join(teams)})",
                    f"move them: `coachbot workspace move {team} {target}`",
                )
            )
    for team in teams:
        if team not in holding:
            findings.append(
                Finding(
                    PROBLEM,
                    f"workspace {team} has no CRM data",
                    f"import into it: `coachbot import --workspace {team} FILES…`",
                )
            )
    return findings


def _worker(db: Database, now: datetime) -> list[Finding]:
    never = Finding(
        PROBLEM,
        "the worker has never run: no nudges, digests, reviews or directory sync go out",
        "run `coachbot worker` next to the web process (the Procfile's `worker:` line)",
    )
    if not inspect(db.engine).has_table(JOBS_TABLE):
        return [never]
    with db.engine.connect() as connection:
        due = connection.execute(text(f"select min(next_run_time) from {JOBS_TABLE}")).scalar()
    if due is None:
        return [never]
    due_at = datetime.fromtimestamp(float(due), tz=now.tzinfo)
    if now - due_at > WORKER_SILENCE:
        return [
            Finding(
                PROBLEM,
                f"the worker is not running: a job due at {due_at:%Y-%m-%d %H:%M} UTC never ran",
                "start `coachbot worker` again (the Procfile's `worker:` line); it catches up",
            )
        ]
    return [Finding(OK, f"the worker ran recently (next job due {due_at:%Y-%m-%d %H:%M} UTC)")]


def _people(db: Database, teams: list[str]) -> list[Finding]:
    findings = []
    with db.begin() as session:
        for team in teams:
            active = session.scalars(
                select(Person)
                .join(Workspace)
                .where(Workspace.team_id == team, Person.active.is_(True))
            ).all()
            if not active:
                continue
            on_slack = sum(1 for p in active if p.slack_user_id and not p.slack_deactivated)
            missing = sum(1 for p in active if p.slack_user_id is None)
            line = f"{on_slack} of {len(active)} people in {team} are matched to Slack"
            if on_slack == 0:
                findings.append(
                    Finding(
                        PROBLEM,
                        line,
                        f"match them by email: `coachbot people sync --workspace {team}`",
                    )
                )
            elif missing:
                findings.append(
                    Finding(
                        WARN,
                        f"{line}; {missing} not found",
                        f"see who: `coachbot people unmatched --workspace {team}`",
                    )
                )
            else:
                findings.append(Finding(OK, line))
    return findings
