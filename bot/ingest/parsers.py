"""Cell parsers: text in, a typed value out, or a FieldError that says what was expected."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.ingest.problems import FieldError

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z0-9-]{2,}$")
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
_SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}
ISO_DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d",)
MAX_AMOUNT = Decimal(10**15)  # Numeric(18, 2) holds 16 digits before the point


def text(raw: str, max_length: int = 300) -> str:
    value = raw.strip()
    if len(value) > max_length:
        raise FieldError(f"text of at most {max_length} characters (got {len(value)})")
    return value


def email(raw: str) -> str:
    value = raw.strip().lower()
    if not _EMAIL.match(value):
        raise FieldError("an email address like jane.doe@example.com")
    return value


def choice(raw: str, allowed: Sequence[str], what: str) -> str:
    value = raw.strip().lower().replace(" ", "_").replace("-", "_")
    if value not in allowed:
        raise FieldError(f"{what}: one of {', '.join(allowed)}")
    return value


def boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise FieldError("true or false (also yes/no, 1/0)")


def whole_number(raw: str, low: int = 0, high: int | None = None) -> int:
    value = raw.strip().replace(",", "")
    try:
        number = float(value)
    except ValueError:
        raise FieldError("a whole number") from None
    if not number.is_integer():
        raise FieldError("a whole number")
    result = int(number)
    if result < low or (high is not None and result > high):
        bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise FieldError(f"a whole number {bounds}")
    return result


def percent(raw: str) -> Decimal:
    value = raw.strip().rstrip("%").strip()
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise FieldError("a percentage from 0 to 100, like 12.5") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise FieldError("a percentage from 0 to 100, like 12.5")
    return number.quantize(Decimal("0.01"))


def amount(raw: str, decimal_separator: str = ".") -> tuple[Decimal, str | None]:
    """A money amount and the currency code written with it, if any.

    Accepts what CRMs write: `12500`, `12,500.00`, `$12,500`, `USD 12,500.00`, `12.500,00`
    (with decimal ","). Refuses negative amounts: a deal's value is never below zero.
    """
    value = raw.strip()
    currency: str | None = None
    head, _, tail = value.partition(" ")
    if _CURRENCY_CODE.match(head) and tail:
        currency, value = head, tail.strip()
    elif (last := value.rpartition(" ")[2]) and _CURRENCY_CODE.match(last) and " " in value:
        currency, value = last, value.rpartition(" ")[0].strip()
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    value = value.strip("()-+ ")
    if value[:1] in _SYMBOLS:
        currency = currency or _SYMBOLS[value[0]]
        value = value[1:]
    value = value.lstrip("$").strip()
    thousands = "," if decimal_separator == "." else "."
    grouped = re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})+(\{decimal_separator}\d+)?", value)
    if grouped:
        value = value.replace(thousands, "")
    value = value.replace(" ", "").replace(decimal_separator, ".")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", value):
        example = "12500 or 12,500.00" if decimal_separator == "." else "12500 or 12.500,00"
        raise FieldError(f"an amount like {example}")
    number = Decimal(value)
    if negative and number != 0:
        raise FieldError("an amount of zero or more (a deal's value cannot be negative)")
    if number >= MAX_AMOUNT:
        raise FieldError(f"an amount below {MAX_AMOUNT:,} (the database keeps 16 digits)")
    return number.quantize(Decimal("0.01")), currency


def currency_code(raw: str) -> str:
    value = raw.strip().upper()
    if not _CURRENCY_CODE.match(value):
        raise FieldError("a three-letter currency code like USD or EUR")
    return value


def calendar_date(raw: str, formats: Sequence[str] = ISO_DATE_FORMATS) -> date:
    value = raw.strip()
    for fmt in formats:
        if fmt == "%Y-%m-%d" and len(value) == 10 and value[4] == "-":
            # The C ISO parser is ~20x faster than strptime; a million-row import notices.
            try:
                return date.fromisoformat(value)
            except ValueError:
                continue
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    # Timestamps where a date is wanted (HubSpot writes "2024-03-15 14:22") keep their date.
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        pass
    raise FieldError(f"a date like {_example(formats)}")


def instant(raw: str, zone: tzinfo, formats: Sequence[str] = ISO_DATE_FORMATS) -> datetime:
    """An ISO 8601 timestamp; without an offset it is read in `zone`. Returned in UTC."""
    value = raw.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for fmt in formats:
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            raise FieldError("a timestamp like 2026-03-04T14:30:00Z (or a date)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        raise FieldError("a timestamp between the years 1 and 9999 in UTC") from None


def url(raw: str) -> str:
    value = raw.strip()
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(value) > 1000:
        raise FieldError("a web link starting with https://")
    return value


def timezone_name(raw: str) -> str:
    value = raw.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America", a long name
        raise FieldError("an IANA timezone like America/New_York or Europe/Berlin") from None
    return value


def slack_user_id(raw: str) -> str:
    value = raw.strip().upper()
    if not _SLACK_USER.match(value):
        raise FieldError("a Slack user id like U024BE7LH")
    return value


def _example(formats: Sequence[str]) -> str:
    sample = datetime(2026, 3, 14)
    return " or ".join(sample.strftime(f) for f in formats[:2])
