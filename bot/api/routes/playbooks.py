"""GET /playbooks/{skill}."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from bot.api.deps import caller, deps
from bot.api.errors import STANDARD_RESPONSES, ApiError, Error, not_found
from bot.api.paging import json_response
from bot.api.schemas.playbooks import Playbook
from bot.api.schemas.skills import SkillPath
from bot.render.sentences import sentence
from bot.services.api_playbooks import skill_playbook
from bot.services.playbooks import PlaybookError

TAG = Tag(name="playbooks", description="What top performers do differently, per skill")
blueprint = APIBlueprint(
    "playbooks", __name__, url_prefix="/api/v1", abp_tags=[TAG], abp_security=[{"bearer": []}]
)


@blueprint.get("/playbooks/<skill>", responses={200: Playbook, 409: Error, **STANDARD_RESPONSES})
def get_playbook(path: SkillPath) -> Response:
    """The playbook for a skill

    The workspace's top performers in the skill against everyone else: the behaviours where
    they differ, their recorded wins, tips and an exercise, with the same playbook as
    Markdown. No rep is named. 409 when the workspace has no assessed rep to learn from."""
    principal = caller()
    found = deps()
    try:
        body = skill_playbook(
            found.db,
            found.settings,
            principal.team_id,
            principal.workspace_id,
            path.skill,
            found.clock.now(),
        )
    except PlaybookError:
        raise ApiError(409, "not_ready", sentence("api_playbook_not_ready")) from None
    if body is None:
        raise not_found()
    return json_response(Playbook.model_validate(body).model_dump(mode="json"))
