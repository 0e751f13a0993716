"""How another CRM's export becomes coachbot's columns: presets and --mapping files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.ingest.parsers import ISO_DATE_FORMATS
from bot.ingest.problems import ImportRejected, Problem
from bot.vocabulary import RECORD_KINDS

PRESETS_DIR = Path(__file__).with_name("presets")
FORMATS: tuple[str, ...] = ("native", "salesforce", "hubspot")
_KEYS = {"kind", "columns", "values", "dates", "decimal", "defaults", "skip_after_blank_line"}


def _fold(name: str) -> str:
    return " ".join(name.strip().lower().split())


@dataclass(frozen=True)
class Mapping:
    """Renames and value translations applied to a file before native validation.

    Header and value matching ignore case and repeated spaces, as CRM exports vary in both.
    """

    kind: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # folded source header -> our column
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> folded -> ours
    dates: tuple[str, ...] = ISO_DATE_FORMATS
    decimal: str = "."
    defaults: dict[str, str] = field(default_factory=dict)
    # Salesforce report exports end with a blank line and a copyright/confidentiality footer.
    skip_after_blank_line: bool = False
    source: str = "native"
    # As the preset or mapping file writes them, for messages in the CRM's own words: each
    # column's value labels in order, and the header each of our columns is read from.
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def is_native(self) -> bool:
        return self.source == "native"

    def column_for(self, header: str) -> str:
        folded = _fold(header)
        return self.columns.get(folded, folded.replace(" ", "_"))

    def translate(self, column: str, value: str) -> str:
        table = self.values.get(column)
        if not table:
            return value
        return table.get(_fold(value), value)

    def layered(self, overlay: Mapping) -> Mapping:
        """This mapping with `overlay`'s entries winning: a --mapping on top of a preset."""
        values = {k: dict(v) for k, v in self.values.items()}
        for column, table in overlay.values.items():
            values.setdefault(column, {}).update(table)
        return Mapping(
            kind=overlay.kind or self.kind,
            columns={**self.columns, **overlay.columns},
            values=values,
            dates=overlay.dates if overlay.dates != ISO_DATE_FORMATS else self.dates,
            decimal=overlay.decimal if overlay.decimal != "." else self.decimal,
            defaults={**self.defaults, **overlay.defaults},
            skip_after_blank_line=self.skip_after_blank_line or overlay.skip_after_blank_line,
            source=f"{self.source} + {overlay.source}",
            labels={
                column: tuple(dict.fromkeys((*overlay.labels.get(column, ()), *labels)))
                for column, labels in {**self.labels, **overlay.labels}.items()
            },
            headers={**self.headers, **overlay.headers},
        )


def native() -> Mapping:
    return Mapping()


def preset(name: str) -> Mapping:
    if name == "native":
        return native()
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    path = PRESETS_DIR / f"{name}.yml"
    return _parse(yaml.safe_load(path.read_text(encoding="utf-8")), source=name, file=path.name)


def load_mapping(path: Path) -> Mapping:
    """Read a YAML or TOML mapping file; any mistake is refused with where and what."""
    name = path.name
    if not path.is_file():
        raise ImportRejected.single(Problem(name, None, None, None, "mapping file not found"))
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise ImportRejected.single(
            Problem(name, None, None, None, f"not a valid YAML or TOML mapping file: {error}")
        ) from None
    return _parse(data, source=name, file=name)


def _parse(data: Any, source: str, file: str) -> Mapping:
    def bad(expected: str, key: str | None = None) -> ImportRejected:
        return ImportRejected.single(Problem(file, None, None, None, expected))

    if not isinstance(data, dict):
        raise bad("a mapping file holds keys such as kind, columns, values, dates")
    unknown = set(data) - _KEYS
    if unknown:
        raise bad(f"unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KEYS))}")
    kind = data.get("kind")
    if kind is not None and kind not in RECORD_KINDS:
        raise bad(f"kind must be one of {', '.join(RECORD_KINDS)}", "kind")
    columns = _string_table(data.get("columns", {}), "columns", bad)
    values_raw = data.get("values", {})
    if not isinstance(values_raw, dict):
        raise bad("values maps a coachbot column to a table of value renames", "values")
    values = {
        str(column).strip().lower(): {
            _fold(k): v for k, v in _string_table(table, f"values.{column}", bad).items()
        }
        for column, table in values_raw.items()
    }
    dates = data.get("dates", list(ISO_DATE_FORMATS))
    if isinstance(dates, str):
        dates = [dates]
    if not isinstance(dates, list) or not dates or not all(isinstance(d, str) for d in dates):
        raise bad('dates is a list of strptime formats such as ["%m/%d/%Y"]', "dates")
    decimal = data.get("decimal", ".")
    if decimal not in (".", ","):
        raise bad('decimal is "." or ","', "decimal")
    defaults = {
        k.lower(): v for k, v in _string_table(data.get("defaults", {}), "defaults", bad).items()
    }
    headers: dict[str, str] = {}
    for header, column in columns.items():
        headers.setdefault(column.strip().lower(), header)
    labels = {
        str(column).strip().lower(): tuple(_string_table(table, f"values.{column}", bad))
        for column, table in values_raw.items()
    }
    return Mapping(
        kind=kind,
        columns={_fold(k): v.strip().lower() for k, v in columns.items()},
        values=values,
        dates=tuple(dates),
        decimal=decimal,
        defaults=defaults,
        skip_after_blank_line=bool(data.get("skip_after_blank_line", False)),
        source=source,
        labels=labels,
        headers=headers,
    )


def _string_table(table: Any, key: str, bad: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        raise bad(f"{key} must be a table of 'from: to' entries", key)
    result: dict[str, str] = {}
    for k, v in table.items():
        if isinstance(v, bool) or v is None or isinstance(v, dict | list):
            raise bad(f"{key}: the value for {k!r} must be text", key)
        result[str(k)] = str(v)
    return result
