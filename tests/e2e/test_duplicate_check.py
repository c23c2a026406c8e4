"""Adding a child who already has a record: the "Is this the same child?" page, in Chromium
with axe, and finding the child again by a misspelt "Surname, First"."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.e2e.axe import assert_accessible
from tests.e2e.data import COORDINATOR
from tests.e2e.test_coordinator_journeys import click, fill_date, sign_in


def _add(page: Any, first: str, last: str, born: date) -> None:
    page.goto("/children/new")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    fill_date(page, "date_of_birth", born)
    page.get_by_label("Current school or setting (optional)").fill("Hill Primary")
    page.get_by_role("button", name="Add child or young person").click()


def test_a_near_match_is_shown_and_a_different_child_can_still_be_added(page: Any) -> None:
    sign_in(page, COORDINATOR)
    born = date(2014, 2, 2)
    _add(page, "Tobias", "Twicechecked", born)
    page.wait_for_selector("h1:has-text('Tobias Twicechecked')")

    _add(page, "Toby", "Twicechecked", born)
    page.wait_for_selector("h1:has-text('Is this the same child?')")
    assert_accessible(page)
    row = page.locator("#possible-duplicates tbody tr")
    assert row.count() == 1
    assert "Toby and Tobias are forms of the same name" in row.inner_text()

    click(page, "Change the details")  # back to the form, the typing kept
    page.wait_for_selector("h1:has-text('Add a child or young person')")
    assert page.get_by_label("First name").input_value() == "Toby"
    assert page.get_by_label("Current school or setting (optional)").input_value() == "Hill Primary"
    page.get_by_role("button", name="Add child or young person").click()
    page.wait_for_selector("h1:has-text('Is this the same child?')")
    click(page, "No, add a new child")
    page.wait_for_selector("h1:has-text('Toby Twicechecked')")
    assert_accessible(page)

    page.goto("/children/?q=Twicechekced%2C+Tobias")
    assert_accessible(page)
    assert page.locator("table a", has_text="Twicechecked, Tobias").count() == 1
