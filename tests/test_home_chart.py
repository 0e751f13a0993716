"""The rep's chart on their App Home, as Slack allows it: the file coachbot shared in the rep's
own DM, shown by its id; never a chart sent to somebody else; a deleted file leaves the Home
without it instead of leaving the rep without a Home."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.store.models import Person
from tests.helpers import ORG
from tests.slack import requests as slack
from tests.slackapp import acme_app

# Ann closes a deal a month from May to October, so her trend has enough months to draw.
ANN_MONTHLY = "".join(
    f"D-A{m},ann@acme.example,Account {m},software,mid_market,Suite,20000,USD,"
    f"2026-{m - 1:02d}-01,2026-{m:02d}-10,negotiation,{'won' if m % 2 else 'lost'},"
    f"{'' if m % 2 else 'price'},,2,,\n"
    for m in range(5, 11)
)


@pytest.fixture
def slack_app(db, settings, clock, tmp_path):
    with acme_app(
        db, settings, clock, tmp_path, **{"deals.csv": ORG["deals.csv"] + ANN_MONTHLY}
    ) as app:
        yield app


def _images(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in view["blocks"] if b["type"] == "image"]


def _uploaded(app, count: int = 1) -> list[str]:
    done = app.stub.wait_for("files.completeUploadExternal", count)
    return [call.response["files"][0]["id"] for call in done]


def _remembered(db, file_id: str) -> str:
    """Wait until the listener (still running after Slack's answer) has stored the chart."""
    deadline = time.monotonic() + 5
    while _stored_chart(db, "ann@acme.example") != file_id:
        assert time.monotonic() < deadline, "the chart was never remembered"
        time.sleep(0.02)
    return file_id


def _open_home(app, user: str, publishes: int) -> list[Any]:
    assert app.send(slack.app_home_opened(user)) == 200
    return app.stub.wait_for("views.publish", publishes, where=lambda c: c.body["user_id"] == user)


def _stored_chart(db, email: str) -> str | None:
    with db.begin() as session:
        return session.scalar(select(Person.home_chart_file_id).where(Person.email == email))


def test_the_chart_shared_in_the_reps_dm_is_on_their_home(slack_app, db) -> None:
    slack_app.command("me", "U0ANN")
    file_id = _remembered(db, *_uploaded(slack_app))
    [published] = _open_home(slack_app, "U0ANN", 1)
    assert published.status == 200 and published.response["ok"], published.response
    [image] = _images(published.json_field("view"))
    assert image["slack_file"] == {"id": file_id}
    assert image["alt_text"].startswith("Win rate by month")
    assert "as sent to your DM on" in image["title"]["text"]


def test_a_chart_sent_to_the_manager_never_reaches_the_reps_home(slack_app, db) -> None:
    slack_app.command("rep <@U0ANN|ann>", "U0MIA")
    _uploaded(slack_app)
    assert _stored_chart(db, "ann@acme.example") is None
    [published] = _open_home(slack_app, "U0ANN", 1)
    assert _images(published.json_field("view")) == []
    [manager] = _open_home(slack_app, "U0MIA", 1)
    assert _images(manager.json_field("view")) == []


def test_a_deleted_chart_leaves_the_home_without_it(slack_app, db, clock) -> None:
    slack_app.command("me", "U0ANN")
    [file_id] = _uploaded(slack_app)
    _remembered(db, file_id)
    slack_app.stub.delete_file(file_id)  # the rep deleted it from their DM
    clock.advance(timedelta(hours=1))
    refused, published = _open_home(slack_app, "U0ANN", 2)
    assert refused.response["error"] == "invalid_arguments"
    assert "invalid slack file" in str(refused.response["response_metadata"])
    assert published.response["ok"] and _images(published.json_field("view")) == []
    assert _stored_chart(db, "ann@acme.example") is None
    # Forgotten: the next Home goes out at once, without offering Slack the file again.
    _open_home(slack_app, "U0ANN", 3)
    slack_app.stub.none_within("views.publish", 0.5, already=3)


def test_a_chart_slack_is_still_scanning_is_not_forgotten(slack_app, db) -> None:
    slack_app.command("me", "U0ANN")
    file_id = _remembered(db, *_uploaded(slack_app))
    slack_app.stub.delete_file(file_id)  # stands in for "not ready yet": refused the same way
    refused, published = _open_home(slack_app, "U0ANN", 2)
    assert not refused.response["ok"] and published.response["ok"]
    assert _stored_chart(db, "ann@acme.example") == file_id


def test_an_old_chart_is_left_out(slack_app, db, clock) -> None:
    slack_app.command("me", "U0ANN")
    _remembered(db, *_uploaded(slack_app))
    clock.advance(timedelta(days=34))
    [recent] = _open_home(slack_app, "U0ANN", 1)
    assert len(_images(recent.json_field("view"))) == 1
    clock.advance(timedelta(days=2))
    stale = _open_home(slack_app, "U0ANN", 2)[1]
    assert _images(stale.json_field("view")) == []
