"""Settings from the environment, checked once, with one clear message per bad variable."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.vocabulary import DEFAULT_STAGES

DEFAULT_DATABASE_URL = "sqlite:///coachbot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_WORKSPACE = "local"
# Slack publishes no number for chat.postMessage's workspace-wide limit; about 500 a minute
# is what large senders report. Jobs slow down on their own when Slack answers 429.
DEFAULT_SLACK_POST_RATE = 8.0
# users.lookupByEmail is Tier 3 (50+ a minute): the directory sync stays just under it.
DEFAULT_SLACK_LOOKUP_RATE = 0.8
DEFAULT_SEND_THREADS = 8
DEFAULT_API_REQUESTS_PER_MINUTE = 300
MAX_SEND_THREADS = 64

_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEAM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_STAGE = re.compile(r"^[a-z][a-z0-9_]*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable and the fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Configuration problem:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    timezone: str = "UTC"
    admins: frozenset[str] = field(default_factory=frozenset)
    workspace: str = DEFAULT_WORKSPACE
    stages: tuple[str, ...] = DEFAULT_STAGES
    currency: str = "USD"
    coaching_hourly_cost: float = 150.0
    slack_post_rate: float = DEFAULT_SLACK_POST_RATE
    slack_lookup_rate: float = DEFAULT_SLACK_LOOKUP_RATE
    send_threads: int = DEFAULT_SEND_THREADS
    # Many workspaces: Slack's OAuth install instead of one SLACK_BOT_TOKEN.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_redirect_uri: str | None = None
    token_keys: tuple[str, ...] = ()  # Fernet keys; the first encrypts, any decrypts
    api_requests_per_minute: int = DEFAULT_API_REQUESTS_PER_MINUTE  # per API key

    @property
    def oauth(self) -> bool:
        """Installed through Slack's OAuth flow, one bot token per workspace."""
        return self.slack_client_id is not None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_admin(self, slack_user_id: str | None, email: str | None) -> bool:
        return bool(
            (slack_user_id and slack_user_id in self.admins)
            or (email and email.lower() in self.admins)
        )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check every setting; raise ConfigError listing all problems at once."""
    env = os.environ if environ is None else environ
    problems: list[str] = []

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
        problems.append(
            "DATABASE_URL must be a SQLAlchemy URL such as sqlite:///coachbot.db or "
            "postgresql://user@host:5432/coachbot"
        )
    elif database_url.startswith("postgres://"):
        problems.append("DATABASE_URL must start with postgresql://, not postgres://")

    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        # Never echo a token back: it may be a real secret pasted into the wrong variable.
        problems.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    app_token = get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    signing_secret = get("SLACK_SIGNING_SECRET")
    if signing_secret and not re.fullmatch(r"[0-9a-fA-F]{16,}", signing_secret):
        problems.append(
            "SLACK_SIGNING_SECRET must be the hex string from your app's Basic Information page"
        )
    if bot_token and not signing_secret and not app_token:
        problems.append(
            "SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN "
            "for Socket Mode)"
        )

    api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        problems.append("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/")
    elif not api_url.endswith("/"):
        api_url += "/"

    timezone = get("COACHBOT_TIMEZONE") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"COACHBOT_TIMEZONE must be an IANA timezone such as Europe/Berlin, got {timezone!r}"
        )

    admins: set[str] = set()
    for entry in (get("COACHBOT_ADMINS") or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        if _SLACK_ID.match(entry):
            admins.add(entry)
        elif _EMAIL.match(entry):
            admins.add(entry.lower())
        else:
            problems.append(
                "COACHBOT_ADMINS must be a comma-separated list of Slack user ids (U024BE7LH) "
                f"or emails, got {entry!r}"
            )

    workspace = get("COACHBOT_WORKSPACE") or DEFAULT_WORKSPACE
    if not _TEAM_ID.match(workspace):
        problems.append(
            "COACHBOT_WORKSPACE must be a Slack team id such as T0123ABCD "
            f"(letters, digits, - or _), got {workspace!r}"
        )

    stages = DEFAULT_STAGES
    if raw_stages := get("COACHBOT_STAGES"):
        candidate = tuple(s.strip().lower() for s in raw_stages.split(",") if s.strip())
        bad = [s for s in candidate if not _STAGE.match(s) or s in ("won", "lost", "open")]
        if len(candidate) < 2 or bad or len(set(candidate)) != len(candidate):
            problems.append(
                "COACHBOT_STAGES must list at least two distinct pipeline stages in order, "
                "lower_case_with_underscores, without won/lost/open, e.g. "
                "prospecting,discovery,qualification,proposal,negotiation"
            )
        else:
            stages = candidate

    currency = (get("COACHBOT_CURRENCY") or "USD").upper()
    if not _CURRENCY.match(currency):
        problems.append(f"COACHBOT_CURRENCY must be an ISO code such as USD, got {currency!r}")

    hourly = get("COACHBOT_COACHING_HOURLY_COST") or "150"
    try:
        coaching_hourly_cost = float(hourly)
        if coaching_hourly_cost < 0:
            raise ValueError
    except ValueError:
        problems.append(
            "COACHBOT_COACHING_HOURLY_COST must be the cost of an hour of coaching time, a "
            f"number such as 150, got {hourly!r}"
        )
        coaching_hourly_cost = 0.0

    slack_post_rate = _rate(
        get, problems, "COACHBOT_SLACK_POST_RATE", DEFAULT_SLACK_POST_RATE, "messages jobs may post"
    )
    slack_lookup_rate = _rate(
        get,
        problems,
        "COACHBOT_SLACK_LOOKUP_RATE",
        DEFAULT_SLACK_LOOKUP_RATE,
        "people the directory sync may look up in Slack",
    )

    raw_threads = get("COACHBOT_SEND_THREADS") or str(DEFAULT_SEND_THREADS)
    try:
        send_threads = int(raw_threads)
        if not 1 <= send_threads <= MAX_SEND_THREADS:
            raise ValueError
    except ValueError:
        problems.append(
            "COACHBOT_SEND_THREADS must be how many messages jobs build and send at once, a "
            f"whole number from 1 to {MAX_SEND_THREADS}, got {raw_threads!r}"
        )
        send_threads = DEFAULT_SEND_THREADS

    raw_api_rate = get("COACHBOT_API_REQUESTS_PER_MINUTE") or str(DEFAULT_API_REQUESTS_PER_MINUTE)
    try:
        api_requests_per_minute = int(raw_api_rate)
        if not 1 <= api_requests_per_minute <= 100_000:
            raise ValueError
    except ValueError:
        problems.append(
            "COACHBOT_API_REQUESTS_PER_MINUTE must be how many requests one API key may make "
            f"a minute, a whole number from 1 to 100000, got {raw_api_rate!r}"
        )
        api_requests_per_minute = DEFAULT_API_REQUESTS_PER_MINUTE

    client_id = get("SLACK_CLIENT_ID")
    client_secret = get("SLACK_CLIENT_SECRET")
    redirect_uri = get("SLACK_REDIRECT_URI")
    raw_keys = (get("COACHBOT_TOKEN_KEYS") or "").split(",")
    token_keys = tuple(k.strip() for k in raw_keys if k.strip())
    if client_id or client_secret:
        problems.extend(_oauth_problems(client_id, client_secret, signing_secret, bot_token))
        if not token_keys:
            problems.append(
                "COACHBOT_TOKEN_KEYS is required with SLACK_CLIENT_ID: the key that encrypts "
                "workspace tokens at rest (make one with `coachbot keygen`)"
            )
    if redirect_uri and not redirect_uri.startswith("https://"):
        problems.append("SLACK_REDIRECT_URI must be the https:// URL of /slack/oauth_redirect")
    for number, key in enumerate(token_keys, start=1):
        if not _is_fernet_key(key):
            # Never echo the value: it is a secret.
            problems.append(
                f"COACHBOT_TOKEN_KEYS key {number} is not a Fernet key (32 url-safe base64 "
                "bytes, 44 characters; make one with `coachbot keygen`)"
            )

    if problems:
        raise ConfigError(problems)
    return Settings(
        database_url=database_url,
        slack_bot_token=bot_token,
        slack_signing_secret=signing_secret,
        slack_app_token=app_token,
        slack_api_url=api_url,
        timezone=timezone,
        admins=frozenset(admins),
        workspace=workspace,
        stages=stages,
        currency=currency,
        coaching_hourly_cost=coaching_hourly_cost,
        slack_post_rate=slack_post_rate,
        slack_lookup_rate=slack_lookup_rate,
        send_threads=send_threads,
        slack_client_id=client_id,
        slack_client_secret=client_secret,
        slack_redirect_uri=redirect_uri,
        token_keys=token_keys,
        api_requests_per_minute=api_requests_per_minute,
    )


def _rate(
    get: Callable[[str], str | None], problems: list[str], name: str, default: float, what: str
) -> float:
    """A per-second rate from the environment: above 0 and at most 1000."""
    raw = get(name) or str(default)
    try:
        rate = float(raw)
        if not 0 < rate <= 1000:
            raise ValueError
    except ValueError:
        problems.append(
            f"{name} must be how many {what} per second, a number above 0 and at most 1000 "
            f"such as {default:g}, got {raw!r}"
        )
        return default
    return rate


def _oauth_problems(
    client_id: str | None,
    client_secret: str | None,
    signing_secret: str | None,
    bot_token: str | None,
) -> list[str]:
    problems = []
    if not (client_id and client_secret):
        problems.append(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (Basic Information -> App "
            "Credentials) for installing coachbot into many workspaces"
        )
    if not signing_secret:
        problems.append("SLACK_SIGNING_SECRET is required with SLACK_CLIENT_ID")
    if bot_token:
        problems.append(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID exclude each other: one workspace with its "
            "token, or many installed through OAuth (each workspace's token is stored)"
        )
    return problems


def _is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32 and len(key) == 44
    except (ValueError, UnicodeEncodeError):
        return False
