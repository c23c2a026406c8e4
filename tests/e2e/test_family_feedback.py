"""A parent answers the feedback survey from the emailed link, without signing in, and the link
then no longer works; the manager reads the answer and shares it with the coordinator. axe-core
checks every page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from tests.e2e.axe import assert_accessible
from tests.e2e.data import COORDINATOR, MANAGER
from tests.e2e.test_coordinator_journeys import sign_in

SURVEY_PARENT = "e2e.survey.parent@example.org"


def _plan_issued_with_a_family(app: Any) -> str:
    """A child whose parent follows the case and whose plan has just been issued; the survey link."""
    from ehc_tracker.extensions import db
    from ehc_tracker.models import Team, User
    from ehc_tracker.models.alerts import OutboxMessage
    from ehc_tracker.models.case import RequestSource
    from ehc_tracker.models.child import Child
    from ehc_tracker.models.family import FamilyRelationship
    from ehc_tracker.services import cases as case_service
    from ehc_tracker.services import family as family_service
    from tests.factories_cases import carry_to_final_plan

    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.name == "E2E Team"))
        coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
        child = Child(first_name="Freya", last_name="Feedback", date_of_birth=date(2016, 4, 2), team=team)
        db.session.add(child)
        db.session.flush()
        case = case_service.open_assessment(
            child=child,
            received_on=date(2025, 1, 6),
            source=RequestSource.PARENT,
            team=team,
            coordinator=coordinator,
            actor=coordinator,
            today=date(2025, 1, 6),
        )
        now = datetime.now(UTC)
        new = family_service.invite(
            case,
            name="Sam Survey",
            email=SURVEY_PARENT,
            relationship=FamilyRelationship.PARENT,
            actor=coordinator,
            now=now,
            today=date(2025, 1, 6),
        )
        family_service.accept(new.token, password="paper lantern orchard", now=now)
        db.session.commit()
        carry_to_final_plan(case, actor=coordinator)
        body = db.session.scalar(
            select(OutboxMessage.body_text).where(
                OutboxMessage.to_address == SURVEY_PARENT, OutboxMessage.subject == "Tell us how we did"
            )
        )
        db.session.remove()
    assert body, "no survey email in the outbox"
    found = re.search(r"/feedback/[A-Za-z0-9_-]+", body)
    assert found
    return found.group(0)


def test_a_parent_answers_the_survey_once_from_the_emailed_link(page: Any, live_server: Any) -> None:
    link = _plan_issued_with_a_family(live_server.app)
    page.goto(link)
    page.wait_for_selector("h1:has-text('Tell us how we did')")
    assert_accessible(page)
    # Sending without choosing: the error summary, and the comment typed is kept.
    page.get_by_label("Is there anything you would like to tell us? (optional)").fill("Our coordinator was kind")
    page.get_by_role("button", name="Send your answer").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
    assert page.get_by_label("Is there anything you would like to tell us? (optional)").input_value() == (
        "Our coordinator was kind"
    )
    page.get_by_label("Partly satisfied").check()
    page.get_by_role("button", name="Send your answer").click()
    page.wait_for_selector("h1:has-text('Thank you')")
    assert_accessible(page)
    # The link works once.
    page.goto(link)
    page.wait_for_selector("h1:has-text('This link no longer works')")
    assert_accessible(page)

    # The manager reads the answer and lets the coordinator see it.
    sign_in(page, MANAGER)
    page.get_by_role("link", name="Family feedback").first.click()
    page.wait_for_selector("h1:has-text('Family feedback')")
    assert_accessible(page)
    card = page.locator("[data-answer]").filter(has_text="Freya Feedback")
    assert "Our coordinator was kind" in card.inner_text() and "Partly satisfied" in card.inner_text()
    card.get_by_role("button", name=re.compile("Share with Casey Browser")).click()
    page.wait_for_selector("text=Casey Browser can now read this answer on the case.")
    assert_accessible(page)
