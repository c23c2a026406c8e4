"""The timeout warning in a real browser (WCAG 2.2.1), with an idle timeout of seconds: the warning
comes, is a modal dialog that holds the focus, and "Stay signed in" keeps the session; left alone,
the session ends, and signing in again returns to the form with what was typed offered back."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD, LiveServer, browser_missing_reason
from tests.e2e.data import COORDINATOR

TIMEOUT = 12  # seconds without a request before the session ends
WARNING = 8  # the warning comes this long before


@pytest.fixture(scope="module")
def short_timeout_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, int]]:
    """A server of its own (the shared one keeps the normal timeout), and the id of a case."""
    reason = browser_missing_reason()
    if reason:
        pytest.fail(f"Browser tests cannot run: {reason}")
    from flask_migrate import upgrade

    from ehc_tracker import create_app
    from ehc_tracker.extensions import db
    from ehc_tracker.models.case import Case
    from tests.e2e.data import build

    path = tmp_path_factory.mktemp("e2e-timeout") / "e2e.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "WTF_CSRF_ENABLED": True,
            "LOGIN_MAX_FAILURES": 50,
            "IDLE_TIMEOUT_SECONDS": TIMEOUT,
            "IDLE_WARNING_SECONDS": WARNING,
        }
    )
    with app.app_context():
        upgrade()
        build(password=PASSWORD)
        case_id = db.session.scalars(select(Case.id).order_by(Case.id)).first()
        db.session.remove()
    server = LiveServer(app)
    server.start()
    yield server, case_id
    server.stop()


@pytest.fixture
def timeout_page(browser: Any, short_timeout_server: tuple[LiveServer, int]) -> Iterator[Any]:
    server, _ = short_timeout_server
    context = browser.new_context(base_url=server.url, bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _sign_in(page: Any) -> None:
    page.fill("#email", COORDINATOR)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _form_url(short_timeout_server: tuple[LiveServer, int], step: str = "decided_not_to_assess") -> str:
    return f"/cases/{short_timeout_server[1]}/events/{step}"


def _use_today(page: Any) -> list[str]:
    """Press "Use today's date"; the boxes now hold the service's today (as typed: 9, not 09)."""
    page.get_by_role("button", name="Use today’s date").click()
    today = page.locator(".govuk-date-input").get_attribute("data-today")
    year, month, day = (str(int(part)) for part in today.split("-"))
    assert [page.input_value(f"#on-{p}") for p in ("day", "month", "year")] == [day, month, year]
    return [day, month, year]


def test_the_warning_comes_and_stay_signed_in_keeps_the_session(timeout_page: Any, short_timeout_server: Any) -> None:
    page = timeout_page
    page.goto("/sign-in")
    _sign_in(page)
    page.wait_for_url("**/")
    form_url = _form_url(short_timeout_server, "decided_to_assess")
    page.goto(form_url)
    opened = time.monotonic()
    # The "today" shortcut fills the date without sending the form; the on-time line answers
    # against the due date the page shows (17 February 2025: today is long after it).
    _use_today(page)
    assert page.url.endswith(form_url)
    line = page.locator("#on-time-check")
    assert line.get_attribute("aria-live") == "polite"
    assert "is late" in line.inner_text() and "days after the due date, 17 February 2025" in line.inner_text()
    page.fill("#on-year", "2025")
    page.fill("#on-month", "2")
    page.fill("#on-day", "10")
    assert line.inner_text() == "10 February 2025 is on time: 7 days before the due date, 17 February 2025."
    page.fill("#on-day", "")
    assert line.inner_text() == ""
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    dialog.wait_for(state="visible", timeout=(TIMEOUT - WARNING + 3) * 1000)
    assert time.monotonic() - opened >= TIMEOUT - WARNING - 1.5  # not before its time
    assert dialog.get_attribute("aria-modal") == "true"
    assert "we will sign you out in" in dialog.inner_text()
    assert page.evaluate("document.activeElement.id") == "app-timeout-dialog"
    assert_accessible(page)
    # The focus stays in the dialog: Tab goes round its two controls.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Stay signed in"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Sign out"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Stay signed in"
    # The countdown is live.
    first = page.locator("[data-timeout-countdown]").inner_text()
    page.wait_for_function(f"document.querySelector('[data-timeout-countdown]').textContent !== {json.dumps(first)}")

    with page.expect_response("**/session/keep-alive") as answer:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 200 and answer.value.json()["signed_in"] is True
    dialog.wait_for(state="hidden")
    # Focus goes back to the page, which is usable again.
    assert page.evaluate("document.activeElement === document.body || !document.activeElement.closest('[role=dialog]')")
    # Past the time the first page would have ended the session: still signed in.
    time.sleep(max(0.0, opened + TIMEOUT + 1 - time.monotonic()))
    assert page.url.endswith(form_url)
    response = page.context.request.get("/", max_redirects=0)
    assert response.status == 200

    # Escape is "stay signed in" too.
    dialog.wait_for(state="visible", timeout=(TIMEOUT + 2) * 1000)
    with page.expect_response("**/session/keep-alive") as answer:
        page.keyboard.press("Escape")
    assert answer.value.status == 200
    dialog.wait_for(state="hidden")


def test_after_the_timeout_signing_in_returns_to_the_form_with_the_typing_offered_back(
    timeout_page: Any, short_timeout_server: Any
) -> None:
    page = timeout_page
    page.goto("/sign-in")
    _sign_in(page)
    page.wait_for_url("**/")
    form_url = _form_url(short_timeout_server)
    page.goto(form_url)
    typed_date = _use_today(page)
    page.fill("#reason", "The evidence does not show needs the school cannot meet.")

    # Left alone: the warning, then the sign-in page, which will send us back.
    page.get_by_role("dialog").wait_for(state="visible", timeout=(TIMEOUT - WARNING + 3) * 1000)
    page.wait_for_url(re.compile(r"/sign-in\?next="), timeout=(WARNING + 5) * 1000)
    assert "signed out because you had not used the service" in page.content()
    assert "go back to the page you were on" in page.content()
    assert_accessible(page)
    kept = page.evaluate("JSON.stringify(sessionStorage)")
    assert "The evidence does not show" in kept and "csrf_token" not in kept

    _sign_in(page)
    page.wait_for_url(f"**{form_url}")
    # Offered back, not put back silently.
    banner = page.get_by_role("region", name="Important")
    banner.wait_for()
    assert "You had typed something on this page before you were signed out" in banner.inner_text()
    assert page.input_value("#reason") == ""
    assert_accessible(page)
    banner.get_by_role("button", name="Restore what you typed").click()
    assert page.input_value("#reason") == "The evidence does not show needs the school cannot meet."
    assert [page.input_value(f"#on-{p}") for p in ("day", "month", "year")] == typed_date
    assert banner.count() == 0
    assert page.evaluate("document.activeElement.id") in ("on-day", "reason")

    # Sent successfully: nothing is kept any longer, and nothing is offered again.
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".govuk-notification-banner--success")
    assert "Recorded: Decided not to assess" in page.locator(".govuk-notification-banner--success").inner_text()
    assert "ehc-typed:" not in page.evaluate("JSON.stringify(sessionStorage)")
