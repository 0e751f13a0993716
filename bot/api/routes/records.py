"""POST /people, /deals, /stage-events, /activities and /feedback: CRM records from the
systems beside coachbot, checked and written as the CSV import writes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from bot.api.deps import caller, deps
from bot.api.errors import STANDARD_RESPONSES, ApiError, Error, Problem
from bot.api.idempotent import idempotent
from bot.api.schemas.records import (
    ActivityBatch,
    DealBatch,
    FeedbackBatch,
    PeopleBatch,
    RecordsWritten,
    StageEventBatch,
)
from bot.render.sentences import sentence
from bot.services.api_imports import RecordsRefused, import_records
from bot.services.api_keys import Principal

TAG = Tag(
    name="records",
    description="People, deals, stage events, activities and feedback, in batches of up to "
    "5,000, all or nothing, as the CSV import checks them (docs/import-format.md)",
)
blueprint = APIBlueprint(
    "records", __name__, url_prefix="/api/v1", abp_tags=[TAG], abp_security=[{"bearer": []}]
)
RESPONSES: dict[int, type[BaseModel]] = {
    200: RecordsWritten,
    **STANDARD_RESPONSES,
    403: Error,  # a key that may only read
    409: Error,  # the same Idempotency-Key still running
}


@blueprint.post("/people", responses=RESPONSES)
def post_people(body: PeopleBatch) -> Response:
    """Add or update people

    People are keyed by email. A manager may be in the same batch. New people are matched
    to their Slack accounts (by email) by the nightly directory sync, not at once: until
    then they get no messages. The rest is as for every batch of records: all are written
    or none, and a retry with the same `Idempotency-Key` changes nothing. The workspace's
    assessments are computed again from the new data at the next read."""
    principal = caller("write")
    return idempotent(lambda: _write(principal, "people", body.records))


@blueprint.post("/deals", responses=RESPONSES)
def post_deals(body: DealBatch) -> Response:
    """Add or update deals

    Deals are keyed by external_id; each owner must be a person sent before (POST /people,
    or the CSV import) in this workspace. All records are written or none, and a retry with
    the same `Idempotency-Key` changes nothing. The workspace's assessments are computed
    again from the new data at the next read."""
    principal = caller("write")
    return idempotent(lambda: _write(principal, "deals", body.records))


@blueprint.post("/stage-events", responses=RESPONSES)
def post_stage_events(body: StageEventBatch) -> Response:
    """Add or update stage events

    When each deal entered each pipeline stage, keyed by deal and stage: sending a deal's
    stage again moves its date. The deals must have been sent before. All records are
    written or none, and a retry with the same `Idempotency-Key` changes nothing. The
    workspace's assessments are computed again from the new data at the next read."""
    principal = caller("write")
    return idempotent(lambda: _write(principal, "stage_history", body.records))


@blueprint.post("/activities", responses=RESPONSES)
def post_activities(body: ActivityBatch) -> Response:
    """Add or update activities

    Calls, emails, meetings and demos, keyed by external_id, or by their content when they
    have none (so sending one again changes nothing). Each owner must be a person of this
    workspace. All records are written or none, and a retry with the same
    `Idempotency-Key` changes nothing. The workspace's assessments are computed again from
    the new data at the next read."""
    principal = caller("write")
    return idempotent(lambda: _write(principal, "activities", body.records))


@blueprint.post("/feedback", responses=RESPONSES)
def post_feedback(body: FeedbackBatch) -> Response:
    """Add or update feedback

    Ratings of a rep's work by their manager, a customer or a peer, keyed by external_id or
    by their content. The rep must be a person of this workspace. All records are written
    or none, and a retry with the same `Idempotency-Key` changes nothing. The workspace's
    assessments are computed again from the new data at the next read."""
    principal = caller("write")
    return idempotent(lambda: _write(principal, "feedback", body.records))


def _write(
    principal: Principal, kind: str, records: Sequence[BaseModel]
) -> tuple[int, dict[str, Any]]:
    found = deps()
    # Only the fields each record sent: a field no record sends is left as stored.
    sent = [record.model_dump(exclude_unset=True) for record in records]
    try:
        counts = import_records(
            found.db, found.settings, principal.team_id, kind, sent, found.clock
        )
    except RecordsRefused as refused:
        raise ApiError(
            422,
            "validation_failed",
            sentence("api_records_refused", total=refused.total, shown=len(refused.problems)),
            [Problem(**problem) for problem in refused.problems],
        ) from None
    return 200, RecordsWritten.model_validate(counts).model_dump(mode="json")
