"""Scoring a rep's role-play answers: readable rules, each with the quote that earned or missed
it and one concrete tip. Pure: text in, findings out. Agreement with human labels is measured
in tests/test_rubric_agreement.py and reported in the README."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.vocabulary import plural

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_WORD = re.compile(r"[a-z0-9$%']+")
# Open questions invite the buyer to talk; closed ones get a yes or a no.
_OPEN_STARTS = (
    "what",
    "how",
    "why",
    "which",
    "where",
    "who",
    "when",
    "tell me",
    "walk me through",
    "talk me through",
    "describe",
    "help me understand",
    "can you walk",
    "can you tell me about",
    "could you walk",
    "could you tell me about",
    "can you describe",
    "could you describe",
    "can you share",
    "could you share",
    "can you help me understand",
    "what's",
    "whats",
    "how's",
    "can i ask",
    "may i ask",
    "could i ask",
)
# Clauses: after a comma, colon, dash or "and/or" that opens a second question.
_CLAUSE = re.compile(
    r"[,;:]\s+|\s+[-–]\s+|,?\s+(?:and|or)\s+(?=(?:what|how|why|who|where|which)\b)", re.I
)
_OPEN_REQUESTS = (
    "walk me through",
    "talk me through",
    "tell me about",
    "help me understand",
    "describe",
)
_LEAD_INS = (
    "so",
    "and",
    "ok",
    "okay",
    "out of curiosity",
    "just curious",
    "curious",
    "then",
    "but",
)
_RHETORICAL = (
    "wouldn't",
    "don't you",
    "isn't it",
    "aren't you",
    "won't you",
    "who doesn't",
    "who wouldn't",
)
_ACKNOWLEDGE = (
    "that's fair",
    "thats fair",
    "that is fair",
    "that is a fair",
    "that's a fair",
    "fair point",
    "fair enough",
    "fair question",
    "i hear you",
    "i understand",
    "understood",
    "makes sense",
    "that makes sense",
    "good question",
    "great question",
    "totally get",
    "i get that",
    "i get it",
    "i appreciate",
    "appreciate you",
    "thanks for",
    "thank you for",
    "you're right",
    "youre right",
    "that's a valid",
    "valid concern",
    "reasonable concern",
    "that's reasonable",
    "it's reasonable",
    "i can see why",
    "i see why",
    "sounds like",
    "it sounds like",
    "that's a real",
    "totally understand",
    "completely understand",
    "no problem",
    "that's important",
    "i know budgets",
    "i know timing",
)
_NOT_ACKNOWLEDGING = (
    "yes, but",
    "yes but",
    "but ",
    "no,",
    "actually,",
    "ok so",
    "ok,",
    "no problem",
    "of course",
    "happy to",
    "will do",
    "sure",
    "thanks for taking",
    "thanks for including",
    "thanks for the call",
    "thank you for taking",
)
# Words of agreement, empathy or respect in a short opener ("Samsara's solid", "Fair.").
_AGREEING = re.compile(
    r"\b(fair|sense|reasonable|understand|understood|hear (you|u)|get (it|that)|sorry|congrats|"
    r"congratulations|glad|appreciate|good q|great q|no argument|won't pretend|instinct|"
    r"totally|completely|valid|solid|strong|good to hear|can work|definitely work|no small|"
    r"not everyone|that's fine|no rush|exactly|right|true|great place)\b"
)
# Outcome words: a number next to one of these is a result for the buyer.
_VALUE_WORDS = (
    "save",
    "saves",
    "saved",
    "saving",
    "savings",
    "cut",
    "cuts",
    "reduce",
    "reduces",
    "reduced",
    "fewer",
    "faster",
    "increase",
    "increased",
    "grow",
    "grew",
    "lift",
    "improve",
    "improved",
    "recover",
    "recovered",
    "return",
    "roi",
    "payback",
    "drop",
    "dropped",
    "lower",
    "shorter",
    "shorten",
    "avoid",
    "boost",
    "errors",
    "stockouts",
    "downtime",
    "churn",
)
_FROM_TO = re.compile(r"\bfrom (about |around |roughly )?\$?\d[\d,.]*\s?\w* to \$?\d", re.I)
_MEETING_WORDS = {
    "book",
    "meeting",
    "call",
    "schedule",
    "demo",
    "session",
    "chat",
    "slot",
    "invite",
}
# Effort the buyer puts in is not value they get out.
_COST_OF_USE = {"administer", "training", "train", "implementation", "onboard", "term", "founded"}
_PRICE_WORDS = (
    "discount",
    "off",
    "price",
    "pricing",
    "cost",
    "license",
    "licence",
    "fee",
    "fees",
    "list",
)
_NUMBER = re.compile(r"(\$\s?\d[\d,.]*\s?[km]?|\d[\d,.]*\s?(%|x|k\b|m\b)|\b\d[\d,.]*\b)", re.I)
_DAY = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|"
    r"fri|tomorrow|next week|this week|end of (the )?(day|week)|eod|eow|"
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t|tember)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?)\b"
    r"|\b\d{1,2}(:\d{2})?\s?(am|pm)\b|\bat \d{1,2}(:\d{2})?\b|\b\d{1,2}/\d{1,2}\b"
    r"|\bthe \d{1,2}(st|nd|rd|th)\b",
    re.I,
)
_STEP = re.compile(
    r"\b(meet|meeting|call|book|schedule|demo|review|walk (you|them|your)|session|invite|calendar|"
    r"send|sit down|workshop|pilot|slot|30 minutes|20 minutes|15 minutes|an hour|chat|"
    r"sync|present|presentation|proposal|reconnect|reach out|touch base|follow up|circle back|"
    r"connect|catch up|talk|invite|hold|put .* on hold)\b",
    re.I,
)
# Dates that are not a next step: promotions, price rises, project timelines.
_NOT_A_STEP = re.compile(
    r"\b(promo|promotion|prices? go up|go live|kick off|migrated|ends)\b", re.I
)
_DISCOUNT = re.compile(
    r"\b(discount(s|ed|ing)?|\d+\s?% off|percent off|off the (list|price|total)|"
    r"lower (the |our )?price|"
    r"reduce (the |our )?price|price (match|cut|drop)|match (their|that|the) price|"
    r"what i can do on (the )?(price|pricing|number)|room to move|get closer to|"
    r"match the (\w+ )?(months?|price|number|offer)|throw in|at last year'?s (rate|price)|"
    r"promo(tion)? ends|hold you at|"
    r"better (on )?(the )?price|do better on|special pricing|free months?|months? free|waive|"
    r"flexib(le|ility) on (the )?(price|number|cost|pricing)|some flexibility|wiggle room|"
    r"sharpen (the |my |our )?pencil|bring (the |that )?(price|number|cost) down|knock .* off|"
    r"meet you (in the middle|halfway))\b",
    re.I,
)


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
        request = any(re.search(rf"(^|[,.;:] ?){re.escape(r)}\b", lowered) for r in _OPEN_REQUESTS)
        if not sentence.rstrip().endswith("?") and not request:
            continue
        for clause in _CLAUSE.split(sentence):
            stripped = _normalise(clause).strip(" ,")
            for lead in _LEAD_INS:
                if stripped.startswith(lead + " ") or stripped.startswith(lead + ","):
                    stripped = stripped[len(lead) :].lstrip(" ,")
            if any(stripped.startswith(r) for r in _RHETORICAL):
                continue
            if stripped.startswith(_OPEN_STARTS) and len(stripped.split()) >= 3:
                found.append(clause.strip(" ,"))
    return found


def acknowledges(text: str) -> bool:
    """The answer opens by acknowledging the buyer's point before responding: a short first
    sentence that agrees, empathises or restates, not a courtesy ("no problem", "happy to")."""
    first = sentences(text)[:1]
    if not first:
        return False
    opening = _normalise(first[0]).rstrip(".!")
    if opening.startswith(_NOT_ACKNOWLEDGING) or opening.endswith("?"):
        return False
    if any(phrase in " ".join(opening.split()[:12]) for phrase in _ACKNOWLEDGE):
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
            if window & set(_PRICE_WORDS) and not window & {
                "save",
                "saves",
                "saving",
                "savings",
                "return",
                "roi",
                "payback",
            }:
                continue
            if window & set(_VALUE_WORDS) or _FROM_TO.search(sentence):
                if "discount" in words or "off" in after[:1] or window & _COST_OF_USE:
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
