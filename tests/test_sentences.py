"""Every sentence coachbot says is in templates/: whole messages in templates/messages, one-line
sentences in templates/sentences/sentences.yml. Code that answers users (bot/services,
bot/slack, handlers) writes no sentence in an f-string: it names a sentence and passes values.
Log lines are for operators and may say what they like."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.render.sentences import catalog, mrkdwn_sentence, sentence

ROOT = Path(__file__).resolve().parents[1]
ANSWERING = ("bot/services", "bot/slack", "handlers")
# Two words in a row: a sentence, not a key, a URL piece or a number format.
SENTENCE = re.compile(r"[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}")
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _in_log_call(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    up = parents.get(node)
    while up is not None:
        if isinstance(up, ast.Call) and isinstance(up.func, ast.Attribute):
            owner = ast.unparse(up.func.value)
            if up.func.attr in LOG_METHODS and "log" in owner.lower():
                return True
        up = parents.get(up)
    return False


def _f_string_sentences(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if SENTENCE.search(literal) and not _in_log_call(node, parents):
            found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_no_sentence_is_written_in_an_f_string() -> None:
    found = [hit for path in _python_files(*ANSWERING) for hit in _f_string_sentences(path)]
    assert found == [], "put these in templates/sentences/sentences.yml:\n" + "\n".join(found)


def test_the_scan_finds_an_f_string_sentence(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'name = "Ann"\nlogger.info(f"sent to {name} now")\nreply(f"Thanks, {name} is on it.")\n'
    )
    hits = [h.split(": ", 1)[1] for h in _f_string_sentences(sample, tmp_path)]
    assert hits == ["f'Thanks, {name} is on it.'"]


def _keys_named_in_code() -> set[str]:
    named = set()
    for path in _python_files("bot", "handlers", "jobs"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("sentence", "mrkdwn_sentence")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                named.add(node.args[0].value)
    return named


def test_every_sentence_named_exists_and_every_sentence_is_said() -> None:
    named, written = _keys_named_in_code(), set(catalog())
    assert named - written == set(), "named in code, missing from sentences.yml"
    assert written - named == set(), "in sentences.yml, said nowhere"


def test_values_are_escaped_for_slack_and_plain_for_refusals() -> None:
    crm_name = "<!channel> & co"
    assert mrkdwn_sentence("plan_approved", rep=crm_name) == (
        ":white_check_mark: Plan approved. &lt;!channel&gt; &amp; co has it in their DM now."
    )
    assert sentence("no_such_plan", plan_id=7) == "No plan 7."


def test_a_missing_value_fails_loudly() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        sentence("plan_approved")
