"""Every sentence coachbot says is in templates/: whole messages in templates/messages, one-line
sentences in templates/sentences/sentences.yml. Code that answers users (bot/services,
bot/slack, handlers) writes no sentence itself, neither in an f-string nor as a string literal
it passes, assigns or keeps as a constant: it names a sentence and passes values. Log lines
are for operators and may say what they like."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.render.sentences import entries, mrkdwn_sentence, sentence

ROOT = Path(__file__).resolve().parents[1]
ANSWERING = ("bot/services", "bot/slack", "handlers", "bot/api")
# Two words in a row: a sentence, not a key, a URL piece or a number format.
SENTENCE = re.compile(r"[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}")
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
# Three words in a row in a plain string literal: a sentence someone reads.
WORDS = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}")
# Raised for a programming error no user is answered with: the text is for developers.
PROGRAMMING_ERRORS = {
    "AssertionError",
    "KeyError",
    "NotImplementedError",
    "RuntimeError",
    "TypeError",
    "ValueError",
}
# The OpenAPI description's text (pydantic's Field, flask-openapi3's Tag and Info) is
# documentation for the engineers integrating the API, like a command-line option's help.
API_DOCUMENTATION = {"Field", "Tag", "Info"}
HTTP_STATUS_LINE = re.compile(r"^\d{3} [A-Z]")  # "413 Payload Too Large", for the WSGI server


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _is_log_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in LOG_METHODS
        and "log" in ast.unparse(node.func.value).lower()
    )


def _in_log_call(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    up = parents.get(node)
    while up is not None:
        if _is_log_call(up):
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


Scan = Callable[[Path, Path], list[str]]


def _assert_none_in_answering_code(scan: Scan) -> None:
    found = [hit for path in _python_files(*ANSWERING) for hit in scan(path, ROOT)]
    assert found == [], "put these in templates/sentences/sentences.yml:\n" + "\n".join(found)


def _hits_in_sample(tmp_path: Path, code: str, scan: Scan) -> list[str]:
    """What `scan` finds in `code`, without the file:line prefix."""
    sample = tmp_path / "sample.py"
    sample.write_text(code)
    return [hit.split(": ", 1)[1] for hit in scan(sample, tmp_path)]


def test_no_sentence_is_written_in_an_f_string() -> None:
    _assert_none_in_answering_code(_f_string_sentences)


def test_the_scan_finds_an_f_string_sentence(tmp_path: Path) -> None:
    code = 'name = "Ann"\nlogger.info(f"sent to {name} now")\nreply(f"Thanks, {name} is on it.")\n'
    hits = _hits_in_sample(tmp_path, code, _f_string_sentences)
    assert hits == ["f'Thanks, {name} is on it.'"]


def _quiet_call(call: ast.Call) -> bool:
    """A call whose string arguments nobody is answered with: a log line, a regex, a
    command-line option's help, the API description's, an exception for a programming
    error."""
    func = call.func
    return (
        _is_log_call(call)
        or ast.unparse(func).startswith("re.")
        or (isinstance(func, ast.Attribute) and func.attr in ("add_argument", "add_parser"))
        or (isinstance(func, ast.Name) and func.id in API_DOCUMENTATION)
        or (isinstance(func, ast.Name) and func.id in PROGRAMMING_ERRORS)
    )


def _literals_passed(argument: ast.AST) -> list[ast.Constant]:
    """The plain strings an argument is made of (through dicts, `x if c else y`, ...); a call
    inside it is scanned on its own, and an f-string by the test above."""
    found, todo = [], [argument]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node)
        elif not isinstance(node, (ast.Call, ast.JoinedStr)):
            todo.extend(ast.iter_child_nodes(node))
    return found


def _is_sentence(text: str) -> bool:
    return (
        bool(WORDS.search(text)) and not text.endswith(".j2") and not HTTP_STATUS_LINE.match(text)
    )


def _said(node: ast.AST) -> list[ast.AST]:
    """The parts of `node` that carry text to someone: a call's arguments, or the value a
    module or a function assigns (a constant, a form's `errors[block] = ...`)."""
    if isinstance(node, ast.Call) and not _quiet_call(node):
        return [*node.args, *(keyword.value for keyword in node.keywords)]
    if isinstance(node, (ast.Module, ast.FunctionDef)):
        scope = node.body if isinstance(node, ast.Module) else ast.walk(node)
        return [
            inner.value
            for inner in scope
            if isinstance(inner, (ast.Assign, ast.AnnAssign)) and inner.value is not None
        ]
    return []


def _literal_sentences(path: Path, root: Path = ROOT) -> list[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        for part in _said(node):
            for literal in _literals_passed(part):
                if _is_sentence(literal.value):
                    found.add(f"{path.relative_to(root)}:{literal.lineno}: {literal.value[:80]}")
    return sorted(found)


def test_no_sentence_is_passed_as_a_string_literal() -> None:
    _assert_none_in_answering_code(_literal_sentences)


def test_the_scan_finds_a_literal_sentence(tmp_path: Path) -> None:
    code = (
        'logger.info("sent to them now")\n'
        'raise RuntimeError("a modal needs a trigger")\n'
        'message("messages/the notice text.json.j2")\n'
        'start_response("413 Payload Too Large", [])\n'
        'reply(notice("That button is out of date."), kind="pick the day")\n'
        'reply({"text": "Use the form instead." if stale else "ok"})\n'
        'def check(errors):\n    errors["note"] = "Keep it short please."\n'
        'HELP = {"me": "your own numbers here"}\n'
        'PATTERN = re.compile("what can you do")\n'
    )
    hits = _hits_in_sample(tmp_path, code, _literal_sentences)
    assert sorted(hits) == [
        "Keep it short please.",
        "That button is out of date.",
        "Use the form instead.",
        "pick the day",
        "your own numbers here",
    ]


def _keys_named_in_code() -> set[str]:
    named = set()
    for path in _python_files("bot", "handlers", "jobs"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("sentence", "mrkdwn_sentence", "sentences_by_code")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                named.add(node.args[0].value)
    return named


def test_every_sentence_named_exists_and_every_sentence_is_said() -> None:
    # A section (error code -> sentence) is said when the code reads it by its name.
    named, written = _keys_named_in_code(), set(entries())
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
