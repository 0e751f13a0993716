"""Slack's Block Kit rules: coachbot's validator refuses what Slack refuses, the stub refuses
it too (independently, with Slack's errors), and every template renders within the rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render.blockkit import BlockKitError, check_message, message_problems, view_problems
from bot.render.charts import team_alt_text, trend_alt_text
from tests.slack.stub import SlackStub


def _button(action_id: str, value: str | None = "1", label: str = "Go") -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
    }
    if value is not None:
        button["value"] = value
    return button


def _message(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"text": "fallback", "blocks": list(blocks)}


VALID = _message(
    {"type": "header", "text": {"type": "plain_text", "text": "Day 30 review"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Win rate* 31%"}},
    {"type": "actions", "elements": [_button("decide.graduate"), _button("decide.continue")]},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "You decide."}]},
    {"type": "divider"},
    {"type": "image", "image_url": "https://example.com/c.png", "alt_text": "win rate"},
)

# Each breaks one rule Slack enforces; (what, how to break VALID)
BROKEN: list[tuple[str, Any]] = [
    ("repeated action_id", lambda m: m["blocks"][2]["elements"].append(_button("decide.graduate"))),
    ("empty button value", lambda m: m["blocks"][2]["elements"][0].update(value="")),
    ("header in mrkdwn", lambda m: m["blocks"][0]["text"].update(type="mrkdwn")),
    ("header too long", lambda m: m["blocks"][0]["text"].update(text="x" * 151)),
    ("section too long", lambda m: m["blocks"][1]["text"].update(text="x" * 3001)),
    ("empty section text", lambda m: m["blocks"][1]["text"].update(text="")),
    (
        "button label too long",
        lambda m: m["blocks"][2]["elements"][0]["text"].update(text="x" * 76),
    ),
    ("image without alt text", lambda m: m["blocks"][5].pop("alt_text")),
    ("too many blocks", lambda m: m["blocks"].extend([{"type": "divider"}] * 50)),
    ("empty actions", lambda m: m["blocks"][2].update(elements=[])),
    (
        "slack_file by id and url at once",
        lambda m: m["blocks"][5].update(slack_file={"id": "F00000001", "url": "https://x"}),
    ),
    (
        "slack_file id Slack would not take",
        lambda m: m["blocks"][5].pop("image_url") and m["blocks"][5].update(slack_file={"id": "x"}),
    ),
    (
        "too many context elements",
        lambda m: m["blocks"][3].update(elements=[{"type": "mrkdwn", "text": "x"}] * 11),
    ),
]


def test_a_valid_message_passes() -> None:
    assert message_problems(VALID) == []


@pytest.mark.parametrize(("what", "breaks"), BROKEN, ids=[b[0] for b in BROKEN])
def test_the_validator_refuses_what_slack_refuses(what: str, breaks: Any) -> None:
    broken = copy.deepcopy(VALID)
    breaks(broken)
    problems = message_problems(broken)
    assert problems, what
    assert all("[json-pointer:/" in p for p in problems)  # says where, in Slack's style
    with pytest.raises(BlockKitError):
        check_message(broken)


@pytest.mark.parametrize(("what", "breaks"), BROKEN, ids=[b[0] for b in BROKEN])
def test_the_stub_refuses_it_as_slack_does(what: str, breaks: Any) -> None:
    broken = copy.deepcopy(VALID)
    breaks(broken)
    with SlackStub(users={"U0ANN": {"email": "ann@acme.example"}}) as stub:
        client = WebClient(token="xoxb-test", base_url=stub.base_url)
        client.chat_postMessage(channel="U0ANN", **VALID)  # the valid one is taken
        with pytest.raises(SlackApiError) as refused:
            client.chat_postMessage(channel="U0ANN", **broken)
        assert refused.value.response["error"] == "invalid_blocks", what
        assert refused.value.response["errors"]
        assert len(stub.messages(stub.dm_channel("U0ANN"))) == 1  # nothing half-posted


def test_a_view_needs_a_title_and_a_submit_for_inputs() -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Log feedback"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "note",
                "label": {"type": "plain_text", "text": "Note"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }
    assert view_problems(modal) == []
    assert view_problems({**modal, "title": {"type": "plain_text", "text": "x" * 25}})
    assert view_problems({k: v for k, v in modal.items() if k != "submit"})
    assert view_problems({**modal, "type": "page"})
    with SlackStub() as stub:
        client = WebClient(token="xoxb-test", base_url=stub.base_url)
        with pytest.raises(SlackApiError) as refused:
            client.views_publish(
                user_id="U0BOT",
                view={
                    "type": "home",
                    "blocks": [{"type": "actions", "elements": [_button("a"), _button("a")]}],
                },
            )
        assert refused.value.response["error"] == "invalid_arguments"


def test_a_response_url_post_with_invalid_blocks_gets_a_400() -> None:
    from slack_sdk.webhook import WebhookClient

    broken = copy.deepcopy(VALID)
    broken["blocks"][2]["elements"][0]["value"] = ""
    with SlackStub() as stub:
        answer = WebhookClient(f"{stub.root_url}/response/1").send(**broken)
        assert answer.status_code == 400
        assert WebhookClient(f"{stub.root_url}/response/1").send(**VALID).status_code == 200


def test_charts_are_described_in_words() -> None:
    trend = trend_alt_text([("2026-03", 0.3, 10), ("2026-04", None, 0), ("2026-05", 0.5, 8)], 0.4)
    assert trend == (
        "Win rate by month (month, win rate of closed deals): "
        "2026-03 30% of 10, 2026-05 50% of 8; peers 40% over 90 days."
    )
    team = team_alt_text([("Ann", 0.4, 0.3), ("Bob", None, 0.3), ("Zoe", 0.2, None)])
    assert team == (
        "Win rate over 90 days by rep, against their peer group: Zoe 20%; Ann 40% (peers 30%)"
    )
    assert len(team_alt_text([(f"Rep {i}", 0.5, 0.5) for i in range(200)])) <= 1000
