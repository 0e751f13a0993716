"""Opening a CRM export: refuse what is not a UTF-8 CSV before reading a single record."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from bot.ingest.problems import ImportRejected, Problem

# Fields in real exports (notes, descriptions) can be long; the csv default of 128 KiB is not.
csv.field_size_limit(16 * 1024 * 1024)

_SNIFF_BYTES = 64 * 1024
_BLOCK = 1024 * 1024
_MAGIC = {
    b"PK\x03\x04": "an Excel workbook or other zip file; save it as 'CSV UTF-8' first",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) workbook; save it as 'CSV UTF-8' first",
    b"%PDF": "a PDF document, not a CSV export",
}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class CsvRow:
    number: int  # spreadsheet row of the record's first line (header = 1)
    values: list[str]


class _CountingReader(io.RawIOBase):
    """Counts bytes read so a progress bar can follow a file of any size."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.consumed += len(data)
        return len(data)


class CsvFile:
    """A checked CSV file: its encoding is valid and its header parsed; rows stream lazily."""

    def __init__(self, path: Path, encoding: str = "utf-8") -> None:
        self.path = path
        self.name = path.name
        self.encoding = encoding
        self.size = path.stat().st_size if path.exists() else 0
        self._check_bytes()
        self.delimiter = self._sniff_delimiter()
        self.header: list[str] = []
        self._counter: _CountingReader | None = None

    def _reject(self, expected: str, row: int | None = None, value: str | None = None) -> None:
        raise ImportRejected.single(Problem(self.name, row, None, value, expected))

    def _check_bytes(self) -> None:
        if not self.path.exists():
            self._reject("file not found")
        if self.path.is_dir():
            self._reject("is a folder, not a CSV file")
        with self.path.open("rb") as raw:
            head = raw.read(_SNIFF_BYTES)
        if not head.strip():
            self._reject("the file is empty; expected a header row and records")
        for magic, what in _MAGIC.items():
            if head.startswith(magic):
                self._reject(f"this is {what}")
        if self.encoding.lower().replace("_", "-") in ("utf-8", "utf8") and head.startswith(
            _UTF16_BOMS
        ):
            self._reject(
                "the file is UTF-16 (Excel 'Unicode Text'); save it as 'CSV UTF-8' "
                "or pass --encoding utf-16"
            )
        if b"\x00" in head and not self.encoding.lower().startswith("utf-16"):
            self._reject("the file contains binary data (NUL bytes); expected a text CSV export")
        self._check_encoding()

    def _check_encoding(self) -> None:
        """Decode the whole file once, in blocks, to name the first bad byte's row; a NUL
        anywhere (binary data the first block did not show) is refused too."""
        try:
            text_codec = getattr(codecs.lookup(self.encoding), "_is_text_encoding", True)
            decoder = codecs.getincrementaldecoder(self.encoding)(errors="strict")
        except LookupError:
            self._reject(f"unknown encoding {self.encoding!r}; try utf-8 or cp1252")
        if not text_codec:  # hex, base64, zlib...: codecs, but not for text
            self._reject(f"{self.encoding!r} is not a text encoding; try utf-8 or cp1252")
        newlines = lines = 0
        with self.path.open("rb") as raw:
            while block := raw.read(_BLOCK):
                try:
                    text = decoder.decode(block)
                except UnicodeDecodeError as error:
                    bad = block[error.start : error.start + 1]
                    row = newlines + block.count(b"\n", 0, error.start) + 1
                    self._reject(
                        f"the file is not valid {self.encoding} (byte 0x{bad.hex()} on line "
                        f"{row}); Excel's plain 'CSV' is Windows-1252: save as 'CSV UTF-8' "
                        "or pass --encoding cp1252",
                        row=row,
                    )
                except UnicodeError as error:  # utf-16 without a byte order mark, and such
                    self._reject(
                        f"the file cannot be read as {self.encoding} ({error}); save it as "
                        "'CSV UTF-8', or name its exact encoding (utf-16-le, utf-16-be)"
                    )
                if "\x00" in text:
                    row = lines + text.count("\n", 0, text.index("\x00")) + 1
                    self._reject(
                        "the file contains binary data (a NUL character on line "
                        f"{row}); expected a text CSV export",
                        row=row,
                    )
                newlines += block.count(b"\n")
                lines += text.count("\n")
            try:
                decoder.decode(b"", final=True)
            except UnicodeError:
                self._reject(f"the file ends in the middle of a {self.encoding} character")

    def _open_text(self) -> io.TextIOWrapper:
        self._counter = _CountingReader(self.path.open("rb"))
        buffered = io.BufferedReader(self._counter, buffer_size=_BLOCK)
        encoding = "utf-8-sig" if self.encoding.lower() in ("utf-8", "utf8") else self.encoding
        return io.TextIOWrapper(buffered, encoding=encoding, newline="")

    def _sniff_delimiter(self) -> str:
        with self._open_text() as text:
            first_line = text.readline()
        counts = {d: _count_outside_quotes(first_line, d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        if counts[best] == 0:
            self._reject(
                "the first line has no comma, semicolon or tab: expected a CSV header row "
                "naming the columns",
                row=1,
                value=first_line.strip()[:60],
            )
        return best

    @property
    def bytes_read(self) -> int:
        return self._counter.consumed if self._counter else 0

    def rows(self, stop_at_blank_line: bool = False) -> Iterator[CsvRow]:
        """Yield records after the header; blank lines are skipped, row numbers kept exact.

        With `stop_at_blank_line`, the first blank line ends the records: report exports
        (Salesforce's) put a footer of copyright and confidentiality lines after one.
        """
        with self._open_text() as text:
            reader = csv.reader(text, delimiter=self.delimiter, strict=True)
            next_row = 1
            try:
                self.header = next(reader)
                next_row = reader.line_num + 1
                for values in reader:
                    number = next_row
                    next_row = reader.line_num + 1
                    if not any(v.strip() for v in values):
                        if stop_at_blank_line:
                            return
                        continue
                    yield CsvRow(number, values)
            except csv.Error as error:
                self._reject(
                    f"the CSV is malformed from this row on ({error}); is a quote not closed?",
                    row=next_row,
                )

    def read_header(self) -> list[str]:
        with self._open_text() as text:
            reader = csv.reader(text, delimiter=self.delimiter)
            try:
                return next(reader)
            except (csv.Error, StopIteration):
                self._reject("could not read a header row", row=1)
                raise AssertionError("unreachable") from None


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count
