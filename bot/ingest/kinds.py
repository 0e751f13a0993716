"""The five kinds of record coachbot imports: their columns, how each cell is read, and checks
that span cells. Pure: cells in, a record or its problems out; references are resolved later."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from bot.ingest import parsers as p
from bot.ingest.problems import FieldError
from bot.vocabulary import (
    ACTIVITY_KINDS,
    CLOSED_OUTCOMES,
    FEEDBACK_SOURCES,
    OUTCOMES,
    RECORD_KINDS,
    ROLES,
    SKILLS,
)


@dataclass(frozen=True)
class ReadContext:
    stages: tuple[str, ...]
    zone: tzinfo
    default_currency: str
    dates: tuple[str, ...] = p.ISO_DATE_FORMATS
    decimal: str = "."


Parser = Callable[[str, ReadContext], Any]


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = False


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    # Columns whose presence in a header says "this file holds this kind".
    signature: frozenset[str]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> set[str]:
        return {c.name for c in self.columns}


def _text(limit: int) -> Parser:
    return lambda raw, _ctx: p.text(raw, limit)


def _date(raw: str, ctx: ReadContext) -> Any:
    return p.calendar_date(raw, ctx.dates)


def _stage(raw: str, ctx: ReadContext) -> str:
    return p.choice(raw, ctx.stages, "a pipeline stage")


def _stage_or_outcome(raw: str, ctx: ReadContext) -> str:
    return p.choice(raw, (*ctx.stages, *CLOSED_OUTCOMES), "a stage (or won/lost)")


def _person(raw: str, _ctx: ReadContext) -> str:
    value = raw.strip()
    if not value:
        raise FieldError("a person's email or full name")
    return value


PEOPLE = Kind(
    "people",
    (
        Column("email", lambda raw, _: p.email(raw), required=True),
        Column("name", _text(200), required=True),
        Column("role", lambda raw, _: p.choice(raw, ROLES, "a role"), required=True),
        Column("manager_email", _person),
        Column("team", _text(200)),
        Column("region", _text(100)),
        Column("segment", _text(100)),
        Column("timezone", lambda raw, _: p.timezone_name(raw)),
        Column("slack_user_id", lambda raw, _: p.slack_user_id(raw)),
        Column("hire_date", _date),
        Column("active", lambda raw, _: p.boolean(raw)),
    ),
    frozenset({"email", "role"}),
)

DEALS = Kind(
    "deals",
    (
        Column("external_id", _text(200), required=True),
        Column("owner", _person, required=True),
        Column("account", _text(300)),
        Column("industry", _text(100)),
        Column("segment", _text(100)),
        Column("product", _text(200)),
        Column("amount", lambda raw, ctx: p.amount(raw, ctx.decimal), required=True),
        Column("currency", lambda raw, _: p.currency_code(raw)),
        Column("created_on", _date, required=True),
        Column("closed_on", _date),
        Column("furthest_stage", _stage),
        Column("stage", _stage_or_outcome),
        Column("outcome", lambda raw, _: p.choice(raw, OUTCOMES, "an outcome")),
        Column("loss_reason", _text(300)),
        Column("competitor", _text(200)),
        Column("contacts_engaged", lambda raw, _: p.whole_number(raw, 0, 10_000)),
        Column("discount_pct", lambda raw, _: p.percent(raw)),
        Column("recording_url", lambda raw, _: p.url(raw)),
    ),
    frozenset({"external_id", "amount", "created_on"}),
)

STAGE_HISTORY = Kind(
    "stage_history",
    (
        Column("deal", _text(200), required=True),
        Column("stage", _stage, required=True),
        Column("entered_on", _date, required=True),
    ),
    frozenset({"deal", "stage", "entered_on"}),
)

ACTIVITIES = Kind(
    "activities",
    (
        Column("external_id", _text(200)),
        Column("owner", _person, required=True),
        Column("deal", _text(200)),
        Column(
            "kind", lambda raw, _: p.choice(raw, ACTIVITY_KINDS, "an activity kind"), required=True
        ),
        Column("occurred_at", lambda raw, ctx: p.instant(raw, ctx.zone, ctx.dates), required=True),
        Column("duration_minutes", lambda raw, _: p.whole_number(raw, 0, 24 * 60)),
    ),
    frozenset({"kind", "occurred_at"}),
)

FEEDBACK = Kind(
    "feedback",
    (
        Column("external_id", _text(200)),
        Column("about", _person, required=True),
        Column("author", _text(300)),
        Column("source", lambda raw, _: p.choice(raw, FEEDBACK_SOURCES, "a source"), required=True),
        Column("skill", lambda raw, _: p.choice(raw, SKILLS, "a skill")),
        Column("rating", lambda raw, _: p.whole_number(raw, 1, 5), required=True),
        Column("note", _text(5000)),
        Column("given_on", _date, required=True),
    ),
    frozenset({"about", "rating"}),
)

KINDS: dict[str, Kind] = {k.name: k for k in (PEOPLE, DEALS, STAGE_HISTORY, ACTIVITIES, FEEDBACK)}
assert tuple(KINDS) == RECORD_KINDS  # import order: people before what refers to them

CellProblem = tuple[str, str | None, str]  # column, value, expected


def detect_kind(columns: set[str]) -> list[str]:
    """The kinds this header could hold.

    First the kinds whose signature columns are all there; failing that, the one kind that
    has clearly the most of its required columns, so a file missing a column is told which
    column is missing rather than that it is not recognised.
    """
    exact = [k.name for k in KINDS.values() if k.signature <= columns]
    if exact:
        return exact
    overlap = {k.name: len(set(k.required) & columns) for k in KINDS.values()}
    best = max(overlap.values())
    leaders = [name for name, count in overlap.items() if count == best]
    return leaders if best >= 2 and len(leaders) == 1 else []


def read_record(
    kind: Kind, cells: dict[str, str], ctx: ReadContext
) -> tuple[dict[str, Any] | None, list[CellProblem]]:
    """Parse one row's cells (already renamed and translated) into a record, or its problems."""
    record: dict[str, Any] = {}
    problems: list[CellProblem] = []
    for column in kind.columns:
        raw = cells.get(column.name, "")
        if not raw.strip():
            if column.required and column.name in cells:
                problems.append((column.name, raw, "a value (this column is required)"))
            continue
        try:
            record[column.name] = column.parse(raw, ctx)
        except FieldError as error:
            problems.append((column.name, raw, f"expected {error}"))
    if not problems:
        problems.extend(_CHECKS[kind.name](record, ctx))
    return (None if problems else record), problems


