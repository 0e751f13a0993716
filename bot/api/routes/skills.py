"""GET /skills and GET /skills/{skill}/content."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from bot.api.deps import caller, deps
from bot.api.errors import STANDARD_RESPONSES, not_found
from bot.api.paging import json_response
from bot.api.schemas.skills import ContentQuery, SkillContent, SkillList, SkillPath
from bot.services.skill_content import UnknownRep, skill_content, skill_summaries

TAG = Tag(name="skills", description="The eight skills and the coaching content for each")
blueprint = APIBlueprint(
    "skills", __name__, url_prefix="/api/v1", abp_tags=[TAG], abp_security=[{"bearer": []}]
)


@blueprint.get("/skills", responses={200: SkillList, **STANDARD_RESPONSES})
def list_skills() -> Response:
    """The eight skills, each with what good looks like"""
    caller()
    body = SkillList.model_validate({"data": skill_summaries()})
    return json_response(body.model_dump(mode="json"))


@blueprint.get("/skills/<skill>/content", responses={200: SkillContent, **STANDARD_RESPONSES})
def get_skill_content(path: SkillPath, query: ContentQuery) -> Response:
    """The coaching content for a skill

    Questions, talking points, objection scripts, an exercise, tips and resources, as the
    enablement team wrote them. With `rep`, the placeholders are filled from that rep's own
    deals (industry, product, competitor...) as their role-plays are; without, they are
    left out. An unknown skill or rep is 404."""
    principal = caller()
    found = deps()
    try:
        body = skill_content(
            found.db, principal.workspace_id, path.skill, query.rep, found.clock.now().date()
        )
    except UnknownRep:
        raise not_found() from None
    if body is None:
        raise not_found()
    return json_response(SkillContent.model_validate(body).model_dump(mode="json"))
