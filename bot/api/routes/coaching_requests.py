"""POST /coaching-requests and GET /coaching-requests/{id}: a process coach asks the rep's
manager, in Slack, to coach a skill."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from bot.api.deps import caller, deps
from bot.api.errors import STANDARD_RESPONSES, ApiError, Problem, not_found
from bot.api.idempotent import idempotent
from bot.api.paging import json_response
from bot.api.schemas.coaching_requests import CoachingRequestIn, CoachingRequestOut, RequestPath
from bot.render.sentences import sentence
from bot.services.coaching_requests import (
    RequestState,
    UnknownDeal,
    UnknownRep,
    deliver_pending,
    file_request,
    request_state,
)

TAG = Tag(
    name="coaching requests",
    description="A sales-process coach asks a rep's manager to coach a skill; the manager gets "
    "it in Slack as a suggestion",
)
blueprint = APIBlueprint(
    "coaching_requests",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[TAG],
    abp_security=[{"bearer": []}],
)


@blueprint.post(
    "/coaching-requests", responses={201: CoachingRequestOut, 403: None, **STANDARD_RESPONSES}
)
def post_coaching_request(body: CoachingRequestIn) -> Response:
    """File a coaching request for a rep's manager

    Delivered at once to the manager's Slack DM when the manager is on Slack; otherwise kept
    `pending` and retried. Needs a write key; send an Idempotency-Key to make retries safe."""
    principal = caller("write")

    def write() -> tuple[int, dict[str, Any]]:
        found = deps()
        now = found.clock.now()
        try:
            request_id = file_request(
                found.db,
                principal.workspace_id,
                body.rep,
                str(body.skill),
                body.context,
                body.source or principal.key_name,
                body.deal_id,
                now,
            )
        except UnknownRep:
            raise _refused("rep", body.rep, sentence("api_unknown_rep")) from None
        except UnknownDeal:
            raise _refused("deal_id", body.deal_id, sentence("api_unknown_deal")) from None
        client = found.slack_client(principal.team_id)
        if client is not None:
            deliver_pending(found.db, client, principal.workspace_id, now, only=request_id)
        state = request_state(found.db, principal.workspace_id, request_id)
        assert state is not None
        return 201, _shown(state)

    return idempotent(write)


@blueprint.get(
    "/coaching-requests/<int:request_id>",
    responses={200: CoachingRequestOut, **STANDARD_RESPONSES},
)
def get_coaching_request(path: RequestPath) -> Response:
    """How a coaching request stands"""
    principal = caller()
    state = request_state(deps().db, principal.workspace_id, path.request_id)
    if state is None:
        raise not_found()
    return json_response(_shown(state))


def _shown(state: RequestState) -> dict[str, Any]:
    return CoachingRequestOut(
        id=state.id,
        rep=state.rep_email,
        skill=state.skill,
        status=state.status,
        reason=state.reason,
        manager=state.manager_email,
        created_at=state.created_at,
        delivered_at=state.delivered_at,
    ).model_dump(mode="json")


def _refused(field: str, value: str | None, expected: str) -> ApiError:
    return ApiError(
        422,
        "validation_failed",
        sentence("api_validation_failed"),
        [Problem(field=field, value=value, expected=expected)],
    )
