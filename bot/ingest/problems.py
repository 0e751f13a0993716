"""What went wrong in an import, said so a sales-ops admin can fix the file."""

from __future__ import annotations

from dataclasses import dataclass, field

SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # spreadsheet row: the header is row 1; None for whole-file problems
    column: str | None
    value: str | None
    expected: str
    # coachbot's name for the column, where the file's own header (`column`) differs.
    field: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}" + (f" ({self.field})" if self.field else ""))
        text = ", ".join(where)
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            text += f", value {shown!r}"
        return f"{text}: {self.expected}"


@dataclass
class ProblemLog:
    """Keeps the first problems word for word and counts the rest, so memory stays bounded."""

    limit: int = SHOWN_PROBLEMS
    shown: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.shown) < self.limit:
            self.shown.append(problem)

    def __bool__(self) -> bool:
        return self.total > 0

    def summary(self) -> str:
        lines = [f"Nothing was imported: {self.total} problem(s) found."]
        files = list(dict.fromkeys(p.file for p in self.shown))
        ordered = sorted(self.shown, key=lambda p: (files.index(p.file), p.row or 0))
        lines += [f"  - {p}" for p in ordered]
        if self.total > len(self.shown):
            lines.append(f"  ... and {self.total - len(self.shown)} more")
        return "\n".join(lines)


class ImportRejected(Exception):
    """The import found problems; the database was left unchanged."""

    def __init__(self, log: ProblemLog) -> None:
        self.log = log
        super().__init__(log.summary())

    @classmethod
    def single(cls, problem: Problem) -> ImportRejected:
        log = ProblemLog()
        log.add(problem)
        return cls(log)


class FieldError(ValueError):
    """A cell's value is not what its column needs; the message says what is expected."""
