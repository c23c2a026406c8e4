"""A manager starts from the queues on their home page: an exception awaiting approval opens its
decision page, they approve it, and back home the queue no longer holds it. axe-core checks every
page on the way."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_coordinator_journeys import sign_in

QUEUE_MANAGER = "e2e.queue.manager@example.org"


def _team_with_a_proposed_exception(app: Any) -> int:
    from ehc_tracker.extensions import db
    from ehc_tracker.models import Role, Team
    from ehc_tracker.models.case import RequestSource
    from ehc_tracker.models.child import Child
    from ehc_tracker.services import cases as case_service
    from ehc_tracker.services.clock import today
    from ehc_tracker.services.users import create_user

    with app.app_context():
        now = today()
        team = Team(name="E2E Queue Team")
        db.session.add(team)
        db.session.flush()
        create_user(
            email=QUEUE_MANAGER, name="Quinn Queue", role=Role.MANAGER, password=PASSWORD, teams=[team], actor=None
        )
        coordinator = create_user(
            email="e2e.queue.coordinator@example.org",
            name="Cass Queue",
            role=Role.COORDINATOR,
            password=PASSWORD,
            teams=[team],
            actor=None,
        )
        child = Child(first_name="Quin", last_name="Exception", date_of_birth=date(2015, 3, 9), team=team)
        db.session.add(child)
        db.session.flush()
        case = case_service.open_assessment(
            child=child,
            received_on=now - timedelta(weeks=10),
            source=RequestSource.PARENT,
            team=team,
            coordinator=coordinator,
            actor=coordinator,
            today=now,
        )
        exception = case_service.propose_exception(
            case,
            milestone_key="final_plan",
            limb="personal_circumstances",
            starts_on=now - timedelta(weeks=2),
            ends_on=None,
            reason="In hospital for a month",
            evidence="Consultant's letter",
            actor=coordinator,
            today=now,
        )
        db.session.commit()
        exception_id = exception.id
        db.session.remove()
    return exception_id


def test_the_manager_approves_an_exception_from_the_queue(page: Any, live_server: Any) -> None:
    exception_id = _team_with_a_proposed_exception(live_server.app)
    sign_in(page, QUEUE_MANAGER)  # lands on the home page, checked by axe

    row = page.locator(f'[data-queue="exceptions"] [data-exception-id="{exception_id}"]')
    assert row.count() == 1 and "Quin Exception" in row.inner_text()
    assert "personal_circumstances" not in row.inner_text()  # the reason in words, never the key
    row.get_by_role("link").first.click()
    page.wait_for_selector("h1")
    assert_accessible(page)
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_selector("text=Exception approved.")
    assert_accessible(page)

    page.get_by_role("link", name="Home").first.click()
    page.wait_for_selector("h1")
    assert page.locator(f'[data-queue="exceptions"] [data-exception-id="{exception_id}"]').count() == 0
    assert_accessible(page)