def _check_people(record: dict[str, Any], _ctx: ReadContext) -> list[CellProblem]:
    if record.get("manager_email", "").lower() == record["email"]:
        return [("manager_email", record["manager_email"], "someone other than the person")]
    return []


def _check_deal(record: dict[str, Any], ctx: ReadContext) -> list[CellProblem]:
    stage = record.pop("stage", None)
    if stage in CLOSED_OUTCOMES:
        record.setdefault("outcome", stage)
    elif stage is not None:
        record.setdefault("furthest_stage", stage)
        record.setdefault("outcome", "open")
    if "outcome" not in record:
        return [("outcome", None, "a value: won, lost or open (or a stage column)")]
    amount, written_currency = record["amount"]
    record["amount"] = amount
    record.setdefault("currency", written_currency or ctx.default_currency)
    if record["outcome"] == "open":
        # CRMs put the expected close date on open deals; it is not a close.
        record.pop("closed_on", None)
        return []
    closed = record.get("closed_on")
    if closed is None:
        return [("closed_on", None, f"a close date for a {record['outcome']} deal")]
    if closed < record["created_on"]:
        return [
            (
                "closed_on",
                closed.isoformat(),
                f"a date on or after created_on ({record['created_on'].isoformat()})",
            )
        ]
    return []


CONTENT_KEY_PREFIXES = ("activity:", "feedback:")


def _content_key(prefix: str, record: dict[str, Any]) -> str:
    """A stable id for rows whose export has none, so re-importing updates instead of adding."""
    text = "|".join(f"{k}={record[k]}" for k in sorted(record))
    return f"{prefix}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def _check_activity(record: dict[str, Any], _ctx: ReadContext) -> list[CellProblem]:
    record.setdefault("external_id", _content_key("activity", record))
    return []


def _check_feedback(record: dict[str, Any], _ctx: ReadContext) -> list[CellProblem]:
    record.setdefault("external_id", _content_key("feedback", record))
    return []


def _no_check(_record: dict[str, Any], _ctx: ReadContext) -> list[CellProblem]:
    return []


_CHECKS: dict[str, Callable[[dict[str, Any], ReadContext], list[CellProblem]]] = {
    "people": _check_people,
    "deals": _check_deal,
    "stage_history": _no_check,
    "activities": _check_activity,
    "feedback": _check_feedback,
}
