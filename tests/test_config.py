"""Settings: sensible defaults, and one clear message per malformed variable."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


def test_defaults_need_nothing() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite:///coachbot.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.timezone == "UTC" and settings.workspace == "local"
    assert settings.stages[0] == "prospecting" and settings.currency == "USD"
    assert settings.slack_bot_token is None


def test_a_full_configuration_is_read() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://coach@db:5432/coach",
            "SLACK_BOT_TOKEN": "xoxb-1-2-3",
            "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef",
            "SLACK_APP_TOKEN": "xapp-1-A-1-abc",
            "SLACK_API_URL": "http://127.0.0.1:8765/api",
            "COACHBOT_TIMEZONE": "Europe/Berlin",
            "COACHBOT_ADMINS": "U024BE7LH, Ops@Example.com",
            "COACHBOT_WORKSPACE": "T0123ABCD",
            "COACHBOT_STAGES": "Lead, Demo, Proposal",
            "COACHBOT_CURRENCY": "eur",
            "COACHBOT_SLACK_POST_RATE": "2.5",
            "COACHBOT_SEND_THREADS": "4",
        }
    )
    assert settings.slack_post_rate == 2.5 and settings.send_threads == 4
    assert settings.slack_api_url == "http://127.0.0.1:8765/api/"
    assert settings.admins == {"U024BE7LH", "ops@example.com"}
    assert settings.is_admin(None, "OPS@example.com") and settings.is_admin("U024BE7LH", None)
    assert not settings.is_admin("U999", "rep@example.com")
    assert settings.stages == ("lead", "demo", "proposal")
    assert settings.currency == "EUR" and settings.zone.key == "Europe/Berlin"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must be a SQLAlchemy URL"),
        (
            "SLACK_BOT_TOKEN",
            "xoxp-user-token",
            "SLACK_BOT_TOKEN must be a bot token starting with xoxb-",
        ),
        (
            "SLACK_APP_TOKEN",
            "xoxb-1",
            "SLACK_APP_TOKEN must be an app-level token starting with xapp-",
        ),
        ("SLACK_SIGNING_SECRET", "not hex!", "SLACK_SIGNING_SECRET must be the hex string"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL must be an http(s) URL"),
        ("COACHBOT_TIMEZONE", "Mars/Olympus", "COACHBOT_TIMEZONE must be an IANA timezone"),
        ("COACHBOT_ADMINS", "U024BE7LH,bob", "COACHBOT_ADMINS must be a comma-separated list"),
        ("COACHBOT_WORKSPACE", "team one", "COACHBOT_WORKSPACE must be a Slack team id"),
        ("COACHBOT_STAGES", "discovery,won", "COACHBOT_STAGES must list at least two"),
        ("COACHBOT_CURRENCY", "dollars", "COACHBOT_CURRENCY must be an ISO code"),
        (
            "COACHBOT_COACHING_HOURLY_COST",
            "cheap",
            "COACHBOT_COACHING_HOURLY_COST must be the cost",
        ),
        ("COACHBOT_COACHING_HOURLY_COST", "-5", "COACHBOT_COACHING_HOURLY_COST must be the cost"),
        ("COACHBOT_SLACK_POST_RATE", "0", "COACHBOT_SLACK_POST_RATE must be how many"),
        ("COACHBOT_SLACK_POST_RATE", "fast", "COACHBOT_SLACK_POST_RATE must be how many"),
        ("COACHBOT_SLACK_LOOKUP_RATE", "-1", "COACHBOT_SLACK_LOOKUP_RATE must be how many"),
        ("COACHBOT_SEND_THREADS", "0", "COACHBOT_SEND_THREADS must be how many"),
        ("COACHBOT_SEND_THREADS", "2.5", "COACHBOT_SEND_THREADS must be how many"),
        ("COACHBOT_SEND_THREADS", "65", "COACHBOT_SEND_THREADS must be how many"),
    ],
)
def test_each_malformed_variable_is_named(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value})
    assert caught.value.problems[0].startswith(message)
    assert variable in str(caught.value)


def test_a_bot_token_needs_a_signing_secret_or_socket_mode() -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is required"):
        load_settings({"SLACK_BOT_TOKEN": "xoxb-1"})
    assert load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})


def test_tokens_are_never_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"SLACK_BOT_TOKEN": "xoxp-very-secret-user-token"})
    assert "very-secret" not in str(caught.value)


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"COACHBOT_TIMEZONE": "Nowhere", "COACHBOT_CURRENCY": "x"})
    assert len(caught.value.problems) == 2
