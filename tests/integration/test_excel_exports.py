"""Excel exports open ready to read: the header row frozen and carrying the autofilter, columns
as wide as their contents, dates as real dates shown dd/mm/yyyy, and the filters used (and when
and by whom the file was exported) written on the sheet above the table. The CSV stays the plain
table it always was."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from ehc_tracker.extensions import db
from ehc_tracker.models.case import CaseType
from ehc_tracker.services import exports
from tests.factories_reports import add_milestone, make_case
from tests.helpers import create_team, create_user

AS_AT = date(2025, 3, 15)
EXPORTED_AT = datetime(2025, 3, 15, 9, 41, tzinfo=UTC)  # 09:41 in London (GMT)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("ehc_tracker.reports.routes.today", lambda: AS_AT)
    monkeypatch.setattr("ehc_tracker.reports.routes.now", lambda: EXPORTED_AT)


@pytest.fixture
def north(app):
    return create_team(name="North Team")


@pytest.fixture
def cases(north):
    casey = create_user(role="coordinator", teams=[north], name="Casey Coordinator")
    long_name = make_case(
        team=north,
        coordinator=casey,
        first_name="Maximilian-Alexander",
        last_name="Fotheringham-Smythe",
        setting_name="Hill Primary",
    )
    add_milestone(long_name, "final_plan", due_on=date(2025, 2, 18))
    short = make_case(team=north, coordinator=casey, first_name="Al", last_name="Ng", case_type=CaseType.ANNUAL_REVIEW)
    add_milestone(short, "review_due", due_on=date(2025, 1, 31))
    add_milestone(short, "decision_to_assess", due_on=date(2025, 1, 20), met_on=date(2025, 1, 20))
    db.session.commit()
    return {"casey": casey, "long": long_name, "short": short}


def _book(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return load_workbook(io.BytesIO(response.data))


def _columns(sheet, header_row: int) -> dict[str, str]:
    """Heading text -> column letter."""
    return {cell.value: cell.column_letter for cell in sheet[header_row] if cell.value}


def test_overdue_workbook_is_ready_to_read(client, auth, north, cases):
    auth.login(role="manager", teams=[north], name="Mo Manager")
    response = client.get("/reports/overdue/export?format=xlsx&show=overdue&case_type=assessment&within=7")
    sheet = _book(response).active

    # The description above the table: what it is, the filters used, when and by whom.
    assert sheet["A1"].value == "Overdue and due soon" and sheet["A1"].font.bold
    filters = sheet["A2"].value
    assert filters.startswith(
        "Filters used: Coordinator: Everyone in my teams; Team: All my teams; Show: Overdue only;"
    )
    assert "Due soon means due within: 7 days" in filters and "Case type: EHC needs assessment" in filters
    assert (
        "Step: Any step" in filters
        and "As at: 15 March 2025" in filters
        and "Sorted by: most days overdue first" in filters
    )
    assert sheet["A3"].value == "Exported on 15/03/2025 at 09:41 by Mo Manager."
    assert sheet["A4"].value is None

    # The heading row (row 5) is frozen and carries the autofilter over every data row.
    assert sheet.freeze_panes == "A6"
    columns = _columns(sheet, 5)
    last = max(columns.values())
    assert sheet.auto_filter.ref == f"A5:{last}6"  # one row: the assessment's overdue final plan
    assert sheet["B6"].value == "Maximilian-Alexander Fotheringham-Smythe"
    assert all(cell.font.bold for cell in sheet[5] if cell.value)

    # Dates are real dates shown as dd/mm/yyyy.
    due = sheet[f"{columns['Due date']}6"]
    assert due.value == datetime(2025, 2, 18) and due.number_format == "dd/mm/yyyy"

    # Columns are as wide as what they hold: the long name sets its column; a short heading's
    # column is the heading's width (with room for the filter button), not a default.
    widths = {name: sheet.column_dimensions[letter].width for name, letter in columns.items()}
    assert widths["Child"] == len("Maximilian-Alexander Fotheringham-Smythe") + 1
    assert widths["Case number"] == len("Case number") + 3
    assert widths["Due date"] == len("Due date") + 3 and widths["Due date"] >= 10
    assert widths["Milestone key"] == len("Milestone key") + 3
    assert len(set(widths.values())) > 4


def test_viewers_workbook_says_names_are_left_out_and_keeps_the_header_frozen(client, auth, north, cases):
    auth.login(role="viewer", teams=[north], name="Val Viewer")
    sheet = _book(client.get("/reports/overdue/export?format=xlsx")).active
    assert sheet["A3"].value == "Exported on 15/03/2025 at 09:41 by Val Viewer."
    assert sheet["A4"].value == "Children’s names and settings are left out of this export."
    assert sheet.freeze_panes == "A7" and sheet["A6"].value == "Case number"
    assert sheet.auto_filter.ref.startswith("A6:") and sheet.auto_filter.ref.endswith("8")  # two overdue steps
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "Maximilian" not in text and "Hill Primary" not in text


def test_dashboard_workbook_every_sheet_described_frozen_and_filtered(client, auth, north, cases):
    auth.login(role="manager", teams=[north], name="Mo Manager")
    book = _book(client.get(f"/reports/dashboard/export?format=xlsx&months=3&team_id={north.id}"))
    assert book.sheetnames == [
        "Monthly figures",
        "Advice by type",
        "Advice by provider",
        "Open work at 2025-03-15",
        "Mediation and appeals",
        "Appeals by what is disputed",
        "Disputes summary",
        "Audits good or better",
        "Audits by team and person",
    ]
    for sheet in book.worksheets:
        assert sheet["A1"].value.startswith("Compliance figures")
        assert (
            sheet["A2"].value
            == "Filters used: Team: North Team; Months: 3 months, January 2025 to March 2025; As at: 15 March 2025."
        )
        assert sheet["A3"].value == "Exported on 15/03/2025 at 09:41 by Mo Manager."
        assert sheet.freeze_panes == "A6"
        assert sheet.auto_filter.ref.startswith("A5:")
    figures = book["Monthly figures"]
    assert figures["A1"].value == "Compliance figures: Monthly figures"
    assert figures.auto_filter.ref == "A5:M26"  # 3 months of 7 measures under the heading
    month = figures["C6"]
    assert figures["C5"].value == "Month" and month.value == datetime(2025, 1, 1) and month.number_format == "mmm yyyy"
    # The CSV of the same figures is the plain table, months written as before.
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/reports/dashboard/export?format=csv&months=3&team_id={north.id}").data.decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:3] == ["Measure", "Measure key", "Month"] and rows[1][2] == "2025-01" and len(rows) == 1 + 21


def test_csv_is_unchanged_by_the_workbook_description(client, auth, north, cases):
    auth.login(role="manager", teams=[north])
    text = client.get("/reports/overdue/export?format=csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Case number" and "Filters used" not in text and "Exported" not in text
    assert rows[1][rows[0].index("Due date")] == "2025-01-31"


def test_widths_have_bounds_and_an_empty_table_still_has_its_filter_row(app):
    table = exports.Table("Long", ["A", "Notes", "When"], [[1, "x" * 500, date(2025, 1, 2)], [22, "short", None]])
    about = exports.ExportAbout("=Report", [("Team", "Hill")], EXPORTED_AT, "Someone")
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes([table], about))).active
    assert sheet.column_dimensions["A"].width == exports.MIN_WIDTH  # "A" and "22" are narrow
    assert sheet.column_dimensions["B"].width == exports.MAX_WIDTH  # long text does not stretch forever
    assert sheet.column_dimensions["C"].width == 10 + 1
    assert sheet["A1"].value == "'=Report: Long"  # still text, never a formula
    assert sheet["C6"].number_format == "dd/mm/yyyy"
    empty = load_workbook(io.BytesIO(exports.xlsx_bytes([exports.Table("Empty", ["A", "B"], [])], about))).active
    assert empty.freeze_panes == "A6" and empty.auto_filter.ref == "A5:B5"
    # Without a description the heading is the first row, still frozen and filtered.
    plain = load_workbook(io.BytesIO(exports.xlsx_bytes([table]))).active
    assert plain["A1"].value == "A" and plain.freeze_panes == "A2" and plain.auto_filter.ref == "A1:C3"
