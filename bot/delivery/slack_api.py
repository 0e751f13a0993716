"""Slack's Web API for what coachbot reads (who a user is, the workspace's members); the
posts are bot/delivery/poster.py. Slack's refusals come out as `Refused`, with Slack's error
code and answer, so the services never handle slack_sdk's own types."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError

T = TypeVar("T")


class Refused(Exception):
    """Slack said no: `code` is its error ("users_not_found", "missing_scope", ...)."""

    def __init__(self, method: str, code: str | None, answer: dict[str, Any]) -> None:
        super().__init__(f"{method}: {code}")
        self.method, self.code, self.answer = method, code, answer

    def mentions(self, text: str) -> bool:
        """Does Slack's answer name `text` in its errors or messages (e.g. "slack_file")?"""
        said = [
            *self.answer.get("errors", []),
            *self.answer.get("response_metadata", {}).get("messages", []),
        ]
        return any(text in str(line) for line in said)


def calling(method: str, call: Callable[[], T]) -> T:
    """`call()`, with a refusal from Slack turned into `Refused`."""
    try:
        return call()
    except SlackApiError as error:
        data = error.response.data if isinstance(error.response.data, dict) else {}
        raise Refused(method, error.response.get("error"), data) from error


def user(client: Any, user_id: str) -> dict[str, Any]:
    """users.info: the user's profile (email, timezone)."""
    return calling("users.info", partial(client.users_info, user=user_id))["user"]


def user_by_email(client: Any, email: str) -> dict[str, Any] | None:
    """users.lookupByEmail: the member with this email; None when nobody has it."""
    try:
        found = calling("users.lookupByEmail", partial(client.users_lookupByEmail, email=email))
    except Refused as refused:
        if refused.code == "users_not_found":
            return None
        raise
    return found["user"]


def member_pages(client: Any, page_size: int) -> Iterator[list[dict[str, Any]]]:
    """users.list, page by page."""
    cursor: str | None = None
    while True:
        page = calling("users.list", partial(client.users_list, limit=page_size, cursor=cursor))
        yield list(page.get("members") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return
