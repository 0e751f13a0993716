"""GET /development-report."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from bot.api.deps import caller, deps
from bot.api.errors import STANDARD_RESPONSES
from bot.api.paging import json_response
from bot.api.schemas.development import DevelopmentQuery, DevelopmentReport
from bot.services.development_report import development_report

TAG = Tag(
    name="development",
    description="Where each team needs coaching, and what coaching has done so far",
)
blueprint = APIBlueprint(
    "development", __name__, url_prefix="/api/v1", abp_tags=[TAG], abp_security=[{"bearer": []}]
)


@blueprint.get("/development-report", responses={200: DevelopmentReport, **STANDARD_RESPONSES})
def get_development_report(query: DevelopmentQuery) -> Response:
    """The team development report

    Per team and skill: the active reps whose current assessment has the skill as a gap, the
    revenue at stake in those gaps, the active plans coaching it, and the effect coaching on
    it has had so far against uncoached peers. What a training programme plans from."""
    principal = caller()
    found = deps()
    report = development_report(
        found.db,
        found.settings,
        principal.team_id,
        principal.workspace_id,
        query.team,
        found.clock.now(),
    )
    return json_response(DevelopmentReport.model_validate(report).model_dump(mode="json"))
