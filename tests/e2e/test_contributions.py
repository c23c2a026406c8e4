"""Contributions straight into the case, in the browser: a professional from the emailed link to
the submitted advice; a parent giving views and representations before the deadline, and the
closed form after it. axe-core checks every page."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ehc_tracker.services.clock import today
from tests.documents_support import PDF_BYTES
from tests.e2e.axe import assert_accessible
from tests.e2e.data import COORDINATOR
from tests.e2e.test_coordinator_journeys import click, sign_in

PROFESSIONAL_EMAIL = "e2e.therapist@nhs.example"
PROFESSIONAL_PASSWORD = "speech report lantern"
FAMILY_PASSWORD = "three random words here"


def _in_app(app: Any, make: Any) -> Any:
    from ehc_tracker.extensions import db

    with app.app_context():
        try:
            return make()
        finally:
            db.session.remove()


def _advice_case(app: Any, *, provider_name: str, first_name: str) -> dict[str, int]:
    def make() -> dict[str, int]:
        from ehc_tracker.extensions import db
        from ehc_tracker.models import DocumentKind, User
        from ehc_tracker.services import documents as document_service
        from tests.factories_contributions import advice_case, provider

        coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
        case, advice = advice_case(provider(provider_name), coordinator=coordinator, first_name=first_name)
        upload = document_service.check_upload(io.BytesIO(PDF_BYTES), "views.pdf")
        document_service.add_document(
            case.child,
            upload,
            document_service.DocumentDetails(
                kind=DocumentKind.CORRESPONDENCE, title="The family's views", dated_on=today(), supplied_by="Parent"
            ),
            case=case,
            actor=coordinator,
            now=datetime.now(UTC),
            today=today(),
        )
        upload.close()
        db.session.commit()
        return {"case_id": case.id, "advice_id": advice.id}

    return _in_app(app, make)


def _link_to(app: Any, email: str) -> str:
    def find() -> str:
        from ehc_tracker.extensions import db
        from ehc_tracker.models.alerts import OutboxMessage

        body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.to_address == email))
        assert body, "no invitation email in the outbox"
        found = re.search(r"/provider/invitation/[A-Za-z0-9_-]+", body)
        assert found
        return found.group(0)

    return _in_app(app, find)


def test_a_professional_goes_from_the_emailed_link_to_submitted_advice(page: Any, live_server: Any) -> None:
    app = live_server.app
    ids = _advice_case(app, provider_name="E2E Speech Therapy Service", first_name="Pippa")

    # The coordinator asks a professional of the provider, attaching the family's views.
    sign_in(page, COORDINATOR)
    page.goto(f"/cases/{ids['case_id']}")
    click(page, "Ask a professional for the advice from E2E Speech Therapy Service")
    page.wait_for_selector("h1:has-text('Ask a professional to return this advice')")
    assert_accessible(page)
    page.get_by_label("Their name").fill("Sam Therapist")
    page.get_by_label("Their work email address").fill(PROFESSIONAL_EMAIL)
    page.get_by_label("What are you asking them?").fill("How does Pippa communicate, and what help does she need?")
    page.get_by_label("The family's views").check()
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_selector(f"text=the request was sent to {PROFESSIONAL_EMAIL}")
    assert page.get_by_text("Waiting").count() >= 1
    page.get_by_role("button", name="Sign out").click()

    # The professional opens the link, creates the account and sees only their request.
    link = _link_to(app, PROFESSIONAL_EMAIL)
    page.goto(link)
    page.wait_for_selector("h1:has-text('Return advice for an EHC needs assessment')")
    assert_accessible(page)
    page.get_by_label("Create a password").fill(PROFESSIONAL_PASSWORD)
    page.get_by_label("Type your password again").fill(PROFESSIONAL_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_selector("h1:has-text('Advice requests')")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Pippa")).click()
    page.wait_for_selector("h1:has-text('advice for Pippa')")
    assert_accessible(page)
    assert page.get_by_text("How does Pippa communicate").count() == 1
    assert page.get_by_role("link", name="The family's views").count() == 1
    with page.expect_download() as download:
        page.get_by_role("link", name="The family's views").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # They return the advice: the report and the short summary.
    click(page, "Return your advice")
    page.wait_for_selector("h1:has-text('Return your advice')")
    assert_accessible(page)
    page.get_by_role("button", name="Submit the advice").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
    page.set_input_files("#upload", files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    page.get_by_label("The child's needs").fill("Expressive language delay.")
    page.get_by_label("Outcomes").fill("Speaks in short sentences by the end of year 3.")
    page.get_by_label("Provision").fill("Weekly therapy, 30 minutes, from a speech and language therapist.")
    page.fill("#dated_on-day", str(today().day))
    page.fill("#dated_on-month", str(today().month))
    page.fill("#dated_on-year", str(today().year))
    page.get_by_role("button", name="Submit the advice").click()
    page.wait_for_selector("text=Your advice has been sent to the coordinator")
    assert_accessible(page)
    assert page.get_by_text(f"Received on {today():%-d %B %Y}").count() == 1
    assert page.get_by_role("link", name="Return your advice").count() == 0

    def met_on() -> Any:
        from ehc_tracker.extensions import db
        from ehc_tracker.models.case import Milestone

        return db.session.scalar(select(Milestone.met_on).where(Milestone.ref == f"advice:{ids['advice_id']}"))

    assert _in_app(app, met_on) == today()


def _family_case(app: Any, *, first_name: str, draft_days_ago: int, email: str) -> int:
    def make() -> int:
        from ehc_tracker.extensions import db
        from ehc_tracker.models import User
        from tests.factories_contributions import advice_case, draft_served, family, provider

        coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
        case, _ = advice_case(
            provider(f"E2E Therapy for {first_name}"),
            coordinator=coordinator,
            first_name=first_name,
            asked_days_ago=draft_days_ago + 20,
        )
        draft_served(case, today() - timedelta(days=draft_days_ago))
        family(case, email=email)
        return int(case.id)

    return _in_app(app, make)


def _family_sign_in(page: Any, app: Any, email: str) -> None:
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", FAMILY_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1:has-text('Check your email')")
    mail = app.extensions["ehc_memory_mail"].sent[-1]
    assert mail.to == email
    code = re.search(r"\b(\d{6})\b", mail.text)
    assert code
    page.get_by_label("Sign-in code").fill(code.group(1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("text=Your coordinator is")


def test_a_parent_gives_views_and_sends_representations_before_the_deadline(page: Any, live_server: Any) -> None:
    app = live_server.app
    email = "e2e.views.parent@example.org"
    case_id = _family_case(app, first_name="Quentin", draft_days_ago=3, email=email)
    _family_sign_in(page, app, email)
    assert_accessible(page)

    click(page, "Give your child’s and your views")
    page.wait_for_selector("h1:has-text('Tell us about your child')")
    assert_accessible(page)
    page.get_by_role("button", name="Send your views").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
    page.get_by_label("What would you like us to know?").fill("Quentin loves trains and finds lunchtimes hard.")
    page.get_by_role("button", name="Send your views").click()
    page.wait_for_selector("text=Your views are now part of the assessment")
    assert_accessible(page)
    assert page.get_by_text("Quentin loves trains").count() >= 1  # in the messages, waiting for a reply

    deadline = page.locator("[data-representations='open']").inner_text()
    assert "until" in deadline
    click(page, "Tell us what you think of the draft plan")
    page.wait_for_selector("h1:has-text('Tell us what you think of the draft plan')")
    assert_accessible(page)
    page.get_by_label("What do you think of the draft plan?").fill("Section F should include speech therapy.")
    page.get_by_label("The school or college you would like named in the plan (optional)").fill("Hill Primary School")
    page.get_by_role("button", name="Send what you think").click()
    page.wait_for_selector("text=What you think of the draft plan is now part of the case")
    assert_accessible(page)
    assert page.get_by_text("Hill Primary School").count() >= 1
    assert page.url.endswith(f"/family/cases/{case_id}#messages")


def test_after_the_deadline_the_representations_form_is_closed(page: Any, live_server: Any) -> None:
    app = live_server.app
    email = "e2e.late.parent@example.org"
    case_id = _family_case(app, first_name="Rosalind", draft_days_ago=30, email=email)
    _family_sign_in(page, app, email)
    assert page.locator("[data-representations='closed']").count() == 1
    assert page.get_by_role("link", name="Tell us what you think of the draft plan").count() == 0
    page.goto(f"/family/cases/{case_id}/representations")
    page.wait_for_selector("[data-closed]")
    assert_accessible(page)
    assert "closed on" in page.locator("[data-closed]").inner_text()
    assert page.locator("textarea").count() == 0
