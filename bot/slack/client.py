"""The Slack Web API client: base URL from settings (tests point it at a local stub) and
retries for rate limits and dropped connections."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler

from bot.config import Settings
from bot.delivery.pacing import PacedRateLimitRetryHandler, PacedWebClient, SendGate

TIMEOUT_SECONDS = 15
RATE_LIMIT_RETRIES = 3


def retry_handlers(gate: SendGate | None = None) -> list[RetryHandler]:
    rate_limits: RetryHandler = (
        PacedRateLimitRetryHandler(gate, max_retry_count=RATE_LIMIT_RETRIES)
        if gate is not None
        else RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)
    )  # either waits the Retry-After Slack sends
    return [rate_limits, ConnectionErrorRetryHandler(max_retry_count=2)]


def make_client(settings: Settings, token: str | None = None) -> WebClient:
    """The client that answers people: one request at a time, no pacing."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(),
    )


def make_sending_client(settings: Settings, token: str | None = None) -> PacedWebClient:
    """The client jobs fan out with: posts paced at COACHBOT_SLACK_POST_RATE per second
    through one gate shared by all sending threads."""
    gate = SendGate(settings.slack_post_rate)
    return PacedWebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(gate),
        gate=gate,
    )
