"""The dashboard's line charts: the geometry of each measure's chart (percent on time by month,
target, national average), drawn as SVG by templates/reports/_chart.html, and the words that
describe it for people who cannot see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..services.reports import MeasureSeries


def number_text(value: Decimal) -> str:
    """65.00 → "65", 46.40 → "46.4"."""
    return f"{value.normalize():f}"


def month_label(month_on: date) -> str:
    return month_on.strftime("%B %Y")


@dataclass(frozen=True)
class ChartLine:
    name: str
    colour: str
    dash: str | None
    width: int
    segments: list[str]
    # (x, y, hollow): a hollow marker for a month that is not over yet.
    points: list[tuple[float, float, bool]]


@dataclass(frozen=True)
class Chart:
    ident: str
    title: str
    description: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]
    lines: list[ChartLine]


def build_chart(series: MeasureSeries) -> Chart:
    """Geometry of the line chart (percent on time, target, national average) for one measure."""
    width, height, left, right, top, plot_height = 720, 270, 48, 700, 14, 190
    bottom = top + plot_height
    months = series.months
    step = (right - left) / max(len(months) - 1, 1)
    xs = [left + step * n if len(months) > 1 else (left + right) / 2 for n in range(len(months))]

    def y(percent: float | Decimal) -> float:
        return round(top + plot_height * (1 - float(percent) / 100), 1)

    def line(name: str, colour: str, dash: str | None, width_: int, values: list[float | Decimal | None]) -> ChartLine:
        segments: list[str] = []
        points: list[tuple[float, float, bool]] = []
        current: list[str] = []
        for x, value, month in zip(xs, values, months):
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            points.append((round(x, 1), y(value), month.partial))
            current.append(f"{round(x, 1)},{y(value)}")
        if current:
            segments.append(" ".join(current))
        return ChartLine(name, colour, dash, width_, segments, points)

    lines = [line("% on time", "#1d70b8", None, 3, [m.headline.percent for m in months])]
    targets = [m.target_percent for m in months]
    if any(t is not None for t in targets):
        lines.append(line("Target", "#00703c", "8 5", 2, list(targets)))
    national = [m.national_average_percent for m in months]
    if any(v is not None for v in national):
        lines.append(line("National average", "#505a5f", "2 4", 2, list(national)))
    every = max(1, -(-len(months) // 12))
    x_labels = [
        (round(x, 1), m.month_on.strftime("%b %y"))
        for n, (x, m) in enumerate(zip(xs, months))
        if n % every == 0 or n == len(months) - 1
    ]
    latest = series.latest
    figure = latest.headline
    parts = [
        f"{series.measure.title}: percentage on time each month from {month_label(months[0].month_on)} to {month_label(latest.month_on)}.",
        f"{month_label(latest.month_on)}{' (to date)' if latest.partial else ''}: "
        + (
            f"{figure.percent}% ({figure.on_time} of {figure.counted})"
            if figure.percent is not None
            else series.measure.nothing.lower()
        )
        + ".",
    ]
    if latest.target_percent is not None:
        parts.append(f"Target {number_text(latest.target_percent)}%.")
    if latest.national_average_percent is not None:
        parts.append(f"National average {number_text(latest.national_average_percent)}%.")
    parts.append("The table gives every month's figures.")
    return Chart(
        ident=series.measure.key,
        title=f"{series.measure.title}, % on time by month",
        description=" ".join(parts),
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        y_ticks=[(y(p), f"{p}%") for p in (0, 25, 50, 75, 100)],
        x_labels=x_labels,
        lines=lines,
    )
