"""The dashboard's headline figure and the monthly performance report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from ...extensions import db
from ...models import ComplianceTarget
from .measures import MEASURES, Figure, Measure, MonthFigures, monthly_figures
from .scope import Scope, month_start, months_ending

# --- The dashboard's headline ------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedFigure:
    percent: Decimal
    period: str
    source: str


# The national figure the app ships with, shown until a manager enters a national average on the
# targets page (the latest one entered is then shown instead). Source: Department for Education,
# "Education, health and care plans", reporting year 2025 (published June 2025), data set
# "Timeliness of new EHC plans" (SEN2): in England in the 2024 calendar year 46.4% of new EHC
# plans were issued within 20 weeks, excluding exceptions (50.3% in 2023). Calendar year, like
# the dashboard's "year to date". Each June's release gives the previous calendar year's figure:
# a manager enters the newer one on the targets page; this default is updated with the code.
PUBLISHED_NATIONAL: dict[str, PublishedFigure] = {
    "final_plan_20_weeks": PublishedFigure(
        Decimal("46.4"),
        "England, 2024",
        "Department for Education, Education, health and care plans, reporting year 2025",
    ),
}


@dataclass(frozen=True)
class NationalAverage:
    percent: Decimal
    # Where the figure comes from, in words: "entered for March 2025", or the published source.
    period: str
    source: str


@dataclass(frozen=True)
class HeadlinePeriod:
    key: Literal["month", "rolling", "year"]
    title: str
    period: str
    # The period in a sentence: "No new plans were issued in November 2026 so far".
    in_words: str
    first_month: date
    last_month: date
    figure: Figure
    including: Figure | None


@dataclass(frozen=True)
class Headline:
    measure: Measure
    as_at: date
    periods: list[HeadlinePeriod]
    target_percent: Decimal | None
    target_month: date | None
    national: NationalAverage | None

    @staticmethod
    def gap(figure: Figure, reference: Decimal | None) -> float | None:
        """Percentage points above (+) or below (-) a target or average; None if either is missing."""
        if figure.percent is None or reference is None:
            return None
        return round(figure.percent - float(reference), 1)


def national_average(measure: Measure, as_at: date) -> NationalAverage | None:
    """The latest national average a manager entered for the measure, for a month up to the
    as-at month; else the published figure the app ships with, if there is one."""
    entered = db.session.scalars(
        select(ComplianceTarget)
        .where(
            ComplianceTarget.measure == measure.key,
            ComplianceTarget.national_average_percent.is_not(None),
            ComplianceTarget.month_on <= month_start(as_at),
        )
        .order_by(ComplianceTarget.month_on.desc())
        .limit(1)
    ).first()
    if entered is not None and entered.national_average_percent is not None:
        return NationalAverage(
            entered.national_average_percent, f"entered for {entered.month_on:%B %Y}", "the targets page"
        )
    published = PUBLISHED_NATIONAL.get(measure.key)
    return NationalAverage(published.percent, published.period, published.source) if published else None


def _sum(figures: Iterable[Figure | None]) -> Figure | None:
    found = [f for f in figures if f is not None]
    return Figure(sum(f.counted for f in found), sum(f.on_time for f in found)) if found else None


def headline(scope: Scope, as_at: date, measure: Measure = MEASURES[0]) -> Headline:
    """The dashboard's first figures: a measure this month (to the as-at date), over the rolling
    12 months to the as-at date, and over the calendar year to date, each on the measure's
    headline basis (for 20-week plans, excluding exceptions), with the target in force (the one
    set for the as-at month, or the latest before it in the 12 months) and the national
    average. One query, the monthly figures' own."""
    months = months_ending(as_at, 12)
    series = monthly_figures(scope, months, as_at, measures=[measure])[0]
    this_year = [m for m in series.months if m.month_on.year == as_at.year]
    spans: list[tuple[Literal["month", "rolling", "year"], str, str, str, list[MonthFigures]]] = [
        ("month", "This month", f"1 to {as_at:%-d %B %Y}", f"in {as_at:%B %Y} so far", [series.latest]),
        (
            "rolling",
            "Rolling 12 months",
            f"{months[0]:%-d %B %Y} to {as_at:%-d %B %Y}",
            f"in the 12 months to {as_at:%-d %B %Y}",
            series.months,
        ),
        ("year", "Year to date", f"1 January to {as_at:%-d %B %Y}", f"in {as_at.year} so far", this_year),
    ]
    periods = []
    for key, title, words, sentence, chosen in spans:
        figure = _sum(m.headline for m in chosen) or Figure(0, 0)
        including = _sum(m.including for m in chosen) if measure.with_exceptions else None
        periods.append(
            HeadlinePeriod(key, title, words, sentence, chosen[0].month_on, chosen[-1].month_on, figure, including)
        )
    with_target = [m for m in series.months if m.target_percent is not None]
    latest_target = with_target[-1] if with_target else None
    return Headline(
        measure,
        as_at,
        periods,
        latest_target.target_percent if latest_target else None,
        latest_target.month_on if latest_target else None,
        national_average(measure, as_at),
    )


# --- The monthly performance report ------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyLine:
    measure: Measure
    this_month: MonthFigures
    last_month: MonthFigures

    @property
    def change(self) -> float | None:
        now, before = self.this_month.headline.percent, self.last_month.headline.percent
        return None if now is None or before is None else round(now - before, 1)


def monthly_report(scope: Scope, month_on: date, as_at: date) -> list[MonthlyLine]:
    before = month_on - relativedelta(months=1)
    return [MonthlyLine(s.measure, s.months[1], s.months[0]) for s in monthly_figures(scope, [before, month_on], as_at)]
