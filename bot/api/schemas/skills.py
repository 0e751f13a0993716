"""Skills and their coaching content as neighbouring systems read them. Field names are
stable: new fields may be added, none renamed or removed within /api/v1."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.api.schemas.common import Strict


class SkillPath(BaseModel):
    skill: str = Field(description="One of the eight skills, e.g. `discovery`")


class ContentQuery(Strict):
    rep: str | None = Field(
        None,
        description="A rep's work email: fill the placeholders from their own deals",
    )


class Skill(BaseModel):
    skill: str = Field(description="Stable key, e.g. `value_articulation`")
    name: str = Field(description="For people, e.g. `Value articulation`")
    summary: str = Field(description="What good looks like, in one sentence")


class SkillList(BaseModel):
    data: list[Skill]


class Question(BaseModel):
    layer: str = Field(description="`situation`, `problem`, `implication` or `need_payoff`")
    text: str


class ObjectionScript(BaseModel):
    objection: str = Field(
        description="`price`, `timing`, `competitor`, `status_quo`, `authority` or `no_need`"
    )
    acknowledge: str
    clarify: str
    respond: str
    confirm: str
    exemplar: str = Field(description="A complete model answer in the rep's voice")


class Resource(BaseModel):
    level: str = Field(description="`foundation`, `practitioner` or `advanced`")
    format: str = Field(description="`book`, `article`, `course`, `video`, `exercise`, `playbook`")
    duration_minutes: int
    title: str
    link: str = Field(description="Empty unless the workspace set its LMS link")
    why: str


class Placeholders(BaseModel):
    industry: str
    product: str
    competitor: str
    role: str = Field(description="The buyer's role")
    company: str
    amount_band: str


class SkillContent(BaseModel):
    skill: str
    name: str
    rep: str | None = Field(description="The rep the content is filled for; null for none")
    placeholders: Placeholders | None = Field(
        description="What the placeholders were filled with, from the rep's lost deals (all "
        "deals with fewer than three lost); null without `rep`, and the placeholders are then "
        "left out of the text"
    )
    summary: str
    questions: list[Question] = Field(description="Layered as in SPIN Selling, in order")
    talking_points: list[str] = Field(
        description="[Bracketed] figures are for the rep to fill from their own deals"
    )
    objection_scripts: list[ObjectionScript] = Field(
        description="Acknowledge, clarify, respond, confirm: first the objection the rep's "
        "lost deals show most (without `rep`, the one that practises the skill best); "
        "`objection_handling` has every objection"
    )
    exercise: str = Field(description="This week's practice, with how to check it")
    tips: list[str]
    resources: list[Resource] = Field(description="The training catalogue's entries for it")
