"""Scoring a rep's role-play answers: readable rules, each with the quote that earned or missed
it and one concrete tip. Pure: text in, findings out. Agreement with human labels is measured
in tests/test_rubric_agreement.py and reported in the README."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coaching.rubric_lexicon import load_lexicon
from bot.vocabulary import plural

_LEXICON = load_lexicon()


def _words(alternatives: tuple[str, ...]) -> str:
    """One regex group of the lexicon's alternatives, between word boundaries."""
    return r"\b(" + "|".join(alternatives) + r")\b"


_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_WORD = re.compile(r"[a-z0-9$%']+")
# Clauses: after a comma, colon, dash or "and/or" that opens a second question.
_CLAUSE = re.compile(
    r"[,;:]\s+|\s+[-–]\s+|,?\s+(?:and|or)\s+(?=(?:what|how|why|who|where|which)\b)", re.I
)
_AGREEING = re.compile(_words(_LEXICON.agreeing_patterns))
_FROM_TO = re.compile(r"\bfrom (about |around |roughly )?\$?\d[\d,.]*\s?\w* to \$?\d", re.I)
_NUMBER = re.compile(r"(\$\s?\d[\d,.]*\s?[km]?|\d[\d,.]*\s?(%|x|k\b|m\b)|\b\d[\d,.]*\b)", re.I)
# Day and month words come from the lexicon; times and dates by number are matched here.
_DAY = re.compile(
    _words(_LEXICON.day_patterns)
    + r"|\b\d{1,2}(:\d{2})?\s?(am|pm)\b|\bat \d{1,2}(:\d{2})?\b|\b\d{1,2}/\d{1,2}\b"
    r"|\bthe \d{1,2}(st|nd|rd|th)\b",
    re.I,
)
_STEP = re.compile(_words(_LEXICON.step_patterns), re.I)
_NOT_A_STEP = re.compile(_words(_LEXICON.not_a_step_patterns), re.I)
_DISCOUNT = re.compile(_words(_LEXICON.discount_patterns), re.I)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text or "") if s.strip()]


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def open_questions(text: str) -> list[str]:
    """The open questions in an answer, as written: a question (or a "walk me through"
    request) whose clause starts with an open word, wherever the clause sits in the sentence."""
    found = []
    for sentence in sentences(text):
        lowered = _normalise(sentence)
        request = any(
            re.search(rf"(^|[,.;:] ?){re.escape(r)}\b", lowered) for r in _LEXICON.open_requests
        )
        if not sentence.rstrip().endswith("?") and not request:
            continue
        for clause in _CLAUSE.split(sentence):
            stripped = _normalise(clause).strip(" ,")
            for lead in _LEXICON.lead_ins:
                if stripped.startswith(lead + " ") or stripped.startswith(lead + ","):
                    stripped = stripped[len(lead) :].lstrip(" ,")
            if any(stripped.startswith(r) for r in _LEXICON.rhetorical):
                continue
            if stripped.startswith(_LEXICON.open_starts) and len(stripped.split()) >= 3:
                found.append(clause.strip(" ,"))
    return found


def acknowledges(text: str) -> bool:
    """The answer opens by acknowledging the buyer's point before responding: a short first
    sentence that agrees, empathises or restates, not a courtesy ("no problem", "happy to")."""
    first = sentences(text)[:1]
    if not first:
        return False
    opening = _normalise(first[0]).rstrip(".!")
    if opening.startswith(_LEXICON.not_acknowledging) or opening.endswith("?"):
        return False
    if any(phrase in " ".join(opening.split()[:12]) for phrase in _LEXICON.acknowledge):
        return True
    short = len(opening.split()) <= 14
    return short and bool(_AGREEING.search(opening))


def quantified_value(text: str) -> str | None:
    """The sentence that puts the buyer's outcome in numbers, if any (prices don't count)."""
    for sentence in sentences(text):
        words = _WORD.findall(sentence.lower())
        for match in _NUMBER.finditer(sentence):
            before = _WORD.findall(sentence[: match.start()].lower())[-5:]
            after = _WORD.findall(sentence[match.end() :].lower())[:5]
            window = set(before + after)
            if window & _LEXICON.price_words and not window & _LEXICON.savings_words:
                continue
            if window & _LEXICON.value_words or _FROM_TO.search(sentence):
                if "discount" in words or "off" in after[:1] or window & _LEXICON.cost_of_use:
                    continue
                return sentence.strip()
    return None


