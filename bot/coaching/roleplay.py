"""The buyer in a role-play: a branching script over 4-6 turns that reacts to what the rep
writes (it pushes harder after an early discount, opens up after a good open question).
Pure: a state and the rep's text in, the new state and the buyer's next line out."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from bot.coaching import rubric
from bot.coaching.scenarios import Scenario

MAX_REP_TURNS = 6
STOP_WORDS = frozenset({"stop", "quit", "end", "exit", "cancel"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SPACES = re.compile(r"\s{2,}")
_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")


class Phase(StrEnum):
    OPENING = "opening"
    OBJECTION = "objection"
    VALUE = "value"
    NEXT_STEP = "next_step"
    DONE = "done"


@dataclass(frozen=True)
class Turn:
    speaker: str  # "buyer" or "rep"
    text: str
    phase: str


@dataclass(frozen=True)
class State:
    scenario: Scenario
    phase: Phase = Phase.OPENING
    transcript: tuple[Turn, ...] = ()
    pushed_back: int = 0  # how often the buyer pressed the objection again
    objection_turn: int | None = None  # index of the rep turn that answered the objection
    outcome: str | None = None  # how it ended: next_step, no_next_step, stopped, max_turns

    @property
    def rep_turns(self) -> list[str]:
        return [t.text for t in self.transcript if t.speaker == "rep"]

    @property
    def finished(self) -> bool:
        return self.phase == Phase.DONE


@dataclass(frozen=True)
class Result:
    state: State
    buyer: str | None  # the buyer's next line; None when the role-play is over
    scores: list[rubric.Item] = field(default_factory=list)


def fill(text: str, scenario: Scenario | None) -> str:
    """Content text with the scenario's placeholders. One it cannot fill (every one, without
    a scenario) is left out, as templates/content/README.md says, and the space it leaves is
    closed up."""
    values = scenario.placeholders if scenario is not None else {}
    filled = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)
    if all(name in values for name in _PLACEHOLDER.findall(text)):
        return filled.strip()
    return _BEFORE_PUNCTUATION.sub(r"\1", _SPACES.sub(" ", filled)).strip()


def _line(options: list[str] | str, scenario: Scenario, salt: str) -> str:
    """One of the content's phrasings, chosen deterministically per scenario."""
    if isinstance(options, str):
        return fill(options, scenario)
    digest = hashlib.sha256(f"{scenario.industry}:{scenario.skill}:{salt}".encode()).digest()
    return fill(options[digest[0] % len(options)], scenario)


def start(scenario: Scenario, content: dict[str, Any]) -> Result:
    persona = _persona(scenario, content)
    opener = _line(persona["opener"], scenario, "opener")
    state = State(scenario, transcript=(Turn("buyer", opener, Phase.OPENING),))
    return Result(state, opener)


def reply(state: State, text: str, content: dict[str, Any]) -> Result:
    """The rep answered; the buyer reacts. `stop` ends the role-play at once."""
    if state.finished:
        return Result(state, None, scores(state))
    if text.strip().lower().strip(".!") in STOP_WORDS:
        ended = replace(state, phase=Phase.DONE, outcome="stopped")
        return Result(ended, None, scores(ended))
    rep_turn = Turn("rep", text.strip(), state.phase)
    state = replace(state, transcript=(*state.transcript, rep_turn))
    if state.phase == Phase.OBJECTION and state.objection_turn is None:
        state = replace(state, objection_turn=len(state.rep_turns) - 1)
    buyer, state = _react(state, text, content)
    if len(state.rep_turns) >= MAX_REP_TURNS and not state.finished:
        state = replace(state, phase=Phase.DONE, outcome="max_turns")
        buyer = f"{buyer} I need to jump to another meeting, thanks for your time.".strip()
    state = replace(state, transcript=(*state.transcript, Turn("buyer", buyer, state.phase)))
    if state.finished:
        return Result(state, buyer, scores(state))
    return Result(state, buyer)


def _react(state: State, text: str, content: dict[str, Any]) -> tuple[str, State]:
    scenario = state.scenario
    persona = _persona(scenario, content)
    objection = content["objections"][scenario.objection]
    if state.phase == Phase.OPENING:
        asked = bool(rubric.open_questions(text))
        reaction = _line(persona["open_reply"] if asked else persona["vague_reply"], scenario, "r1")
        raise_it = _line(objection["buyer_lines"], scenario, "objection")
        return f"{reaction} {raise_it}", replace(state, phase=Phase.OBJECTION)
    if state.phase == Phase.OBJECTION:
        if rubric.discount_offered(text) and state.pushed_back < 2:
            harder = _line(objection["harder_lines"], scenario, f"harder{state.pushed_back}")
            return harder, replace(state, pushed_back=state.pushed_back + 1)
        handled = rubric.acknowledges(text) or bool(rubric.open_questions(text))
        reaction = _line(
            objection["softer_lines"] if handled else objection["buyer_lines"],
            scenario,
            "softer" if handled else "again",
        )
        value = _line(persona["value_question"], scenario, "value")
        return f"{reaction} {value}", replace(state, phase=Phase.VALUE)
    if state.phase == Phase.VALUE:
        convinced = rubric.quantified_value(text) is not None
        reaction = (
            "Those numbers would matter to us."
            if convinced
            else "I'm not sure I see what it would be worth for us."
        )
        stall = _line(persona["stall"], scenario, "stall")
        return f"{reaction} {stall}", replace(state, phase=Phase.NEXT_STEP)
    if rubric.next_step_with_date(text):
        done = replace(state, phase=Phase.DONE, outcome="next_step")
        return _line(persona["agree_next_step"], scenario, "agree"), done
    done = replace(state, phase=Phase.DONE, outcome="no_next_step")
    return _line(persona["decline_next_step"], scenario, "decline"), done


def scores(state: State) -> list[rubric.Item]:
    if not state.rep_turns:
        return []
    return rubric.scorecard(state.rep_turns, state.objection_turn)


def exemplar(scenario: Scenario, content: dict[str, Any]) -> str:
    return fill(content["objections"][scenario.objection]["exemplar"], scenario)


def _persona(scenario: Scenario, content: dict[str, Any]) -> dict[str, Any]:
    buyers = content["buyers"]
    return buyers.get(scenario.industry) or buyers["default"]


def to_dict(state: State) -> dict[str, Any]:
    return {
        "scenario": state.scenario.to_dict(),
        "phase": str(state.phase),
        "transcript": [
            {"speaker": t.speaker, "text": t.text, "phase": t.phase} for t in state.transcript
        ],
        "pushed_back": state.pushed_back,
        "objection_turn": state.objection_turn,
        "outcome": state.outcome,
    }


def from_dict(data: dict[str, Any]) -> State:
    return State(
        scenario=Scenario(**data["scenario"]),
        phase=Phase(data["phase"]),
        transcript=tuple(Turn(t["speaker"], t["text"], t["phase"]) for t in data["transcript"]),
        pushed_back=int(data["pushed_back"]),
        objection_turn=data["objection_turn"],
        outcome=data["outcome"],
    )
