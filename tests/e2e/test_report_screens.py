"""The manager's report screens in a real browser at 1280 px: the overdue list starts near the top
with its filters folded away (and a keyboard reaches the first row in a few Tabs), the dashboard's
headline figures are above the fold, and the targets grid saves a year in one go. Screenshots at
1280 and 375 px are saved in test-artifacts/ for a person to look at."""

from __future__ import annotations

from typing import Any

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.data import MANAGER
from tests.e2e.test_coordinator_journeys import sign_in

FOLD = 800  # a 1280 x 800 laptop screen


def _screenshots(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-1280.png"))
    page.set_viewport_size({"width": 375, "height": 800})
    # The page never scrolls sideways (tables scroll in their own box); give the reflow a moment.
    page.wait_for_function("document.documentElement.scrollWidth <= 375", timeout=5000)
    page.screenshot(path=str(ARTIFACTS / f"{name}-375.png"))  # the first screen
    page.screenshot(path=str(ARTIFACTS / f"{name}-375-full.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": FOLD})


def test_overdue_list_comes_first_and_the_filters_fold_away(page: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": FOLD})
    sign_in(page, MANAGER)
    page.goto("/reports/overdue")
    assert_accessible(page)
    first_row = page.locator("tr[data-row=milestone]").first
    box = first_row.bounding_box()
    assert box is not None and box["y"] + box["height"] < 600, box  # was about 1,120 px down
    # The filters are folded away behind "Filter", and their fields cannot be tabbed to.
    assert page.locator("details[data-module=govuk-details]").get_attribute("open") is None
    assert not page.get_by_label("Coordinator").is_visible()
    # A keyboard user reaches the first row's link in a handful of Tabs (was about 20).
    first_link = first_row.locator("a").first
    page.locator("h1").click()
    for tabs in range(1, 15):
        page.keyboard.press("Tab")
        if first_link.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the first row's link was not reached in 14 Tabs")
    assert tabs <= 10, tabs
    _screenshots(page, "overdue")

    # Opening "Filter" shows the form; applying a filter keeps it open with a summary and a way to clear it.
    page.locator("details[data-module=govuk-details] summary").click()
    page.get_by_label("Coordinator").select_option(label="Olly Other")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert_accessible(page)
    summary = page.locator("[data-filter-summary]")
    assert "Coordinator: Olly Other" in summary.inner_text()
    assert page.locator("details[data-module=govuk-details]").get_attribute("open") is not None
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_load_state()
    assert "No filters applied" in page.locator("[data-filter-summary]").inner_text()


def test_dashboard_headline_is_above_the_fold(page: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": FOLD})
    sign_in(page, MANAGER)
    page.goto("/reports/dashboard")
    assert_accessible(page)
    cards = page.locator("[data-headline]")
    assert cards.count() == 3
    for n in range(3):
        box = cards.nth(n).bounding_box()
        assert box is not None and box["y"] + box["height"] <= FOLD, (n, box)
    assert "National average 46.4%" in page.locator("[data-headline-references]").inner_text()
    assert page.locator("details[data-module=govuk-details]").first.get_attribute("open") is None
    _screenshots(page, "dashboard")


def test_targets_grid_saves_a_year(page: Any) -> None:
    sign_in(page, MANAGER)
    page.goto("/reports/targets")
    assert_accessible(page)
    page.fill("#target_01", "150")
    page.fill("#target_02", "60")
    page.get_by_role("button", name="Save targets for").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
    assert page.input_value("#target_01") == "150" and page.input_value("#target_02") == "60"
    page.fill("#target_01", "55")
    page.get_by_role("button", name="Save targets for").click()
    page.wait_for_selector(".govuk-notification-banner--success")
    assert "2 months set or changed" in page.locator(".govuk-notification-banner--success").inner_text()
    assert_accessible(page)
