"""What a user typed after /coach, or in a DM, as a command coachbot understands. Pure."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.render.sentences import mrkdwn_sentence, sentence, sentences_by_code
from bot.vocabulary import SKILLS

# Every subcommand and what it does (for `/coach help`), in the catalogue's order.
SUBCOMMANDS: dict[str, str] = sentences_by_code("subcommand_help")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_RAW_ID = re.compile(r"^@?([UW][A-Z0-9]{6,})$")


@dataclass(frozen=True)
class Command:
    name: str  # one of SUBCOMMANDS, or "unknown"
    user: str | None = None  # a Slack user id, for rep/feedback
    skill: str | None = None  # for roleplay
    text: str = ""  # what was typed, for messages about it
    problem: str | None = None  # why the arguments could not be used
    suggestion: str | None = None  # for an unknown subcommand: the closest known one


def parse(text: str) -> Command:
    """`me`, `rep <@U123|dana>`, `roleplay negotiation`, ... ; empty text means help."""
    words = text.strip().split()
    if not words:
        return Command("help", text=text)
    name, args = words[0].lower(), words[1:]
    if name not in SUBCOMMANDS:
        close = difflib.get_close_matches(name, list(SUBCOMMANDS), n=1, cutoff=0.6)
        return Command("unknown", text=text, suggestion=close[0] if close else None)
    if name in ("rep", "feedback"):
        return _with_user(name, args, text)
    if name == "roleplay":
        return _with_skill(args, text)
    if name == "mentoring":
        choice = args[0].lower() if args else ""
        if choice not in ("on", "off"):
            return Command(name, text=text, problem=sentence("mentoring_on_or_off"))
        return Command(name, text=text, skill=choice)
    return Command(name, text=text)


def _with_user(name: str, args: list[str], text: str) -> Command:
    if not args:
        return Command(name, text=text, problem=sentence("name_the_rep", command=name))
    mention = _MENTION.match(args[0]) or _RAW_ID.match(args[0])
    if not mention:
        return Command(
            name,
            text=text,
            problem=mrkdwn_sentence("not_a_mention", text=args[0]),
        )
    return Command(name, user=mention.group(1), text=text)


def _with_skill(args: list[str], text: str) -> Command:
    if not args:
        return Command("roleplay", text=text)
    wanted = "_".join(args).lower().replace("-", "_")
    if wanted in SKILLS:
        return Command("roleplay", skill=wanted, text=text)
    close = difflib.get_close_matches(wanted, SKILLS, n=1, cutoff=0.5)
    if close:
        return Command("roleplay", skill=close[0], text=text)
    return Command(
        "roleplay",
        text=text,
        problem=mrkdwn_sentence("unknown_skill_to_practise", text=" ".join(args), skills=SKILLS),
    )


# DM intents: plain-language phrases mapped to the same commands.
_INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Anywhere in the text: "can you help me" is asking for help, not for "me".
    ("help", re.compile(r"^\s*\?|\b(help|what can you do|commands?)\b", re.I)),
    ("roleplay", re.compile(r"\b(role[\s-]?play|practi[cs]e)\b", re.I)),
    ("plan", re.compile(r"\b(my plan|coaching plan|plan)\b", re.I)),
    ("team", re.compile(r"\b(my team|team)\b", re.I)),
    ("pause", re.compile(r"\b(pause|stop) (the )?(nudges|reminders|messages)\b", re.I)),
    ("resume", re.compile(r"\b(resume|restart|start) (the )?(nudges|reminders|messages)\b", re.I)),
    (
        "me",
        re.compile(
            r"\b(how am i doing|how'?s my|my (numbers|stats|performance|assessment)|"
            r"assess(ment)? me|where do i stand|me)\b",
            re.I,
        ),
    ),
)


def intent(text: str) -> Command:
    """A DM in plain language as a command; anything not understood is help."""
    for name, pattern in _INTENTS:
        if pattern.search(text):
            if name == "roleplay":
                skill = next((s for s in SKILLS if s.replace("_", " ") in text.lower()), None)
                return Command("roleplay", skill=skill, text=text)
            return Command(name, text=text)
    return Command("help", text=text, problem="not_understood")
