"""A manager works through the overdue list, approves an exception, reads the dashboard and
downloads the Excel export, in a real browser with axe-core checks on every page."""

from __future__ import annotations

from typing import Any

from openpyxl import load_workbook

from tests.e2e.axe import assert_accessible
from tests.e2e.data import MANAGER
from tests.e2e.test_coordinator_journeys import click, sign_in


def test_manager_overdue_exception_dashboard_and_export(page: Any, tmp_path: Any) -> None:
    sign_in(page, MANAGER)
    page.get_by_role("link", name="Overdue").first.click()
    page.wait_for_selector("h1")
    assert_accessible(page)
    assert page.get_by_role("link", name="Sami Waiting").count() >= 1
    assert page.get_by_role("link", name="Ruby Overdue").count() >= 1

    page.locator("details[data-module=govuk-details] summary").click()  # the filters fold away behind "Filter"
    page.get_by_label("Coordinator").select_option(label="Olly Other")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.get_by_role("link", name="Ruby Overdue").count() == 0
    page.get_by_role("link", name="Sami Waiting").first.click()
    page.wait_for_selector("h1:has-text('EHC needs assessment')")
    assert_accessible(page)

    click(page, "Approve or reject this exception")
    assert_accessible(page)
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_selector("text=Exception approved.")
    assert page.get_by_text("exception applies").count() >= 1
    assert_accessible(page)

    page.get_by_role("link", name="Dashboard").first.click()
    page.wait_for_selector("h1")
    assert_accessible(page)
    assert page.locator("svg[role=img]").count() >= 1
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").first.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"
    workbook = load_workbook(path)
    assert workbook.sheetnames
    assert any(row for row in workbook[workbook.sheetnames[0]].iter_rows(values_only=True))
