"""A coordinator adds the educational psychologist's advice from its row on the case page, makes
the draft plan letter, and shares it with the family; the parent signs in (with the emailed
code), finds it on their page and downloads it. axe-core checks every page."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ehc_tracker.letters.render import soffice_path
from tests.documents_support import PDF_BYTES
from tests.e2e.axe import assert_accessible
from tests.e2e.data import COORDINATOR
from tests.e2e.test_coordinator_journeys import fill_date, sign_in

PARENT = "e2e.letters.parent@example.org"
PARENT_PASSWORD = "kettle harbour meadow"
COUNCIL = "Northshire Council"


def _case_with_draft_plan(app: Any) -> int:
    """An assessment whose EP advice came in and whose draft plan was issued, with a family account."""
    from ehc_tracker.extensions import db
    from ehc_tracker.models import Team, User
    from ehc_tracker.models.case import EventType, RequestSource
    from ehc_tracker.models.child import Child
    from ehc_tracker.models.family import FamilyRelationship
    from ehc_tracker.services import cases as case_service
    from ehc_tracker.services import family as family_service

    today = date.today()
    with app.app_context():
        team = db.session.scalars(select(Team).where(Team.name == "E2E Team")).one()
        coordinator = db.session.scalars(select(User).where(User.email == COORDINATOR)).one()
        child = Child(first_name="Lena", last_name="Letters", date_of_birth=date(2016, 9, 1), team=team)
        db.session.add(child)
        db.session.flush()
        case = case_service.open_assessment(
            child=child,
            received_on=date(2025, 1, 6),
            source=RequestSource.PARENT,
            team=team,
            coordinator=coordinator,
            actor=coordinator,
            today=today,
        )
        record = case_service.record_event
        record(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=coordinator, today=today)
        record(
            case,
            EventType.ADVICE_REQUESTED,
            date(2025, 2, 11),
            actor=coordinator,
            today=today,
            advice_type="ep",
            provider="Northtown EP Service",
        )
        advice = case.advice_requests[0]
        record(
            case,
            EventType.ADVICE_RECEIVED,
            date(2025, 3, 20),
            actor=coordinator,
            today=today,
            advice_request_id=advice.id,
        )
        record(case, EventType.DECIDED_TO_ISSUE, date(2025, 3, 31), actor=coordinator, today=today)
        record(case, EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7), actor=coordinator, today=today)
        invited = family_service.invite(
            case,
            name="Sam Letters",
            email=PARENT,
            relationship=FamilyRelationship.PARENT,
            actor=coordinator,
            now=datetime.now(UTC),
            today=today,
        )
        family_service.accept(invited.token, password=PARENT_PASSWORD, now=datetime.now(UTC))
        db.session.commit()
        case_id = case.id
        db.session.remove()
    return case_id


def _stored_letter(app: Any, filename: str) -> bytes:
    from ehc_tracker.extensions import db
    from ehc_tracker.models import Document
    from ehc_tracker.services.storage import document_store

    with app.app_context():
        document = db.session.scalars(select(Document).where(Document.filename == filename)).one()
        content = b"".join(document_store().chunks(document.storage_key))
        db.session.remove()
    return content


def _parent_signs_in(page: Any, app: Any) -> None:
    page.goto("/sign-in")
    page.fill("#email", PARENT)
    page.fill("#password", PARENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1:has-text('Check your email')")
    mail = next(m for m in reversed(app.extensions["ehc_memory_mail"].sent) if m.to == PARENT)
    code = re.search(r"\b(\d{6})\b", mail.text)
    assert code
    page.get_by_label("Sign-in code").fill(code.group(1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_a_coordinator_adds_the_advice_makes_the_draft_plan_letter_and_the_parent_downloads_it(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    app = live_server.app
    saved = {name: app.config.get(name) for name in ("COUNCIL_NAME", "DOCUMENT_STORAGE", "DOCUMENT_LOCAL_DIR")}
    app.config.update(COUNCIL_NAME=COUNCIL, DOCUMENT_STORAGE="local", DOCUMENT_LOCAL_DIR=str(tmp_path / "documents"))
    try:
        case_id = _case_with_draft_plan(app)
        sign_in(page, COORDINATOR)
        page.goto(f"/cases/{case_id}")
        page.wait_for_selector("h1:has-text('EHC needs assessment')")

        # The EP's advice, from its row in the advice table.
        page.get_by_role("link", name=re.compile("Add the advice")).first.click()
        page.wait_for_selector("h1:has-text('Add the advice')")
        assert_accessible(page)
        advice = tmp_path / "ep-advice.pdf"
        advice.write_bytes(PDF_BYTES)
        page.set_input_files("#upload", str(advice))
        fill_date(page, "dated_on", date(2025, 3, 20))
        page.get_by_role("button", name="Add the document").click()
        page.wait_for_selector("text=added")
        assert page.locator("table[data-documents]").get_by_text("Northtown EP Service").count() == 1
        assert_accessible(page)

        # The draft plan letter (LibreOffice makes its PDF: allow for a cold start).
        page.locator("[data-letter-kind='draft_plan']").get_by_role("button", name=re.compile("Create letter")).click()
        page.wait_for_selector("text=letter was made as", timeout=180_000)
        assert_accessible(page)
        banner = page.locator(".govuk-notification-banner").first.inner_text()
        assert "<" not in banner and "The ‘Draft EHC plan’ letter was made as" in banner
        extension = ".pdf" if soffice_path() else ".docx"
        filename = f"draft-plan-letter-2025-04-07{extension}"
        row = page.locator("table[data-documents] tr", has_text=filename)
        assert row.count() == 1
        listed_as = ("PDF" if extension == ".pdf" else "Word") + ", dated 7 Apr 2025"
        assert page.locator("table[data-letters] tbody tr", has_text=listed_as).count() == 1

        # Shared with the family from the documents table.
        row.get_by_role("button", name=re.compile("Share with the family")).click()
        page.wait_for_selector("text=is now shared with the family")
        assert (
            page.locator("table[data-documents] tr", has_text=filename).locator("[data-sharing='shared']").count() == 1
        )
        assert_accessible(page)
        page.get_by_role("button", name="Sign out").click()

        # The parent finds it on their page and downloads it.
        _parent_signs_in(page, app)
        page.goto(f"/family/cases/{case_id}")
        listed = page.locator("[data-family-documents]").get_by_role("link", name="Draft EHC plan letter")
        assert listed.count() == 1
        assert page.locator("[data-family-documents]").get_by_text("EP advice").count() == 0  # not shared
        assert_accessible(page)
        with page.expect_download() as info:
            listed.click()
        download = info.value
        assert download.suggested_filename == filename
        content = Path(download.path()).read_bytes()
        stored = _stored_letter(app, filename)
        assert hashlib.sha256(content).hexdigest() == hashlib.sha256(stored).hexdigest()
        assert content.startswith(b"%PDF-" if extension == ".pdf" else b"PK")
    finally:
        app.config.update(saved)
