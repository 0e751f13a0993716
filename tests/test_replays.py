"""Every click and form has one effect: the same signed request sent again (a double submit,
a replay within the signature's five minutes) changes nothing more and gets a friendly
answer, while a new request with the same content (the form opened again) is a new one."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.ids import Actions, Blocks, Views
from bot.store.models import Feedback, Person, PlanVersion, PracticeMark
from tests.slack import requests as slack
from tests.slackapp import at_once, text_of
from tests.test_slack_plans import _draft

SAVED = "Feedback on Ann Archer saved"
ALREADY_SAVED = "Already done: this feedback was saved on Nov 20, so nothing changed."


def _ann(db) -> int:
    with db.begin() as session:
        return session.scalar(select(Person.id).where(Person.email == "ann@acme.example"))


def _feedback_rows(db) -> int:
    with db.begin() as session:
        return session.scalar(select(func.count()).select_from(Feedback))


def _feedback_form(
    about: int, view_id: str = "V0FEEDBACK1", rating: str | None = "2", user: str = "U0MIA"
) -> slack.SlackRequest:
    def chosen(value: str | None) -> dict:
        return {
            "value": {
                "type": "static_select",
                "selected_option": {"value": value} if value else None,
            }
        }

    values = {
        Blocks.FEEDBACK_SKILL: chosen("discovery"),
        Blocks.FEEDBACK_RATING: chosen(rating),
        Blocks.FEEDBACK_SOURCE: chosen("manager"),
        Blocks.FEEDBACK_NOTE: {"value": {"type": "plain_text_input", "value": "Pitched early."}},
    }
    return slack.view_submission(
        Views.FEEDBACK, user, values, private_metadata=str(about), view_id=view_id
    )


def test_the_same_feedback_form_three_times_at_once_saves_one_row(slack_app, db) -> None:
    before = _feedback_rows(db)
    form = _feedback_form(_ann(db))
    assert at_once(*[lambda: slack_app.send(form)] * 3) == [200, 200, 200]
    answers = [text_of(c) for c in slack_app.dms_to("U0MIA", 3)]
    assert sum(SAVED in t for t in answers) == 1
    assert sum(ALREADY_SAVED in t for t in answers) == 2
    assert _feedback_rows(db) == before + 1


def test_a_form_replayed_later_saves_nothing_more(slack_app, db) -> None:
    before = _feedback_rows(db)
    form = _feedback_form(_ann(db))
    for count in (1, 2, 3):
        assert slack_app.send(form) == 200
        slack_app.dms_to("U0MIA", count)
    answers = [text_of(c) for c in slack_app.dms_to("U0MIA", 3)]
    assert SAVED in answers[0] and ALREADY_SAVED in answers[1] and ALREADY_SAVED in answers[2]
    assert _feedback_rows(db) == before + 1


def test_the_form_opened_again_with_the_same_answers_is_new_feedback(slack_app, db) -> None:
    before = _feedback_rows(db)
    slack_app.send(_feedback_form(_ann(db), view_id="V0FEEDBACK1"))
    slack_app.dms_to("U0MIA")
    slack_app.send(_feedback_form(_ann(db), view_id="V0FEEDBACK2"))
    answers = [text_of(c) for c in slack_app.dms_to("U0MIA", 2)]
    assert all(SAVED in t for t in answers)
    assert _feedback_rows(db) == before + 2


def test_a_form_refused_with_errors_is_refused_the_same_way_again(slack_app, db) -> None:
    form = _feedback_form(_ann(db), rating=None)
    for _ in range(2):
        status, _headers, body = slack.post(slack_app.events_url, form)
        assert status == 200
        assert json.loads(body)["errors"] == {Blocks.FEEDBACK_RATING: "Pick a rating from 1 to 5."}


def test_a_refused_form_leaves_no_key_behind(slack_app, db) -> None:
    """Feedback a rep may not give is refused; the key is not kept, so the refusal (not an
    'already done') answers the same form again."""
    form = _feedback_form(_ann(db), user="U0ANN")  # about herself: not hers to give
    for count in (1, 2):
        slack_app.send(form)
        assert "Feedback not saved" in text_of(slack_app.dms_to("U0ANN", count)[-1])


def test_a_replayed_click_has_one_effect(slack_app, db) -> None:
    click = slack.block_action(Actions.MARK_PRACTICE_DONE, "U0ANN", value="discovery")
    assert at_once(lambda: slack_app.send(click), lambda: slack_app.send(click)) == [200, 200]
    assert slack_app.send(click) == 200
    [answer] = slack_app.dms_to("U0ANN")
    assert "Nice work" in text_of(answer)
    slack_app.stub.none_within(
        "chat.postMessage",
        0.5,
        where=lambda c: c.channel == slack_app.stub.dm_channel("U0ANN"),
        already=1,
    )
    with db.begin() as session:
        assert len(session.scalars(select(PracticeMark)).all()) == 1


def test_a_second_click_of_the_same_button_is_a_new_request(slack_app) -> None:
    for count in (1, 2):
        slack_app.click(Actions.MARK_PRACTICE_DONE, "U0ANN", value="discovery")
        slack_app.dms_to("U0ANN", count)
    assert "Already noted" in text_of(slack_app.dms_to("U0ANN", 2)[1])


def test_the_same_plan_edit_twice_makes_one_version(slack_app, db) -> None:
    plan_id = _draft(db)
    block = Blocks.TARGET_PREFIX + "conversion:discovery>qualification"
    form = slack.view_submission(
        Views.EDIT_PLAN,
        "U0MIA",
        {block: {"value": {"type": "plain_text_input", "value": "45%"}}},
        private_metadata=str(plan_id),
        view_id="V0EDIT1",
    )
    assert at_once(lambda: slack_app.send(form), lambda: slack_app.send(form)) == [200, 200]
    answers = [text_of(c) for c in slack_app.dms_to("U0MIA", 2)]
    assert sum("from 33% to 45%" in t for t in answers) == 1
    assert sum("Already done: these targets were saved on Nov 20" in t for t in answers) == 1
    with db.begin() as session:
        versions = session.scalars(
            select(PlanVersion).where(PlanVersion.plan_id == plan_id).order_by(PlanVersion.version)
        ).all()
    assert [v.objectives[0]["target"] for v in versions] == [0.52, 0.45]


def test_two_clicks_of_mark_done_at_once_mark_once(slack_app, db) -> None:
    click = lambda: slack_app.click(Actions.MARK_PRACTICE_DONE, "U0ANN", value="discovery")  # noqa: E731
    assert at_once(click, click) == [200, 200]
    answers = [text_of(c) for c in slack_app.dms_to("U0ANN", 2)]
    assert sum("Nice work" in t for t in answers) == 1
    assert sum("Already noted" in t for t in answers) == 1
    assert not any("Something went wrong" in t for t in answers)
    with db.begin() as session:
        assert len(session.scalars(select(PracticeMark)).all()) == 1


def test_two_role_plays_started_at_once_leave_one_playing(slack_app, db) -> None:
    from bot.store.models import RoleplaySession

    click = lambda: slack_app.click(Actions.START_ROLEPLAY, "U0ANN", value="discovery")  # noqa: E731
    assert at_once(click, click) == [200, 200]
    slack_app.dms_to("U0ANN", 4)  # two scenarios, each with the buyer's first line
    with db.begin() as session:
        statuses = sorted(session.scalars(select(RoleplaySession.status)).all())
    assert statuses == ["active", "stopped"]