def next_step_with_date(text: str) -> str | None:
    """The sentence that proposes a concrete next step with a day or time, if any (the step
    may be named in the next sentence: "How about Monday at 4? I'll send the invite.")."""
    parts = sentences(text)
    for index, sentence in enumerate(parts):
        if not _DAY.search(sentence) or _NOT_A_STEP.search(sentence):
            continue
        nearby = " ".join(parts[index : index + 2])
        if _STEP.search(nearby):
            return sentence.strip()
    return None


def discount_offered(text: str) -> str | None:
    """The sentence that offers or hints at a price concession, if any."""
    for sentence in sentences(text):
        if _DISCOUNT.search(sentence):
            return sentence.strip()
    return None


def question_count(text: str) -> int:
    return sum(1 for s in sentences(text) if s.rstrip().endswith("?"))


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    met: bool
    quote: str | None  # what earned it, or what missed it
    tip: str


def scorecard(rep_turns: list[str], objection_turn: int | None) -> list[Item]:
    """The rubric over a whole role-play: `rep_turns` in order; `objection_turn` is the index
    of the rep's answer to the buyer's objection (None when no objection was raised)."""
    everything = " ".join(rep_turns)
    opens = [q for turn in rep_turns for q in open_questions(turn)]
    items = [
        Item(
            "open_questions",
            "Open questions asked",
            len(opens) >= 2,
            opens[0]
            if opens
            else (sentences(rep_turns[0])[:1] or [None])[0]
            if rep_turns
            else None,
            "Ask at least two open questions (what, how, why, walk me through) before you pitch.",
        )
    ]
    answer = (
        rep_turns[objection_turn]
        if objection_turn is not None and objection_turn < len(rep_turns)
        else ""
    )
    items.append(
        Item(
            "objection_acknowledged",
            "Objection acknowledged before answering",
            bool(answer) and acknowledges(answer),
            (sentences(answer)[:1] or [None])[0],
            "Start with the buyer's concern in your own words (\"That's fair, budgets are tight "
            'this year") before you answer it.',
        )
    )
    value = next((q for turn in rep_turns if (q := quantified_value(turn))), None)
    items.append(
        Item(
            "value_quantified",
            "Value quantified in numbers",
            value is not None,
            value,
            "Put the outcome in the buyer's numbers: hours saved a week, errors avoided, revenue "
            "recovered, with a from-to.",
        )
    )
    step = next((q for turn in rep_turns if (q := next_step_with_date(turn))), None)
    items.append(
        Item(
            "next_step_dated",
            "Next step secured with a date",
            step is not None,
            step,
            'Close every conversation with a specific next step and a time: "Can we book 30 '
            'minutes Thursday at 10 with your CFO?"',
        )
    )
    discount = next((q for turn in rep_turns if (q := discount_offered(turn))), None)
    items.append(
        Item(
            "no_premature_discount",
            "No premature discount",
            discount is None,
            discount,
            "Don't trade price before value is agreed: ask what the number is being compared with "
            "and what it would take to be worth it.",
        )
    )
    words = len(_WORD.findall(everything))
    asks = sum(question_count(t) for t in rep_turns)
    statements = max(len(sentences(everything)) - asks, 0)
    balanced = (
        asks >= 1
        and asks / max(asks + statements, 1) >= 0.25
        and words / max(len(rep_turns), 1) <= 90
    )
    items.append(
        Item(
            "talk_ask_balance",
            "Balance of talking and asking",
            balanced,
            f"{plural(asks, 'question')} in {plural(asks + statements, 'sentence')}, "
            f"{plural(words, 'word')} over {plural(len(rep_turns), 'answer')}",
            "Keep answers short and end most of them with a question; the buyer should talk "
            "more than you.",
        )
    )
    return items


def score(items: list[Item]) -> int:
    return round(100 * sum(i.met for i in items) / len(items)) if items else 0
