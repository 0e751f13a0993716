"""GET /plans and GET /plans/{plan_id}."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from bot.api.deps import caller, deps
from bot.api.errors import STANDARD_RESPONSES, not_found
from bot.api.paging import decode_cursor, encode_cursor, json_response
from bot.api.schemas.plans import Plan, PlanPage, PlanPath, PlanQuery
from bot.services.api_plans import plan_by_id, plan_page

TAG = Tag(name="plans", description="Coaching plans, their objectives and 30/60/90-day reviews")
blueprint = APIBlueprint(
    "plans", __name__, url_prefix="/api/v1", abp_tags=[TAG], abp_security=[{"bearer": []}]
)


@blueprint.get("/plans", responses={200: PlanPage, **STANDARD_RESPONSES})
def list_plans(query: PlanQuery) -> Response:
    """Coaching plans, a page at a time

    Oldest first, drafts and closed plans included; `status`, `rep` and `updated_since`
    narrow the list."""
    principal = caller()
    page = plan_page(
        deps().db,
        principal.workspace_id,
        decode_cursor(query.cursor),
        query.limit,
        query.status,
        query.rep,
        query.updated_since,
    )
    body = PlanPage(
        data=[Plan.model_validate(item) for item in page.items],
        next_cursor=None if page.next_after is None else encode_cursor(page.next_after),
    )
    return json_response(body.model_dump(mode="json"))


@blueprint.get("/plans/<plan_id>", responses={200: Plan, **STANDARD_RESPONSES})
def get_plan(path: PlanPath) -> Response:
    """One coaching plan with its checkpoints"""
    principal = caller()
    plan = plan_by_id(deps().db, principal.workspace_id, path.plan_id)
    if plan is None:
        raise not_found()
    return json_response(Plan.model_validate(plan).model_dump(mode="json"))
