"""The reports as files: CSV (streamed, for long lists) and Excel workbooks (openpyxl).

A cell a person typed could start with "=", "+", "-" or "@", which a spreadsheet would run as a
formula; such text is written with a leading apostrophe in both formats. Viewers' files leave
out every column that identifies a child (name and setting): the tables here take
`with_names` and drop those columns, rather than leaving them empty.

A workbook is made to be read as it opens: each sheet says above its table what it is, the
filters it was made with, and when and by whom it was exported (`ExportAbout`); the heading row
stays in view (frozen panes) and carries the filter buttons; columns are as wide as what they
hold; dates are real dates shown dd/mm/yyyy, so they sort and filter as dates. The CSV is the
plain table, unchanged, for other systems to read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from .clock import local_zone
from .reports import FIGURE_TITLES, MONTHLY_FIGURES, BreakdownRow, DisputeFigures, MeasureSeries, MilestoneRow, Workload
from .reports.quality import QualityFigures

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd/mm/yyyy"
MONTH_FORMAT = "mmm yyyy"
# Column widths, in characters: at least a short heading's, at most a long sentence's (longer
# text stays whole in the cell; the column does not grow without end).
MIN_WIDTH = 6
MAX_WIDTH = 60


class MonthStart(date):
    """The first of a month standing for the whole month: "2025-02" in a CSV (as the figures
    have always been written), a real date shown "Feb 2025" in Excel."""

    @classmethod
    def of(cls, on: date) -> MonthStart:
        return cls(on.year, on.month, 1)


Cell = str | int | float | Decimal | date | None


@dataclass
class Table:
    """One sheet: a title, its column headings and its rows (which may be a generator)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]


@dataclass(frozen=True)
class ExportAbout:
    """What a workbook says about itself above each table: the report, the filters it was made
    with (label and value, as the page shows them), and when and by whom it was exported."""

    report: str
    filters: Sequence[tuple[str, str]]
    exported_at: datetime
    exported_by: str
    notes: Sequence[str] = field(default_factory=tuple)

    def lines(self, table_title: str) -> list[str]:
        title = self.report if table_title == self.report else f"{self.report}: {table_title}"
        when = self.exported_at.astimezone(local_zone())
        found = [title]
        if self.filters:
            found.append("Filters used: " + "; ".join(f"{label}: {value}" for label, value in self.filters) + ".")
        found.append(f"Exported on {when:%d/%m/%Y} at {when:%H:%M} by {self.exported_by}.")
        found += list(self.notes)
        return found


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_value(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, MonthStart):
        return value.strftime("%Y-%m")
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


def _shown_width(value: Cell) -> int:
    """About how many characters Excel shows for a value, in the formats used here."""
    if value is None:
        return 0
    if isinstance(value, MonthStart):
        return 8  # "Feb 2025"
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10  # 31/12/2025
    if isinstance(value, float | Decimal):
        return len(f"{float(value):g}")
    text = safe_text(value) if isinstance(value, str) else str(value)
    return max((len(part) for part in text.splitlines()), default=0)


