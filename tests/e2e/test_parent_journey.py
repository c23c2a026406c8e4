"""A parent is invited by the coordinator, creates an account, follows the case, sends a
message and reads the reply, signing in with the emailed code; axe-core checks every page."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from ehc_tracker.services.clock import today
from tests.e2e.axe import assert_accessible
from tests.e2e.data import COORDINATOR, PARENT_EMAIL
from tests.e2e.test_coordinator_journeys import click, fill_date, sign_in

PARENT_PASSWORD = "paper lantern orchard"


def _invitation_link(app: Any) -> str:
    from ehc_tracker.extensions import db
    from ehc_tracker.models.alerts import OutboxMessage

    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.to_address == PARENT_EMAIL))
        db.session.remove()
    assert body, "no invitation email in the outbox"
    found = re.search(r"/family/invitation/[A-Za-z0-9_-]+", body)
    assert found
    return found.group(0)


def _sign_in_with_code(page: Any, app: Any) -> None:
    page.goto("/sign-in")
    page.fill("#email", PARENT_EMAIL)
    page.fill("#password", PARENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1:has-text('Check your email')")
    assert_accessible(page)
    mail = app.extensions["ehc_memory_mail"].sent[-1]
    assert mail.to == PARENT_EMAIL
    code = re.search(r"\b(\d{6})\b", mail.text)
    assert code
    page.get_by_label("Sign-in code").fill(code.group(1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("text=Your coordinator is")


def test_parent_follows_the_case_and_messages_the_coordinator(page: Any, live_server: Any) -> None:
    app = live_server.app
    # The coordinator invites the parent from the case.
    sign_in(page, COORDINATOR)
    page.get_by_role("link", name="Cases").first.click()
    page.get_by_role("link", name="Ruby Overdue").first.click()
    page.wait_for_selector("h1:has-text('EHC needs assessment')")
    click(page, "Invite the family or see who has access")
    page.wait_for_selector("h1:has-text('Invite the family')")
    assert_accessible(page)
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
    page.get_by_label("Their name").fill("Robin Overdue")
    page.get_by_label("Their email address").fill(PARENT_EMAIL)
    page.get_by_label("Parent or carer").check()
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_selector(f"text=Invitation sent to {PARENT_EMAIL}")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # The parent opens the link from the email and sets a password.
    page.goto(_invitation_link(app))
    page.wait_for_selector("h1")
    assert_accessible(page)
    page.get_by_label("Create a password").fill(PARENT_PASSWORD)
    page.get_by_label("Type your password again").fill(PARENT_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_selector("text=Your account is ready")
    assert_accessible(page)
    assert page.get_by_text("Your coordinator is").count() == 1
    assert page.get_by_text("Casey Browser").count() >= 1
    assert page.locator(".govuk-task-list__item").count() >= 3
    assert page.get_by_text("Late").count() >= 1  # the assessment started in January 2025 is overdue
    # The navigation offers the family nothing of the staff pages.
    assert page.get_by_role("link", name="Children").count() == 0

    page.get_by_role("button", name="Send message").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
    page.get_by_label("Your message").fill("Could you tell me when the plan will be ready?")
    page.get_by_role("button", name="Send message").click()
    page.wait_for_selector("text=Your message has been sent")
    assert page.get_by_text("Waiting for a reply").count() == 1
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # The coordinator sees the message in the communications log and replies.
    sign_in(page, COORDINATOR)
    page.get_by_role("link", name="Cases").first.click()
    page.get_by_role("link", name="Ruby Overdue").first.click()
    page.wait_for_selector("text=Could you tell me when the plan will be ready?")
    page.get_by_role("link", name=re.compile("Record response")).first.click()
    page.wait_for_selector("h1")
    fill_date(page, "responded_on", today())
    page.get_by_label("Response (optional)").fill("The final plan will be sent by the end of the month.")
    page.get_by_role("group", name="How the reply was sent").get_by_label("Through the service").check()
    page.get_by_role("button", name="Record response").click()
    page.wait_for_selector("h1:has-text('EHC needs assessment')")
    page.get_by_role("button", name="Sign out").click()

    # The parent signs in with the emailed code and reads the reply.
    _sign_in_with_code(page, app)
    assert_accessible(page)
    assert page.get_by_text("The final plan will be sent by the end of the month.").count() == 1
    # Staff pages are closed to them.
    response = page.goto("/cases")
    assert response is not None and response.status == 403
    assert page.get_by_text("Sami Waiting").count() == 0
