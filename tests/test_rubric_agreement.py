"""The rubric scorer against 84 answers labelled by hand, independently of the scorer
(tests/fixtures/roleplay/README.md). Agreement and Cohen's kappa per item are printed with
`pytest -s` and reported in the README."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.coaching import rubric

LABELLED = Path(__file__).parent / "fixtures" / "roleplay" / "labelled_answers.yml"
DETECTORS: dict[str, Callable[[str], bool]] = {
    "open_question": lambda text: bool(rubric.open_questions(text)),
    "acknowledges": rubric.acknowledges,
    "quantified_value": lambda text: rubric.quantified_value(text) is not None,
    "next_step_with_date": lambda text: rubric.next_step_with_date(text) is not None,
    "discount_offered": lambda text: rubric.discount_offered(text) is not None,
}
MIN_AGREEMENT = 0.85
MIN_OVERALL = 0.90


def _answers() -> list[dict]:
    return yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["answers"]


def _kappa(pairs: list[tuple[bool, bool]]) -> float:
    """Cohen's kappa: agreement beyond what chance would give with these label rates."""
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    human = sum(a for a, _ in pairs) / n
    scorer = sum(b for _, b in pairs) / n
    chance = human * scorer + (1 - human) * (1 - scorer)
    return (observed - chance) / (1 - chance) if chance < 1 else 1.0


def test_the_labelled_set_is_big_enough_and_balanced() -> None:
    answers = _answers()
    assert len(answers) >= 40
    for key in DETECTORS:
        labels = [a["labels"][key] for a in answers]
        assert sum(labels) >= 10 and len(labels) - sum(labels) >= 10, key


@pytest.mark.parametrize("key", list(DETECTORS))
def test_each_rubric_item_agrees_with_the_labels(key: str) -> None:
    pairs = [(a["labels"][key], DETECTORS[key](a["answer"])) for a in _answers()]
    agreement = sum(a == b for a, b in pairs) / len(pairs)
    print(f"\n{key}: agreement {agreement:.1%}, kappa {_kappa(pairs):.2f} (n={len(pairs)})")
    assert agreement >= MIN_AGREEMENT, key


def test_overall_agreement() -> None:
    answers = _answers()
    pairs = [(a["labels"][k], f(a["answer"])) for a in answers for k, f in DETECTORS.items()]
    agreement = sum(a == b for a, b in pairs) / len(pairs)
    print(f"\noverall: agreement {agreement:.1%}, kappa {_kappa(pairs):.2f} (n={len(pairs)})")
    assert agreement >= MIN_OVERALL
