"""Which Slack workspace a bot token belongs to (auth.test), with the fix when Slack refuses."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.render.sentences import sentence, sentences_by_code
from bot.slack.client import make_client


class SlackSetupError(RuntimeError):
    """Slack could not be reached or refused the token; the message says how to fix it."""


@dataclass(frozen=True)
class TeamIdentity:
    team_id: str
    team: str
    bot_user_id: str
    url: str
    scopes: tuple[str, ...] = ()  # granted to the token, as Slack's x-oauth-scopes header says


def whoami(settings: Settings, token: str | None = None) -> TeamIdentity:
    """auth.test with the bot token: the team id coachbot's data must be stored under."""
    client = make_client(settings, token)
    try:
        answer = client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error")
        fixes = sentences_by_code("bot_token_fixes")
        fix = fixes.get(code or "", sentence("bot_token_fix_unknown"))
        raise SlackSetupError(sentence("bot_token_refused", code=code, fix=fix)) from error
    except OSError as error:
        reason = sentence("slack_unreachable", url=settings.slack_api_url, error=error)
        raise SlackSetupError(reason) from error
    return TeamIdentity(
        team_id=str(answer["team_id"]),
        team=str(answer.get("team") or ""),
        bot_user_id=str(answer.get("user_id") or ""),
        url=str(answer.get("url") or ""),
        scopes=_granted_scopes(answer.headers),
    )


def _granted_scopes(headers: dict[str, object]) -> tuple[str, ...]:
    for name, value in (headers or {}).items():
        if name.lower() == "x-oauth-scopes":
            raw = value[0] if isinstance(value, list) and value else value
            return tuple(s.strip() for s in str(raw).split(",") if s.strip())
    return ()
