"""Calendar arithmetic: the one counting convention of docs/statutory-timescales.md ("How to count").

| wording                                   | function                      |
|-------------------------------------------|-------------------------------|
| "within N weeks of X"                     | add_weeks(X, N)               |
| "N days after X" / "N days before X"      | add_days(X, ±N)               |
| "at least N days beginning with X"        | period_end_beginning_with     |
| "in the period of N months starting with" | month_period_end              |
| "N months after X"                        | add_months                    |
| "N working days"                          | WorkingDayCalendar            |

The day of the anchor event is never counted except in the two "beginning/starting with" forms,
where the law says it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache

import holidays
from dateutil.relativedelta import relativedelta

from .errors import InvalidDateOrder, InvalidPeriod

__all__ = [
    "ENGLAND_CALENDAR",
    "WorkingDayCalendar",
    "add_days",
    "add_months",
    "add_weeks",
    "age_on",
    "month_period_end",
    "period_end_beginning_with",
]


def add_weeks(start_on: date, weeks: int) -> date:
    """Within N weeks of X: X + 7·N days (the day of X not counted); negative N counts back."""
    return start_on + timedelta(weeks=weeks)


def add_days(start_on: date, days: int) -> date:
    """N days after X (X + N); with a negative N, "at least N days before X" (X − N)."""
    return start_on + timedelta(days=days)


def period_end_beginning_with(start_on: date, days: int) -> date:
    """Last day of "a period of at least N days beginning with X": X + N − 1.

    SEND Regulations 2014 reg 13(1) and 22(2): "at least 15 days beginning with the day on
    which the draft was served" — served 2025-03-03, the period ends 2025-03-17.
    """
    if days < 1:
        raise InvalidPeriod(f"A period beginning with a day lasts at least 1 day, not {days}.")
    return start_on + timedelta(days=days - 1)


def add_months(start_on: date, months: int) -> date:
    """N months after X: the same day N calendar months later, or the month's last day
    when that month is too short (2025-08-31 + 2 → 2025-10-31; 2025-12-31 + 2 → 2026-02-28).

    This is the "corresponding date" rule (Dodds v Walker [1981] 1 WLR 1027) used for the
    Tribunal's appeal window (First-tier Tribunal (HESC) Rules 2008 r.20).
    """
    return start_on + relativedelta(months=months)


def month_period_end(start_on: date, months: int) -> date:
    """Last day of "the period of N months starting with X" (CFA 2014 s44(1)).

    The period ends the day before the corresponding date N months on; where that month has
    no corresponding date (X is the 29th–31st) it ends on the month's last day:
    2024-03-15 → 2025-03-14, 2024-03-01 → 2025-02-28, 2023-03-01 → 2024-02-29,
    2024-02-29 → 2025-02-28.

    A shortcut, "(X − 1 day) + N months, clamped to month end", agrees with the law except when
    X is the 1st of a month and the period ends in a longer month than the one before X:
    (2023-03-01 − 1) + 12 months gives 2024-02-28, a day short of the 12-month period (which
    runs to 2024-02-29), and a 6-month period from 2024-05-01 would end 2024-10-30 instead of
    2024-10-31. An early end would report reviews as late that the law still allows, so this
    follows the law (docs/statutory-timescales.md, "How to count").
    """
    if months < 1:
        raise InvalidPeriod(f"A period of months lasts at least 1 month, not {months}.")
    corresponding = start_on + relativedelta(months=months)
    if corresponding.day == start_on.day:
        return corresponding - timedelta(days=1)
    return corresponding  # no corresponding date: already clamped to the month's last day


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on a date (Family Law Reform Act 1969 s9: a person attains an age
    at the start of the anniversary of their birth). Someone born on 29 February reaches the
    next age on 1 March in a common year, the reading English law usually takes.
    """
    if on < date_of_birth:
        raise InvalidDateOrder(f"{on.isoformat()} is before the date of birth {date_of_birth.isoformat()}.")
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    """England & Wales bank holidays of one year, substitute days included.

    Bank holidays are the same in England and in Wales; the `holidays` package is the
    maintained source (upgrade the pinned package to pick up newly announced days).
    """
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def _weekdays_up_to(day: date) -> int:
    """Monday–Friday days from 0001-01-01 (a Monday) up to and including `day`."""
    ordinal = day.toordinal()
    return (ordinal // 7) * 5 + min(ordinal % 7, 5)


def _as_date(day: date) -> date:
    if not isinstance(day, date):
        raise TypeError(f"Expected a date, got {type(day).__name__}")
    return day.date() if isinstance(day, datetime) else day


class WorkingDayCalendar:
    """Working days: not Saturday, Sunday, an England & Wales bank holiday, or one of the
    council's local non-working days.

    Immutable; bank holidays are loaded lazily per year and cached for the process.
    """

    __slots__ = ("_extra",)

    def __init__(self, extra_non_working_days: Iterable[date] = ()) -> None:
        self._extra: frozenset[date] = frozenset(_as_date(d) for d in extra_non_working_days)

    @property
    def extra_non_working_days(self) -> frozenset[date]:
        return self._extra

    def with_extra_non_working_days(self, days: Iterable[date]) -> WorkingDayCalendar:
        """A calendar with these local non-working days added to this one's."""
        return WorkingDayCalendar(self._extra | {_as_date(d) for d in days})

    def without_local_days(self) -> WorkingDayCalendar:
        """Bank holidays only: the calendar of a statutory time limit (reg 2(1) "working day")."""
        return self if not self._extra else ENGLAND_CALENDAR

    def is_bank_holiday(self, day: date) -> bool:
        return day in _bank_holidays(day.year)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_bank_holiday(day) and day not in self._extra

    def add_working_days(self, start_on: date, days: int) -> date:
        """The Nth working day after `start_on` (N ≥ 1).

        `start_on` itself is never counted, whether or not it is a working day: received
        Fri 2025-12-19, 5 working days → Tue 2025-12-30 (25 and 26 December are bank holidays).
        """
        if days < 1:
            raise InvalidPeriod(f"Count at least 1 working day, not {days}.")
        day = start_on
        remaining = days
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start_on: date, end_on: date) -> int:
        """Working days after `start_on` up to and including `end_on`.

        Antisymmetric: 0 when the dates are equal, and minus the count of working days after
        `end_on` up to and including `start_on` when `end_on` is earlier. So
        `working_days_between(x, add_working_days(x, n)) == n`.
        """
        if end_on < start_on:
            return -self.working_days_between(end_on, start_on)
        weekdays = _weekdays_up_to(end_on) - _weekdays_up_to(start_on)
        closed: set[date] = set()
        for year in range(start_on.year, end_on.year + 1):
            closed |= _bank_holidays(year)
        closed |= self._extra
        lost = sum(1 for d in closed if start_on < d <= end_on and d.weekday() < 5)
        return weekdays - lost

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkingDayCalendar):
            return NotImplemented
        return self._extra == other._extra

    def __hash__(self) -> int:
        return hash(self._extra)

    def __repr__(self) -> str:
        days = ", ".join(d.isoformat() for d in sorted(self._extra))
        return f"WorkingDayCalendar(extra_non_working_days=[{days}])"


ENGLAND_CALENDAR = WorkingDayCalendar()
"""Bank holidays only, no local non-working days (the default everywhere)."""
