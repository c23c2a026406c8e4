"""A manager checks the SEN2 return and makes the whole authority's file in the background, in a
real browser with axe-core checks on every page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from tests.e2e.axe import assert_accessible
from tests.e2e.data import MANAGER
from tests.e2e.test_coordinator_journeys import sign_in


def test_manager_checks_the_return_and_makes_the_whole_file(page: Any, tmp_path: Any) -> None:
    sign_in(page, MANAGER)
    page.get_by_role("link", name="SEN2 return").first.click()
    page.wait_for_selector("h1:has-text('SEN2 return')")
    assert_accessible(page)
    page.get_by_role("button", name="Check the return").click()
    page.wait_for_selector("h2:has-text('Census date')")
    assert_accessible(page)
    assert page.get_by_text("Schema errors").count() >= 1

    page.get_by_role("button", name="Make the whole authority's return").click()
    page.wait_for_selector("h1:has-text('SEN2 return for the whole authority')")
    assert_accessible(page)
    # The background run finishes and the page, refreshing itself, says so.
    page.wait_for_selector("text=The return is ready", timeout=60_000)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the XML file").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert ET.parse(path).getroot().tag == "Message"