def column_widths(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[float]:
    """Each column as wide as its widest heading or value, plus room for the filter button."""
    widths = [_shown_width(h) + 3 for h in header]  # the heading's filter button takes about 3
    for row in rows:
        for n, value in enumerate(row[: len(widths)]):
            widths[n] = max(widths[n], _shown_width(value) + 1)
    return [float(min(max(w, MIN_WIDTH), MAX_WIDTH)) for w in widths]


def _cell(sheet: object, value: Cell) -> object:
    out = WriteOnlyCell(sheet, value=_xlsx_value(value))
    if isinstance(value, MonthStart):
        out.number_format = MONTH_FORMAT
    elif isinstance(value, datetime):
        out.number_format = DATE_FORMAT + " hh:mm"
    elif isinstance(value, date):
        out.number_format = DATE_FORMAT
    return out


def xlsx_bytes(tables: Sequence[Table], about: ExportAbout | None = None) -> bytes:
    """A workbook with one sheet per table (write-only mode: cells are not kept twice).

    With `about`, each sheet starts with its description (a line each, then a blank line) and
    the table's heading row follows; without it the heading is the first row. Either way the
    heading row is frozen and carries the autofilter over every data row.
    """
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(title=table.title[:31])
        rows = [list(r) for r in table.rows]
        header = list(table.header)
        preamble = about.lines(table.title) + [""] if about is not None else []
        header_row = len(preamble) + 1
        for n, width in enumerate(column_widths(header, rows), start=1):
            sheet.column_dimensions[get_column_letter(n)].width = width
        last_column = get_column_letter(max(len(header), 1))
        sheet.freeze_panes = f"A{header_row + 1}"
        sheet.auto_filter.ref = f"A{header_row}:{last_column}{header_row + len(rows)}"
        for n, line in enumerate(preamble):
            if n == 0:
                title = WriteOnlyCell(sheet, value=safe_text(line))
                title.font = bold
                sheet.append([title])
            else:
                sheet.append([safe_text(line)] if line else [])
        heading = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            heading.append(cell)
        sheet.append(heading)
        for row in rows:
            sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- The overdue list ---------------------------------------------------------------------------


def overdue_table(rows: Iterable[MilestoneRow], *, with_names: bool) -> Table:
    header = ["Case number"]
    if with_names:
        header += ["Child", "Primary need", "Setting"]
    header += [
        "Team",
        "Coordinator",
        "Case type",
        "Milestone",
        "Milestone key",
        "Due date",
        "Status",
        "Days overdue",
        "Days left",
        "Exception applies",
    ]

    def lines() -> Iterator[list[Cell]]:
        for r in rows:
            line: list[Cell] = [r.case_id]
            if with_names:
                line += [r.child_name, r.primary_need.value if r.primary_need else None, r.setting_name]
            line += [
                r.team_name,
                r.coordinator_name or "Not assigned",
                r.case_type.label,
                r.label,
                r.key,
                r.due_on,
                "Overdue" if r.days_late is not None else "Due soon",
                r.days_late,
                r.days_remaining,
                "Yes" if r.exception_applies else "No",
            ]
            yield line

    return Table("Overdue and due soon", header, lines())


# --- The monthly figures ------------------------------------------------------------------------


def figures_table(series: Sequence[MeasureSeries]) -> Table:
    header = [
        "Measure",
        "Measure key",
        "Month",
        "Counted",
        "On time",
        "Late",
        "% on time",
        "Counted excluding exceptions",
        "On time excluding exceptions",
        "% on time excluding exceptions",
        "Target %",
        "National average %",
        "Part month",
    ]
    rows: list[list[Cell]] = []
    for s in series:
        for m in s.months:
            ex = m.excluding
            rows.append(
                [
                    s.measure.title,
                    s.measure.key,
                    MonthStart.of(m.month_on),
                    m.including.counted,
                    m.including.on_time,
                    m.including.late,
                    m.including.percent,
                    ex.counted if ex else None,
                    ex.on_time if ex else None,
                    ex.percent if ex else None,
                    m.target_percent,
                    m.national_average_percent,
                    "Yes" if m.partial else "No",
                ]
            )
    return Table("Monthly figures", header, rows)


def breakdown_table(title: str, heading: str, rows: Sequence[BreakdownRow]) -> Table:
    return Table(
        title,
        [heading, "Received", "On time", "Late", "% on time"],
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


def disputes_tables(figures: DisputeFigures) -> list[Table]:
    """Mediation and appeals: by month, by what is disputed, and the period's summary with how
    appeals ended."""
    by_month = Table(
        "Mediation and appeals",
        ["Month", *(FIGURE_TITLES[f] for f in MONTHLY_FIGURES), "Part month"],
        [
            [MonthStart.of(m.month_on), *(m.counts[f] for f in MONTHLY_FIGURES), "Yes" if m.partial else "No"]
            for m in figures.months
        ],
    )
    by_type = Table(
        "Appeals by what is disputed",
        ["What is disputed", "Registered", "Decided or not opposed", "Upheld at a hearing", "Conceded or not opposed"],
        [[r.label, r.registered, r.decided, r.upheld, r.conceded] for r in figures.by_type],
    )
    summary: list[list[Cell]] = [
        ["Appeals registered", figures.total("appeal_registered")],
        ["EHC plans maintained at the as-at date", figures.plans_maintained],
        ["Appeals per 1,000 plans", figures.appeals_per_thousand_plans],
        ["Appeals decided at a hearing", figures.decided_at_hearing],
        ["Upheld in full or in part at a hearing", figures.upheld_at_hearing],
        ["% upheld at a hearing", figures.upheld_percent],
        ["Families who went to a mediation adviser", figures.mediation_advice],
        ["Of them, asked for mediation", figures.mediation_taken_up],
        ["% mediation taken up", figures.taken_up_percent],
    ]
    summary += [[f"Appeals ended: {r.label.lower()}", r.count] for r in figures.by_outcome]
    return [by_month, by_type, Table("Disputes summary", ["Figure", "Value"], summary)]


def complaints_table(complaints: Iterable[Any], *, today: date) -> Table:
    """The complaints list as the managers filtered it (children's names: managers only read it)."""

    def rows() -> Iterator[list[Cell]]:
        for c in complaints:
            yield [
                c.id,
                c.child.full_name,
                c.case_id,
                c.team.name,
                c.stage.label,
                c.category.label,
                c.received_on,
                c.response_due_on,
                c.responded_on,
                "Overdue" if c.is_overdue(today) else ("Open" if c.is_open else "Responded"),
                c.outcome.label if c.outcome else None,
                c.summary,
                c.lessons,
            ]

    header = [
        "Complaint number",
        "Child",
        "Case number",
        "Team",
        "Stage",
        "Category",
        "Received",
        "Response due",
        "Responded",
        "Status",
        "Outcome",
        "Complaint",
        "Lessons learned",
    ]
    return Table("Complaints", header, rows())


def quality_tables(figures: QualityFigures) -> list[Table]:
    """Audits rated good or better: by month against the target, and by team, coordinator and provider."""
    by_month = Table(
        "Audits good or better",
        ["Month", "Audits completed", "Good or better", "% good or better", "Target %"],
        [
            [MonthStart.of(m.month_on), m.figure.audited, m.figure.good, m.figure.percent, m.target_percent]
            for m in figures.months
        ],
    )
    rows: list[list[Cell]] = [
        [heading, r.label, r.figure.audited, r.figure.good, r.figure.percent]
        for heading, found in (
            ("Team", figures.by_team),
            ("Coordinator", figures.by_coordinator),
            ("Advice provider", figures.by_provider),
        )
        for r in found
    ]
    return [by_month, Table("Audits by team and person", ["By", "Who", "Audits", "Good or better", "%"], rows)]
