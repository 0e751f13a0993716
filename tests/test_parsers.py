"""Cell parsers: what CRMs write is read right; anything else is a FieldError, never a crash."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ingest import parsers as p
from bot.ingest.problems import FieldError


@pytest.mark.parametrize(
    ("raw", "decimal", "expected"),
    [
        ("12500", ".", (Decimal("12500.00"), None)),
        ("12,500.50", ".", (Decimal("12500.50"), None)),
        ("$1,234,567.8", ".", (Decimal("1234567.80"), None)),
        ("USD 12,500.00", ".", (Decimal("12500.00"), "USD")),
        ("12500 EUR", ".", (Decimal("12500.00"), "EUR")),
        ("€9.000,25", ",", (Decimal("9000.25"), "EUR")),
        ("1.234.567", ",", (Decimal("1234567.00"), None)),
        ("0", ".", (Decimal("0.00"), None)),
        (" 42 ", ".", (Decimal("42.00"), None)),
    ],
)
def test_amounts_as_crms_write_them(raw: str, decimal: str, expected) -> None:
    assert p.amount(raw, decimal) == expected


@pytest.mark.parametrize("raw", ["12k", "1e5", "12,50,0", "5-5", "abc", "", "1.2.3", "NaN"])
def test_amounts_that_are_not_amounts(raw: str) -> None:
    with pytest.raises(FieldError, match="an amount like"):
        p.amount(raw)


@pytest.mark.parametrize("raw", ["-5", "(1,200.00)", "-$300"])
def test_negative_amounts_are_refused(raw: str) -> None:
    with pytest.raises(FieldError, match="cannot be negative"):
        p.amount(raw)


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_amount_round_trips_with_thousands_separators(value: Decimal) -> None:
    assert p.amount(f"{value:,.2f}") == (value, None)
    assert p.amount(f"USD {value:,.2f}") == (value, "USD")


@given(st.text(max_size=40))
def test_any_text_is_an_amount_or_a_field_error(raw: str) -> None:
    try:
        value, currency = p.amount(raw)
    except FieldError:
        return
    assert value >= 0 and (currency is None or len(currency) == 3)


@given(st.text(max_size=40))
def test_any_text_is_a_date_or_a_field_error(raw: str) -> None:
    with contextlib.suppress(FieldError):
        p.calendar_date(raw, ("%m/%d/%Y", "%Y-%m-%d"))


@given(st.text(max_size=40))
def test_any_text_is_an_instant_or_a_field_error(raw: str) -> None:
    try:
        value = p.instant(raw, UTC)
    except FieldError:
        return
    assert value.tzinfo is UTC


@given(st.text(max_size=20))
def test_any_text_is_a_count_percent_or_field_error(raw: str) -> None:
    for parse in (p.whole_number, p.percent, p.boolean, p.email, p.timezone_name, p.url):
        with contextlib.suppress(FieldError):
            parse(raw)


def test_dates_in_the_given_formats_and_timestamps() -> None:
    assert p.calendar_date("2026-03-14") == date(2026, 3, 14)
    assert p.calendar_date("3/14/2026", ("%m/%d/%Y",)) == date(2026, 3, 14)
    assert p.calendar_date("2026-03-14 16:05", ("%m/%d/%Y",)) == date(2026, 3, 14)
    with pytest.raises(FieldError, match="a date like 03/14/2026"):
        p.calendar_date("14/3/2026", ("%m/%d/%Y",))


def test_instants_are_stored_in_utc() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert p.instant("2026-07-01T12:00:00", berlin) == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert p.instant("2026-07-01T12:00:00Z", berlin) == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert p.instant("2026-07-01", berlin) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)


def test_small_values() -> None:
    assert p.boolean("Yes") is True and p.boolean("0") is False
    assert p.whole_number("1,200") == 1200
    with pytest.raises(FieldError, match="from 1 to 5"):
        p.whole_number("6", 1, 5)
    with pytest.raises(FieldError):
        p.whole_number("2.5")
    assert p.percent("12.5%") == Decimal("12.50")
    with pytest.raises(FieldError):
        p.percent("120")
    assert p.email(" Ann@Example.COM ") == "ann@example.com"
    assert p.choice("Closed Won", ("closed_won",), "a stage") == "closed_won"
    assert p.slack_user_id("u024be7lh") == "U024BE7LH"
