"""Calendar arithmetic: docs/statutory-timescales.md "How to count", with hand-checked dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from ehc_tracker.statutory.calendar import (
    ENGLAND_CALENDAR,
    WorkingDayCalendar,
    add_days,
    add_months,
    add_weeks,
    age_on,
    month_period_end,
    period_end_beginning_with,
)
from ehc_tracker.statutory.errors import InvalidDateOrder, InvalidPeriod, StatutoryError

D = date.fromisoformat
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
FAST = settings(max_examples=150, deadline=None)


# --- weeks and days -----------------------------------------------------------------------


def test_within_20_weeks_of_the_request() -> None:
    assert add_weeks(D("2025-01-06"), 20) == D("2025-05-26")


def test_negative_weeks_and_days_count_backwards() -> None:
    assert add_weeks(D("2025-06-18"), -2) == D("2025-06-04")
    assert add_days(D("2025-06-18"), -14) == D("2025-06-04")
    assert add_days(D("2025-03-01"), -1) == D("2025-02-28")


def test_at_least_15_days_beginning_with_the_day_served() -> None:
    assert period_end_beginning_with(D("2025-03-03"), 15) == D("2025-03-17")
    assert period_end_beginning_with(D("2025-03-03"), 1) == D("2025-03-03")
    assert period_end_beginning_with(D("2024-02-20"), 15) == D("2024-03-05")  # leap February


def test_a_period_beginning_with_a_day_is_at_least_one_day() -> None:
    with pytest.raises(InvalidPeriod):
        period_end_beginning_with(D("2025-03-03"), 0)


# --- months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2024-03-15", 12, "2025-03-14"),  # docs/statutory-timescales.md example
        ("2024-03-01", 12, "2025-02-28"),  # docs/statutory-timescales.md example
        ("2023-03-01", 12, "2024-02-29"),  # period runs into a leap February
        ("2024-02-29", 12, "2025-02-28"),  # no 29 February next year: month end
        ("2024-02-29", 48, "2028-02-28"),  # four years on, the day before 29 Feb 2028
        ("2023-02-28", 12, "2024-02-27"),
        ("2024-01-01", 12, "2024-12-31"),
        ("2024-12-31", 12, "2025-12-30"),
        ("2024-08-31", 6, "2025-02-28"),  # no 31 August → February: month end
        ("2024-03-31", 6, "2024-09-30"),
        ("2024-05-01", 6, "2024-10-31"),  # (X − 1) + 6 months would wrongly give 10-30
        ("2024-01-31", 1, "2024-02-29"),
        ("2024-03-01", 1, "2024-03-31"),
    ],
)
def test_period_of_months_starting_with(start: str, months: int, end: str) -> None:
    assert month_period_end(D(start), months) == D(end)


def test_a_period_of_months_is_at_least_one_month() -> None:
    with pytest.raises(InvalidPeriod):
        month_period_end(D("2025-01-01"), 0)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2025-08-31", 2, "2025-10-31"),  # docs/statutory-timescales.md example
        ("2025-12-31", 2, "2026-02-28"),
        ("2023-12-31", 2, "2024-02-29"),
        ("2025-01-31", 1, "2025-02-28"),
        ("2025-01-15", 1, "2025-02-15"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2026-07-31", -5, "2026-02-28"),
    ],
)
def test_months_after(start: str, months: int, end: str) -> None:
    assert add_months(D(start), months) == D(end)


# --- working days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        "2025-04-18",  # Good Friday
        "2025-04-21",  # Easter Monday
        "2025-12-25",
        "2025-12-26",
        "2021-12-27",  # Christmas Day substitute (25th was a Saturday)
        "2021-12-28",  # Boxing Day substitute
        "2022-12-26",  # Boxing Day
        "2022-12-27",  # Christmas Day substitute (25th was a Sunday)
        "2023-01-02",  # New Year's Day substitute
        "2022-09-19",  # State funeral of Queen Elizabeth II
        "2023-05-08",  # Coronation bank holiday
        "2025-05-26",  # Spring bank holiday
        "2025-08-25",  # Summer bank holiday (England, not Scotland)
    ],
)
def test_bank_holidays_are_not_working_days(day: str) -> None:
    assert ENGLAND_CALENDAR.is_bank_holiday(D(day))
    assert not ENGLAND_CALENDAR.is_working_day(D(day))


@pytest.mark.parametrize("day", ["2025-08-04", "2025-11-30", "2025-01-02", "2025-12-24", "2025-12-29"])
def test_scottish_only_holidays_and_ordinary_weekdays(day: str) -> None:
    d = D(day)
    assert ENGLAND_CALENDAR.is_working_day(d) == (d.weekday() < 5)


def test_weekends_are_not_working_days() -> None:
    assert not ENGLAND_CALENDAR.is_working_day(D("2025-03-08"))
    assert not ENGLAND_CALENDAR.is_working_day(D("2025-03-09"))
    assert ENGLAND_CALENDAR.is_working_day(D("2025-03-10"))


@pytest.mark.parametrize(
    ("received", "n", "due"),
    [
        ("2025-12-19", 5, "2025-12-30"),  # docs/statutory-timescales.md example: Christmas and Boxing Day
        ("2025-04-17", 5, "2025-04-28"),  # Easter 2025: Good Friday 18th, Easter Monday 21st
        ("2021-12-23", 5, "2022-01-04"),  # substitutes 27th, 28th and 3 January
        ("2022-12-23", 5, "2023-01-04"),  # 26th, 27th (substitute) and 2 January
        ("2025-01-06", 5, "2025-01-13"),
        ("2025-01-06", 3, "2025-01-09"),
        ("2025-03-08", 1, "2025-03-10"),  # start on a Saturday: Monday is day 1
        ("2025-12-25", 1, "2025-12-29"),  # start on a bank holiday, not counted
    ],
)
def test_add_working_days(received: str, n: int, due: str) -> None:
    assert ENGLAND_CALENDAR.add_working_days(D(received), n) == D(due)


def test_add_working_days_needs_at_least_one_day() -> None:
    with pytest.raises(InvalidPeriod):
        ENGLAND_CALENDAR.add_working_days(D("2025-01-06"), 0)


def test_local_non_working_days_are_skipped() -> None:
    calendar = WorkingDayCalendar(extra_non_working_days=[D("2025-12-29"), D("2025-12-30")])
    assert not calendar.is_working_day(D("2025-12-29"))
    assert calendar.add_working_days(D("2025-12-19"), 5) == D("2026-01-02")
    assert ENGLAND_CALENDAR.add_working_days(D("2025-12-19"), 5) == D("2025-12-30")


def test_local_days_can_be_added_to_a_calendar() -> None:
    base = WorkingDayCalendar([D("2025-12-29")])
    more = base.with_extra_non_working_days([D("2025-12-30")])
    assert more.extra_non_working_days == {D("2025-12-29"), D("2025-12-30")}
    assert base.extra_non_working_days == {D("2025-12-29")}
    assert more == WorkingDayCalendar([D("2025-12-30"), D("2025-12-29")])
    assert hash(more) == hash(WorkingDayCalendar([D("2025-12-30"), D("2025-12-29")]))
    assert "2025-12-29" in repr(base)


def test_without_local_days_keeps_only_the_bank_holidays() -> None:
    # Reg 2(1) "working day": a statutory limit never skips the council's own closure days.
    local = WorkingDayCalendar([D("2025-12-29"), D("2025-12-30")])
    statutory = local.without_local_days()
    assert statutory == ENGLAND_CALENDAR
    assert statutory.extra_non_working_days == frozenset()
    assert statutory.is_working_day(D("2025-12-29"))
    assert not statutory.is_working_day(D("2025-12-25"))  # bank holidays still count
    assert statutory.add_working_days(D("2025-12-19"), 5) == D("2025-12-30")
    assert local.extra_non_working_days == {D("2025-12-29"), D("2025-12-30")}  # the original is unchanged
    assert not local.is_working_day(D("2025-12-29"))
    assert ENGLAND_CALENDAR.without_local_days() == ENGLAND_CALENDAR


def test_datetimes_given_as_local_days_are_treated_as_their_dates() -> None:
    calendar = WorkingDayCalendar([datetime(2025, 12, 29, 9, 30)])
    assert not calendar.is_working_day(D("2025-12-29"))


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        ("2025-12-19", "2025-12-30", 5),
        ("2025-12-19", "2025-12-19", 0),
        ("2025-12-30", "2025-12-19", -5),
        ("2025-12-24", "2025-12-28", 0),  # Christmas, Boxing Day, weekend
        ("2025-01-03", "2025-01-06", 1),  # Friday → Monday
    ],
)
def test_working_days_between(a: str, b: str, count: int) -> None:
    assert ENGLAND_CALENDAR.working_days_between(D(a), D(b)) == count


def test_working_days_in_2025_counted_by_hand() -> None:
    # 2025 has 261 weekdays and 8 England & Wales bank holidays, all on weekdays.
    weekdays = sum(1 for i in range(365) if (D("2025-01-01") + timedelta(i)).weekday() < 5)
    assert weekdays == 261
    assert ENGLAND_CALENDAR.working_days_between(D("2024-12-31"), D("2025-12-31")) == 261 - 8


def test_calendars_share_the_bank_holiday_cache_but_not_local_days() -> None:
    a = WorkingDayCalendar([D("2025-06-02")])
    assert not a.is_working_day(D("2025-06-02"))
    assert ENGLAND_CALENDAR.is_working_day(D("2025-06-02"))


# --- age ----------------------------------------------------------------------------------


def test_age_on() -> None:
    assert age_on(D("2020-06-01"), D("2025-05-31")) == 4
    assert age_on(D("2020-06-01"), D("2025-06-01")) == 5
    assert age_on(D("2020-02-29"), D("2025-02-28")) == 4  # leap-day birthday: 1 March
    assert age_on(D("2020-02-29"), D("2025-03-01")) == 5
    assert age_on(D("2020-02-29"), D("2024-02-29")) == 4
    with pytest.raises(InvalidDateOrder):
        age_on(D("2020-06-01"), D("2020-05-31"))


def test_errors_are_value_errors() -> None:
    assert issubclass(InvalidPeriod, StatutoryError)
    assert issubclass(StatutoryError, ValueError)


# --- properties ---------------------------------------------------------------------------


@FAST
@given(start=dates, n=st.integers(min_value=1, max_value=30))
def test_working_day_results_are_working_days(start: date, n: int) -> None:
    due = ENGLAND_CALENDAR.add_working_days(start, n)
    assert ENGLAND_CALENDAR.is_working_day(due)
    assert due > start
    assert ENGLAND_CALENDAR.working_days_between(start, due) == n
    assert ENGLAND_CALENDAR.working_days_between(start, due - timedelta(days=1)) == n - 1


@FAST
@given(a=dates, b=dates, n=st.integers(min_value=1, max_value=20))
def test_add_working_days_is_monotonic_in_the_start(a: date, b: date, n: int) -> None:
    early, late = sorted((a, b))
    assert ENGLAND_CALENDAR.add_working_days(early, n) <= ENGLAND_CALENDAR.add_working_days(late, n)


@FAST
@given(start=dates, n=st.integers(min_value=1, max_value=20), m=st.integers(min_value=1, max_value=20))
def test_add_working_days_is_monotonic_in_n(start: date, n: int, m: int) -> None:
    small, big = sorted((n, m))
    assert ENGLAND_CALENDAR.add_working_days(start, small) <= ENGLAND_CALENDAR.add_working_days(start, big)
    if small < big:
        assert ENGLAND_CALENDAR.add_working_days(start, small) < ENGLAND_CALENDAR.add_working_days(start, big)


@FAST
@given(start=dates, n=st.integers(min_value=1, max_value=20), extra=st.lists(dates, max_size=5))
def test_a_local_non_working_day_never_makes_a_deadline_earlier(start: date, n: int, extra: list[date]) -> None:
    with_local = ENGLAND_CALENDAR.with_extra_non_working_days(extra)
    assert with_local.add_working_days(start, n) >= ENGLAND_CALENDAR.add_working_days(start, n)


@FAST
@given(start=dates, offset=st.integers(min_value=-60, max_value=60), extra=st.lists(dates, max_size=3))
def test_working_days_between_matches_counting_day_by_day(start: date, offset: int, extra: list[date]) -> None:
    calendar = WorkingDayCalendar(extra)
    end = start + timedelta(days=offset)
    lo, hi = sorted((start, end))
    by_hand = sum(1 for i in range(1, (hi - lo).days + 1) if calendar.is_working_day(lo + timedelta(i)))
    expected = by_hand if end >= start else -by_hand
    assert calendar.working_days_between(start, end) == expected


@FAST
@given(start=dates, weeks=st.integers(min_value=-60, max_value=60))
def test_week_offsets_are_exact(start: date, weeks: int) -> None:
    assert (add_weeks(start, weeks) - start).days == 7 * weeks


@FAST
@given(start=dates)
def test_twelve_month_period_ends_within_a_year_on_its_last_day(start: date) -> None:
    end = month_period_end(start, 12)
    anniversary = add_months(start, 12)
    assert start < end <= start + relativedelta(years=1)
    assert end + timedelta(days=1) >= anniversary  # the next day starts the next period
    assert end <= anniversary


@FAST
@given(start=dates, months=st.integers(min_value=1, max_value=24))
def test_month_period_is_the_corresponding_date_rule(start: date, months: int) -> None:
    end = month_period_end(start, months)
    corresponding = add_months(start, months)
    if corresponding.day == start.day:
        assert end == corresponding - timedelta(days=1)
    else:  # no corresponding date in a short month: the period ends at the month's end
        assert end == corresponding
        assert (end + timedelta(days=1)).day == 1
    # Consecutive periods tile the calendar without gaps or overlaps.
    assert month_period_end(end + timedelta(days=1), months) > end


@FAST
@given(start=dates, months=st.integers(min_value=-24, max_value=24))
def test_months_after_keeps_the_day_or_clamps_to_month_end(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or (result.day < start.day and (result + timedelta(days=1)).day == 1)
