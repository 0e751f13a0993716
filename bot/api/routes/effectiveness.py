"""GET /effectiveness."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from bot.api.deps import caller, deps
from bot.api.errors import STANDARD_RESPONSES
from bot.api.paging import json_response
from bot.api.schemas.effectiveness import EffectivenessReport
from bot.services.api_effectiveness import effectiveness_report

TAG = Tag(name="effectiveness", description="Did coaching work, and what did it return")
blueprint = APIBlueprint(
    "effectiveness", __name__, url_prefix="/api/v1", abp_tags=[TAG], abp_security=[{"bearer": []}]
)


@blueprint.get("/effectiveness", responses={200: EffectivenessReport, **STANDARD_RESPONSES})
def get_effectiveness() -> Response:
    """Each plan's effect against uncoached peers, and the return on coaching

    For each objective: the coached rep's change minus the change of comparable uncoached
    reps over the same weeks, with its 90% interval; revenue is attributed only where a
    revenue model and a comparison group exist, and nothing is invented where they do not.
    The same report as `coachbot effectiveness --json`."""
    principal = caller()
    found = deps()
    report = effectiveness_report(
        found.db,
        found.settings,
        principal.team_id,
        principal.workspace_id,
        found.clock.now().date(),
    )
    return json_response(EffectivenessReport.model_validate(report).model_dump(mode="json"))
