"""A coordinator carries a new assessment from request to final plan in a real browser, with the
mouse and then with the keyboard alone; every page visited is checked with axe-core."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD
from tests.e2e.data import COORDINATOR, KEYBOARD_COORDINATOR


def sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    assert_accessible(page)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    assert_accessible(page)


def fill_date(page: Any, field: str, on: date) -> None:
    page.fill(f"#{field}-day", str(on.day))
    page.fill(f"#{field}-month", str(on.month))
    page.fill(f"#{field}-year", str(on.year))


def click(page: Any, name: str) -> None:
    """Click a link or a button (GOV.UK link-buttons have the button role) by its name."""
    page.get_by_role("button", name=name).or_(page.get_by_role("link", name=name)).first.click()


def record(
    page: Any,
    button_or_link: str,
    on: date,
    fields: dict[str, str] | None = None,
    radios: dict[str, str] | None = None,
    *,
    check: bool = True,
) -> None:
    """Open a step from the case page, fill it in and save it (checking each page unless `check` is off)."""
    click(page, button_or_link)
    if check:
        assert_accessible(page)
    fill_date(page, "on", on)
    for name, value in (fields or {}).items():
        page.fill(f"#{name}", value)
    for legend, label in (radios or {}).items():
        page.get_by_role("group", name=legend).get_by_label(label).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".govuk-notification-banner--success")
    if check:
        assert_accessible(page)


def open_new_child_and_case(page: Any, first: str, last: str, *, check: bool = True) -> None:
    ok = assert_accessible if check else (lambda page: None)
    page.get_by_role("link", name="Children").click()
    ok(page)
    click(page, "Add a child or young person")
    ok(page)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    fill_date(page, "date_of_birth", date(2015, 5, 1))
    page.get_by_role("button", name="Add child or young person").click()
    page.wait_for_selector(f"h1:has-text('{first} {last}')")
    ok(page)
    click(page, "Record a request for assessment")
    ok(page)
    fill_date(page, "received_on", date(2025, 1, 6))
    page.get_by_label("Parent or carer").check()
    page.get_by_role("button", name="Open case").click()
    page.wait_for_selector("text=Case opened. The final plan is due by 26 May 2025.")
    ok(page)


def test_coordinator_runs_an_assessment_to_the_final_plan(page: Any) -> None:
    sign_in(page, COORDINATOR)
    open_new_child_and_case(page, "Amara", "Journey")
    final = page.locator('tr[data-milestone="final_plan"]')
    assert final.get_attribute("data-status") in ("overdue", "not_due", "due_soon")

    record(page, "Record: Decided to assess", date(2025, 2, 10))
    assert page.locator('tr[data-milestone="decision_to_assess"]').get_attribute("data-status") == "met_on_time"
    # Advice: one date and a row per piece of advice; the second row is the educational psychologist's.
    click(page, "Record: Advice requested")
    assert_accessible(page)
    fill_date(page, "on", date(2025, 2, 11))
    page.fill("#rows-1-provider", "Educational Psychology Service")
    page.get_by_role("button", name="Request advice").click()
    page.wait_for_selector(".govuk-notification-banner--success")
    assert_accessible(page)
    assert (
        page.locator('tr[data-milestone="advice_due"] td').first.inner_text()
        == "Educational psychology advice — Educational Psychology Service"
    )
    record(
        page,
        "Record: Advice received",
        date(2025, 3, 20),
        radios={
            "Which advice": "Educational psychology advice — Educational Psychology Service, due 25 March 2025 (requested 11 February 2025)"
        },
    )
    record(page, "Record: Decided to issue a plan", date(2025, 3, 31))
    record(page, "Record: Draft plan issued", date(2025, 4, 7))
    assert page.locator('tr[data-milestone="representations_close"]').count() == 1
    # With the draft out, the next step is to consult the school, then record its answer.
    record(page, "Record: School or college consulted", date(2025, 4, 8), {"setting_name": "Hill Primary School"})
    record(
        page,
        "Record: School or college responded",
        date(2025, 4, 22),
        radios={
            "Which school or college": "Hill Primary School (consulted 8 April 2025)",
            "Response": "Agreed to be named",
        },
    )
    click(page, "Record: Final plan issued")
    assert page.input_value("#named_settings") == "Hill Primary School"  # the setting that agreed, offered
    page.go_back()
    record(page, "Record: Final plan issued", date(2025, 5, 20))
    assert page.locator('tr[data-milestone="final_plan"]').get_attribute("data-status") == "met_on_time"
    assert page.get_by_text("Final plan issued on 20 May 2025").count() >= 1


def test_validation_error_shows_the_summary_and_keeps_the_typing(page: Any) -> None:
    sign_in(page, COORDINATOR)
    open_new_child_and_case(page, "Bella", "Mistake")
    click(page, "Record: Decided to assess")
    fill_date(page, "on", date(2024, 12, 30))
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "cannot be before the request was received (6 January 2025)" in summary.inner_text()
    assert page.input_value("#on-day") == "30" and page.input_value("#on-year") == "2024"
    assert page.title().startswith("Error:")
    assert_accessible(page)
    # The summary's link takes the person to the field.
    summary.get_by_role("link").first.click()


def _tab_to(page: Any, text: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element's text (or label) contains `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; if (!e) return '';"
            " const label = e.labels && e.labels.length ? e.labels[0].innerText : '';"
            " return (e.innerText || e.value || '') + ' ' + label + ' ' + (e.getAttribute('aria-label') || ''); }"
        )
        if text in focused:
            return
    raise AssertionError(f"could not reach {text!r} with the Tab key")


def _type_date(page: Any, on: date) -> None:
    page.keyboard.type(str(on.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(on.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(on.year))


def _keyboard_step(page: Any, link: str, on: date) -> None:
    _tab_to(page, link)
    page.keyboard.press("Enter")
    page.wait_for_selector("#on-day")
    assert_accessible(page)
    _tab_to(page, "Day")
    _type_date(page, on)
    _tab_to(page, "Save")
    page.keyboard.press("Enter")
    page.wait_for_selector(".govuk-notification-banner--success")


def test_the_same_journey_with_the_keyboard_alone(page: Any) -> None:
    page.goto("/sign-in")
    _tab_to(page, "Email address")
    page.keyboard.type(KEYBOARD_COORDINATOR)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    _tab_to(page, "Children")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1")
    _tab_to(page, "Add a child or young person")
    page.keyboard.press("Enter")
    page.wait_for_selector("#first_name")
    _tab_to(page, "First name")
    page.keyboard.type("Kit")
    page.keyboard.press("Tab")
    page.keyboard.type("Keys")
    _tab_to(page, "Day")
    _type_date(page, date(2015, 5, 1))
    _tab_to(page, "Add child or young person")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Kit Keys')")
    _tab_to(page, "Record a request for assessment")
    page.keyboard.press("Enter")
    page.wait_for_selector("#received_on-day")
    _tab_to(page, "Day")
    _type_date(page, date(2025, 1, 6))
    _tab_to(page, "Parent or carer")
    page.keyboard.press("Space")
    _tab_to(page, "Open case")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Case opened.")
    _keyboard_step(page, "Record: Decided to assess", date(2025, 2, 10))
    assert page.locator('tr[data-milestone="decision_to_assess"]').get_attribute("data-status") == "met_on_time"
    # Focus is always visible: the focused element gets the GOV.UK yellow focus style.
    _tab_to(page, "Record another step")
    colour = page.evaluate("() => getComputedStyle(document.activeElement).backgroundColor")
    assert colour in ("rgb(255, 221, 0)", "rgba(255, 221, 0, 1)")


def test_core_journey_works_without_javascript(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/sign-in")
        page.fill("#email", COORDINATOR)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        # axe-core needs JavaScript, so these pages are checked by the other journeys.
        open_new_child_and_case(page, "Nora", "Script", check=False)
        record(page, "Record: Decided to assess", date(2025, 2, 10), check=False)
        assert page.locator('tr[data-milestone="decision_to_assess"]').get_attribute("data-status") == "met_on_time"
    finally:
        context.close()
