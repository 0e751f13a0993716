"""The house's import rules, read from the source (docs/architecture.md draws them).

Layers, lowest first: a module may import its own layer and the layers below it, never one
above. `handlers` and `jobs` share a layer and never import each other. No exceptions list:
a new arrow that runs backwards fails here, naming the file, the line and the import.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "jobs")

# Lowest first. Each entry: the layer's name and the modules (or packages) in it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("bot.vocabulary", "bot.ids", "bot.clock", "bot.config", "bot.logs")),
    ("analytics", ("bot.analytics",)),
    ("coaching", ("bot.coaching",)),
    ("render", ("bot.render",)),
    ("store", ("bot.store",)),
    ("ingest", ("bot.ingest",)),
    ("delivery", ("bot.delivery",)),
    ("services", ("bot.services",)),
    ("slack", ("bot.slack",)),
    ("adapters", ("handlers", "jobs", "bot.api")),
    ("entry", ("bot.app", "bot.serve", "bot.cli", "bot.doctor", "bot.demo")),
]
# What a part of the house may not import at run time (type hints under TYPE_CHECKING aside):
# (why, the importing packages, the forbidden ones).
FORBIDDEN: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (
        # Handlers and jobs parse a request or a trigger, call services and send: no SQL,
        # no statistics, no coaching decisions, no CSV parsing of their own.
        "handlers, jobs and the API go through the services",
        ("handlers", "jobs", "bot.api"),
        ("sqlalchemy", "bot.store.models", "bot.analytics", "bot.coaching", "bot.ingest"),
    ),
    (
        # The API answers HTTP; a workspace's Slack client reaches it as a value (serve.py).
        "the API imports no Slack transport",
        ("bot.api",),
        ("bot.slack", "slack_sdk", "slack_bolt", "handlers", "jobs"),
    ),
    (
        # Services hold a Slack client as a value and reach Slack only through bot/delivery
        # (the poster and slack_api).
        "services never import Slack's libraries",
        ("bot.services",),
        ("slack_sdk", "slack_bolt"),
    ),
    (
        # bot/slack keeps its own records (installs, listener failures, replays) but decides
        # nothing about reps.
        "bot/slack is transport only",
        ("bot.slack",),
        ("bot.analytics", "bot.coaching", "bot.ingest"),
    ),
    (
        # The core takes data and `today` and returns data.
        "the core is pure",
        ("bot.analytics", "bot.coaching"),
        ("sqlalchemy", "slack_sdk", "slack_bolt", "jinja2", "apscheduler", "bot.clock"),
    ),
]


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # what it imports
    where: str  # file:line
    typing_only: bool = False  # under `if TYPE_CHECKING:`: a name for a type hint

    def __str__(self) -> str:
        return f"{self.where}: {self.module} imports {self.target}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> list[Import]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = _module_name(path)
            where = str(path.relative_to(ROOT))
            tree = ast.parse(path.read_text(encoding="utf-8"))
            typing_only = {
                id(inner)
                for node in ast.walk(tree)
                if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
                for inner in ast.walk(node)
            }
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    targets = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    # `from bot.x import y` may name a module y: check the deeper one.
                    targets = [f"{node.module}.{alias.name}" for alias in node.names]
                else:
                    continue
                found += [
                    Import(module, t, f"{where}:{node.lineno}", id(node) in typing_only)
                    for t in targets
                ]
    return found


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _layer(module: str) -> int | None:
    """The layer a module belongs to (the deepest matching prefix), None if outside."""
    best: tuple[int, int] | None = None
    for index, (_name, members) in enumerate(LAYERS):
        for prefix in members:
            if _within(module, prefix) and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    return None if best is None else best[0]


IMPORTS = _imports()


def test_every_module_is_in_a_layer() -> None:
    homeless = sorted({i.module for i in IMPORTS if _layer(i.module) is None and i.module != "bot"})
    assert homeless == [], f"put these in a layer in tests/test_layers.py: {homeless}"


def test_no_import_runs_up_the_layers() -> None:
    upward = [
        f"{i}  ({LAYERS[_layer(i.module)][0]} -> {LAYERS[_layer(i.target)][0]})"  # type: ignore[index]
        for i in IMPORTS
        if _layer(i.module) is not None
        and _layer(i.target) is not None
        and _layer(i.target) > _layer(i.module)  # type: ignore[operator]
    ]
    assert upward == [], "imports that run up the layers:\n" + "\n".join(upward)


def test_handlers_and_jobs_never_import_each_other() -> None:
    crossing = [
        str(i)
        for i in IMPORTS
        if (_within(i.module, "handlers") and _within(i.target, "jobs"))
        or (_within(i.module, "jobs") and _within(i.target, "handlers"))
    ]
    assert crossing == [], "\n".join(crossing)


@pytest.mark.parametrize(("rule", "sources", "forbidden"), FORBIDDEN, ids=[r[0] for r in FORBIDDEN])
def test_forbidden_imports(rule: str, sources: tuple[str, ...], forbidden: tuple[str, ...]) -> None:
    found = [
        str(i)
        for i in IMPORTS
        if any(_within(i.module, s) for s in sources)
        and not i.typing_only
        and any(_within(i.target, f) for f in forbidden)
    ]
    assert found == [], f"{rule}:\n" + "\n".join(found)


def test_the_rules_can_fail() -> None:
    """The checks above see imports at every depth (inside functions too)."""
    assert _layer("bot.services.coach") > _layer("bot.store.models")  # type: ignore[operator]
    lazy = [i for i in IMPORTS if i.module == "bot.serve" and _within(i.target, "slack_bolt")]
    assert lazy, "the import scan missed a function-level import"
