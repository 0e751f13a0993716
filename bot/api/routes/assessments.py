"""GET /reps/{email}/assessment and GET /assessments."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from bot.api.deps import caller, deps
from bot.api.errors import STANDARD_RESPONSES, not_found
from bot.api.paging import decode_cursor, encode_cursor, json_response
from bot.api.schemas.assessments import Assessment, AssessmentPage
from bot.api.schemas.common import ChangedSinceQuery, RepPath
from bot.services.api_assessments import assessment_page, rep_assessment

TAG = Tag(name="assessments", description="Each rep against their peers, skill gaps, trend")
blueprint = APIBlueprint(
    "assessments", __name__, url_prefix="/api/v1", abp_tags=[TAG], abp_security=[{"bearer": []}]
)


@blueprint.get("/reps/<email>/assessment", responses={200: Assessment, **STANDARD_RESPONSES})
def get_rep_assessment(path: RepPath) -> Response:
    """One rep's current assessment

    Computed nightly and on demand; the ETag changes when the assessment does."""
    principal = caller()
    found = deps()
    payload = rep_assessment(
        found.db,
        found.settings,
        principal.team_id,
        principal.workspace_id,
        path.email,
        found.clock.now(),
    )
    if payload is None:
        raise not_found()
    return json_response(Assessment.model_validate(payload).model_dump(mode="json"))


@blueprint.get("/assessments", responses={200: AssessmentPage, **STANDARD_RESPONSES})
def list_assessments(query: ChangedSinceQuery) -> Response:
    """Every active rep's current assessment, a page at a time"""
    principal = caller()
    found = deps()
    page = assessment_page(
        found.db,
        found.settings,
        principal.team_id,
        principal.workspace_id,
        decode_cursor(query.cursor),
        query.limit,
        query.updated_since,
        found.clock.now(),
    )
    body = AssessmentPage(
        data=[Assessment.model_validate(item) for item in page.items],
        next_cursor=None if page.next_after is None else encode_cursor(page.next_after),
    )
    return json_response(body.model_dump(mode="json"))
