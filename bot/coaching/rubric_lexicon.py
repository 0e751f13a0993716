"""The role-play rubric's lexicon: the phrases and word patterns it listens for, kept as data in
lexicon/rubric.yml (packaged with coachbot) so they can be read and tuned apart from the
scoring rules in rubric.py. Loaded once; a file that lacks a list, or has one too many, fails
loudly instead of scoring with half a lexicon."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

LEXICON_FILE = "lexicon/rubric.yml"
LEXICON_VERSION = 1


@dataclass(frozen=True)
class RubricLexicon:
    """Every list in lexicon/rubric.yml, by its key there (the file says what each is for).
    Ordered lists stay tuples (lead-ins are stripped in order, prefixes go to startswith);
    word lists the rubric intersects are frozensets."""

    open_starts: tuple[str, ...]
    open_requests: tuple[str, ...]
    lead_ins: tuple[str, ...]
    rhetorical: tuple[str, ...]
    acknowledge: tuple[str, ...]
    not_acknowledging: tuple[str, ...]
    agreeing_patterns: tuple[str, ...]
    value_words: frozenset[str]
    price_words: frozenset[str]
    savings_words: frozenset[str]
    cost_of_use: frozenset[str]
    day_patterns: tuple[str, ...]
    step_patterns: tuple[str, ...]
    not_a_step_patterns: tuple[str, ...]
    discount_patterns: tuple[str, ...]


@cache
def load_lexicon() -> RubricLexicon:
    """The packaged lexicon, read and checked once per process."""
    text = files("bot.coaching").joinpath(LEXICON_FILE).read_text(encoding="utf-8")
    return parse_lexicon(yaml.safe_load(text))


def parse_lexicon(raw: Any) -> RubricLexicon:
    """A RubricLexicon from the file's parsed YAML; ValueError names what is wrong."""
    if not isinstance(raw, dict) or raw.get("version") != LEXICON_VERSION:
        raise ValueError(f"{LEXICON_FILE}: expected a mapping with version: {LEXICON_VERSION}")
    expected = {f.name: f for f in fields(RubricLexicon)}
    given = set(raw) - {"version"}
    if given != set(expected):
        missing, unknown = sorted(set(expected) - given), sorted(given - set(expected))
        raise ValueError(f"{LEXICON_FILE}: missing {missing}, unknown {unknown}")
    lists: dict[str, Any] = {}
    for name, spec in expected.items():
        items = raw[name]
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            raise ValueError(f"{LEXICON_FILE}: {name} must be a list of non-empty strings")
        # The annotations are strings here (postponed evaluation), hence the prefix test.
        lists[name] = frozenset(items) if str(spec.type).startswith("frozenset") else tuple(items)
    return RubricLexicon(**lists)
