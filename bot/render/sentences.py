"""What coachbot says in one sentence (refusals, confirmations, notices, operators' lines),
from templates/sentences/sentences.yml through the one Jinja environment: one place to read
and reword every sentence, none written in code."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml
from jinja2 import Template

from bot.render.renderer import TEMPLATES, environment, escape_mrkdwn

CATALOG = TEMPLATES / "sentences" / "sentences.yml"


@cache
def entries() -> dict[str, Any]:
    """The catalogue as written: a sentence per key, or a section mapping codes to sentences."""
    return yaml.safe_load(CATALOG.read_text(encoding="utf-8"))


@cache
def catalog() -> dict[str, Template]:
    env = environment()
    return {key: env.from_string(text) for key, text in entries().items() if isinstance(text, str)}


@cache
def sentences_by_code(section: str) -> dict[str, str]:
    """A section of sentences keyed by a code (a Slack error code: what to do about it); they
    take no values, and a code the section lacks is the caller's default."""
    env = environment()
    return {code: env.from_string(text).render() for code, text in entries()[section].items()}


def sentence(key: str, **values: Any) -> str:
    """The sentence `key`, with `values` as plain text (for exceptions, whose refusal escapes
    the whole sentence, and for operators)."""
    return catalog()[key].render(**values)


def mrkdwn_sentence(key: str, **values: Any) -> str:
    """The sentence `key` for Slack mrkdwn, its string values escaped (CRM names can hold
    `<!channel>`); the sentence's own formatting stays."""
    escaped = {k: escape_mrkdwn(v) if isinstance(v, str) else v for k, v in values.items()}
    return sentence(key, **escaped)
