"""After the final plan's 20 weeks have passed: the coordinator tells the family when the plan is
now expected, and the parent's page says plainly that it is late, gives that date and the
coordinator's contact details; the school's missing reply is the school's. axe-core checks
every page, and the parent's page does not scroll sideways at 375 px."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ehc_tracker.services.clock import today
from tests.e2e.axe import assert_accessible
from tests.e2e.data import COORDINATOR
from tests.e2e.test_coordinator_journeys import fill_date, sign_in

PARENT = "e2e.missed.parent@example.org"
PARENT_PASSWORD = "willow kettle harbour"
PHONE = "01632 960 001"


def _missed_case(app: Any) -> tuple[int, date]:
    """A case past its 20 weeks, with the parent's account, made as the coordinator would have."""
    from ehc_tracker.extensions import db
    from ehc_tracker.models import User
    from ehc_tracker.models.case import EventType, RequestSource
    from ehc_tracker.models.child import Child, ChildContact
    from ehc_tracker.models.family import FamilyRelationship
    from ehc_tracker.services import cases as case_service
    from ehc_tracker.services import family as family_service

    with app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
        coordinator.phone = PHONE
        team = coordinator.teams[0]
        child = Child(first_name="Fern", last_name="Missed", date_of_birth=date(2016, 9, 12), team=team)
        child.contacts.append(
            ChildContact(name="Ash Missed", relationship_to_child="Father", email="ash.missed@example.org")
        )
        db.session.add(child)
        db.session.flush()
        now, on = datetime.now(UTC), today()
        case = case_service.open_assessment(
            child=child,
            received_on=date(2025, 1, 6),
            source=RequestSource.PARENT,
            team=team,
            coordinator=coordinator,
            actor=coordinator,
            today=on,
        )
        record = case_service.record_event
        record(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=coordinator, today=on)
        record(
            case,
            EventType.ADVICE_REQUESTED,
            date(2025, 2, 11),
            actor=coordinator,
            today=on,
            advice_type="salt",
            provider="Northtown NHS Trust",
        )
        record(
            case,
            EventType.ADVICE_RECEIVED,
            date(2025, 3, 17),
            actor=coordinator,
            today=on,
            advice_request_id=case.advice_requests[0].id,
        )
        record(case, EventType.DECIDED_TO_ISSUE, date(2025, 3, 31), actor=coordinator, today=on)
        record(case, EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7), actor=coordinator, today=on)
        record(
            case, EventType.SCHOOL_CONSULTED, date(2025, 4, 8), actor=coordinator, today=on, setting_name="Oak Academy"
        )
        invitation = family_service.invite(
            case,
            name="Rowan Missed",
            email=PARENT,
            relationship=FamilyRelationship.PARENT,
            actor=coordinator,
            now=now,
            today=on,
        )
        family_service.accept(invitation.token, password=PARENT_PASSWORD, now=now)
        final_due = next(m.due_on for m in case.milestones if m.key == "final_plan")
        db.session.commit()
        case_id = case.id
        db.session.remove()
    return case_id, final_due


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"


def test_parent_page_after_a_missed_deadline(page: Any, live_server: Any) -> None:
    app = live_server.app
    case_id, final_due = _missed_case(app)
    expected_on = today() + timedelta(days=15)

    # The coordinator tells the family when the final plan is now expected, from the case page.
    sign_in(page, COORDINATOR)
    page.goto(f"/cases/{case_id}")
    page.wait_for_selector("h1:has-text('EHC needs assessment')")
    page.get_by_role(
        "link", name=re.compile(r"Tell the family when you now expect this\W+Issue final EHC plan")
    ).click()
    page.wait_for_selector("h1:has-text('Tell the family when you now expect this')")
    assert_accessible(page)
    page.get_by_label("A short note for the family (optional)").fill("The panel meets again on Thursday.")
    page.get_by_role("button", name="Tell the family").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
    assert (
        page.get_by_label("A short note for the family (optional)").input_value()
        == "The panel meets again on Thursday."
    )
    fill_date(page, "expected_on", expected_on)
    page.get_by_role("button", name="Tell the family").click()
    page.wait_for_selector(".govuk-notification-banner--success")
    assert_accessible(page)
    assert page.locator(f'[data-expected-on="{expected_on.isoformat()}"]').count() == 1

    # Inviting another parent offers the child's recorded contact instead of typing.
    page.goto(f"/cases/{case_id}/family")
    page.wait_for_selector("h1:has-text('Invite the family')")
    assert_accessible(page)
    page.get_by_label("Ash Missed").check()
    page.get_by_label("Parent or carer").check()
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_selector("text=Invitation sent to ash.missed@example.org")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # The parent signs in with the emailed code and lands on the case.
    page.goto("/sign-in")
    page.fill("#email", PARENT)
    page.fill("#password", PARENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1:has-text('Check your email')")
    mail = app.extensions["ehc_memory_mail"].sent[-1]
    assert mail.to == PARENT
    code = re.search(r"\b(\d{6})\b", mail.text)
    assert code
    page.get_by_label("Sign-in code").fill(code.group(1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("h1:has-text('Assessment of your child')")
    assert_accessible(page)

    body = page.locator("main").inner_text()
    assert f"The final plan was due by {final_due:%-d %B %Y}. It has not been issued yet." in body
    assert f"We now expect this by {expected_on:%A %-d %B %Y}." in body
    assert "The panel meets again on Thursday." in body
    assert "Your turn" not in body  # the draft plan's window closed long ago
    assert "Your time to tell us what you think of the draft plan closed on" in body
    assert "Speech and language therapy advice from Northtown NHS Trust" in body
    # The school's missing reply is the school's, and not counted as the council being late.
    oak = page.locator('[data-step="school_consultation_response"]').inner_text()
    assert "Oak Academy" in oak and "not one of our own time limits" in oak and "Waiting for their reply" in oak
    assert "One of our steps is late." in body
    # The coordinator's contacts.
    assert "Casey Browser" in body
    assert page.locator('a[href="mailto:e2e.coordinator@example.org"]').count() == 1
    assert page.locator('a[href="tel:01632960001"]').inner_text() == PHONE

    page.set_viewport_size({"width": 375, "height": 800})
    _no_sideways_scroll(page)
    assert_accessible(page)
