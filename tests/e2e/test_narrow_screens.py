"""At 375 px the pages people live in never scroll sideways: wide tables scroll inside their own
region (hidden text in a table included), for a coordinator and a manager."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import PASSWORD
from tests.e2e.data import COORDINATOR, MANAGER

PAGES = {
    COORDINATOR: ["/", "/cases/", "/cases/?coordinator_id=", "/reports/overdue", "/children/"],
    MANAGER: ["/", "/cases/", "/reports/overdue", "/reports/dashboard", "/reports/targets", "/cases/reassign-many"],
}


@pytest.mark.parametrize("email", [COORDINATOR, MANAGER])
def test_no_page_scrolls_sideways_at_375_px(browser: Any, live_server: Any, email: str) -> None:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        page.goto("/sign-in")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        for path in PAGES[email]:
            page.goto(path)
            page.wait_for_load_state("load")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 376, f"{path} is {width} px wide at 375 px"
        # And one case page, with its timeline table.
        page.goto("/cases/")
        page.locator("table a").first.click()
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 376, page.url
    finally:
        context.close()
