"""The reports as files: CSV (streamed, for long lists) and Excel workbooks (openpyxl).

A cell a person typed could start with "=", "+", "-" or "@", which a spreadsheet would run as a
formula; such text is written with a leading apostrophe in both formats. Viewers' files leave
out every column that identifies a child (name and setting): the tables here take
`with_names` and drop those columns, rather than leaving them empty.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook  # type: ignore[import-untyped]

from .oversight import BreakdownRow, MeasureSeries, MilestoneRow, Workload

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | date | None


@dataclass
class Table:
    """One sheet: a title, its column headings and its rows (which may be a generator)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_value(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return safe_text(value)
    return value


def csv_stream(table: Table) -> Iterator[str]:
    """The table as CSV text, a line at a time (with a byte-order mark so Excel reads UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: Sequence[Cell]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_value(v) for v in values])
        return buffer.getvalue()

    yield "\ufeff" + line(list(table.header))
    for row in table.rows:
        yield line(row)


def _xlsx_value(value: Cell) -> str | int | float | date | None:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return safe_text(value)
    return value


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table (write-only mode: rows are not kept in memory twice)."""
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(title=table.title[:31])
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append([_xlsx_value(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- The overdue list ---------------------------------------------------------------------------


def overdue_table(rows: Iterable[MilestoneRow], *, with_names: bool) -> Table:
    header = ["Case number"]
    if with_names:
        header += ["Child", "Primary need", "Setting"]
    header += ["Team", "Coordinator", "Case type", "Milestone", "Milestone key", "Due date", "Status", "Days overdue", "Days left", "Exception applies"]

    def lines() -> Iterator[list[Cell]]:
        for r in rows:
            line: list[Cell] = [r.case_id]
            if with_names:
                line += [r.child_name, r.primary_need.value if r.primary_need else None, r.setting_name]
            line += [
                r.team_name, r.coordinator_name or "Not assigned", r.case_type.label, r.label, r.key, r.due_on,
                "Overdue" if r.days_late is not None else "Due soon", r.days_late, r.days_remaining,
                "Yes" if r.exception_applies else "No",
            ]
            yield line

    return Table("Overdue and due soon", header, lines())


# --- The monthly figures ------------------------------------------------------------------------


def figures_table(series: Sequence[MeasureSeries]) -> Table:
    header = [
        "Measure", "Measure key", "Month", "Counted", "On time", "Late", "% on time",
        "Counted excluding exceptions", "On time excluding exceptions", "% on time excluding exceptions",
        "Target %", "National average %", "Part month",
    ]
    rows: list[list[Cell]] = []
    for s in series:
        for m in s.months:
            ex = m.excluding
            rows.append([
                s.measure.title, s.measure.key, m.month_on.strftime("%Y-%m"), m.including.counted, m.including.on_time,
                m.including.late, m.including.percent,
                ex.counted if ex else None, ex.on_time if ex else None, ex.percent if ex else None,
                m.target_percent, m.national_average_percent, "Yes" if m.partial else "No",
            ])
    return Table("Monthly figures", header, rows)


def breakdown_table(title: str, heading: str, rows: Sequence[BreakdownRow]) -> Table:
    return Table(
        title, [heading, "Received", "On time", "Late", "% on time"],
        [[r.label, r.figure.counted, r.figure.on_time, r.figure.late, r.figure.percent] for r in rows],
    )


def workload_table(work: Workload) -> Table:
    rows: list[list[Cell]] = [["Overdue milestones", "All", work.overdue_total]]
    rows += [["Overdue milestones", c.label, c.count] for c in work.overdue]
    rows += [
        ["Open assessments", "All", work.open_assessments],
        ["Longest open assessment (weeks)", "", work.longest_open_assessment_weeks],
        ["Open assessments past 20 weeks", "", work.backlog],
        ["Plans with no review in the last 12 months", "", work.no_review],
    ]
    rows += [["Open cases by coordinator", c.name, c.open_cases] for c in work.caseload]
    return Table(f"Open work at {work.as_at.isoformat()}", ["Figure", "Detail", "Value"], rows)
