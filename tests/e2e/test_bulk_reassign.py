"""A manager moves a leaver's caseload to a colleague in one step, in a real browser with axe-core
checks: first a selection, then all that is left; then a call from the child's recorded contact."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD
from tests.e2e.data import MANAGER
from tests.e2e.test_coordinator_journeys import sign_in


def _leaver_with_cases(app: Any) -> None:
    """Lee Leaver holds three recent assessments (nothing overdue, so the other journeys' lists are unchanged)."""
    from sqlalchemy import select

    from ehc_tracker.extensions import db
    from ehc_tracker.models import Role, Team
    from ehc_tracker.models.case import RequestSource
    from ehc_tracker.models.child import Child, ChildContact
    from ehc_tracker.services import cases as case_service
    from ehc_tracker.services.users import create_user

    with app.app_context():
        team = db.session.scalars(select(Team).where(Team.name == "E2E Team")).one()
        leaver = create_user(
            email="e2e.leaver@example.org",
            name="Lee Leaver",
            role=Role.COORDINATOR,
            password=PASSWORD,
            teams=[team],
            actor=None,
        )
        create_user(
            email="e2e.receiver@example.org",
            name="Rae Receiver",
            role=Role.COORDINATOR,
            password=PASSWORD,
            teams=[team],
            actor=None,
        )
        today = date.today()
        for first in ("Ada", "Bea", "Cy"):
            child = Child(first_name=first, last_name="Moving", date_of_birth=date(2017, 3, 1), team=team)
            db.session.add(child)
            child.contacts.append(ChildContact(name=f"Pat {first}parent", relationship_to_child="Father"))
            db.session.flush()
            case_service.open_assessment(
                child=child,
                received_on=today - timedelta(days=7),
                source=RequestSource.PARENT,
                team=team,
                coordinator=leaver,
                actor=leaver,
                today=today,
            )
        db.session.commit()
        db.session.remove()


def test_manager_moves_a_leavers_cases_some_then_all(page: Any, live_server: Any) -> None:
    _leaver_with_cases(live_server.app)
    sign_in(page, MANAGER)
    page.get_by_role("link", name="Cases").first.click()
    page.get_by_role("link", name="Move a coordinator’s cases to someone else").click()
    page.wait_for_selector("h1:has-text('Move a coordinator’s cases')")
    assert_accessible(page)

    page.get_by_label("Whose cases").select_option(label="Lee Leaver (3 open cases)")
    page.get_by_role("button", name="Show their cases").click()
    page.wait_for_selector("h2:has-text('3 open cases held by Lee Leaver')")
    assert_accessible(page)

    # Nothing chosen: the error summary, and the page keeps the reason typed.
    page.get_by_label("Reason (optional)").fill("Leaving at the end of the month")
    page.get_by_role("button", name="Move the ticked cases").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
    assert page.get_by_label("Reason (optional)").input_value() == "Leaving at the end of the month"

    # A selection.
    page.get_by_label("Ada Moving").check()
    page.get_by_label("Cy Moving").check()
    page.get_by_label("Move them to").select_option(label="Rae Receiver (E2E Team)")
    page.get_by_role("button", name="Move the ticked cases").click()
    page.wait_for_selector("text=Moved 2 cases from Lee Leaver to Rae Receiver.")
    assert_accessible(page)
    assert page.get_by_role("link", name="Bea Moving").count() == 1
    assert page.get_by_role("link", name="Ada Moving").count() == 0

    # Then all that is left.
    page.get_by_label("Move them to").select_option(label="Rae Receiver (E2E Team)")
    page.get_by_role("button", name="Move all 1 case").click()
    page.wait_for_selector("text=Moved 1 case from Lee Leaver to Rae Receiver.")
    page.wait_for_selector("text=Lee Leaver holds no open cases in your teams.")
    assert_accessible(page)

    # The history on a moved case says who moved it, and the audit trail has it too.
    page.goto("/cases/?coordinator_id=")
    page.get_by_role("link", name="Bea Moving").first.click()
    page.wait_for_selector("h1")
    assert page.locator("text=Rae Receiver").count() >= 1

    # A call from the child's recorded contact, with its time of day; then the reply and how it went.
    page.get_by_role("link", name="Log an email, call or letter").click()
    page.wait_for_selector("h1:has-text('Log an email, call or letter')")
    assert_accessible(page)
    page.get_by_label("Pat Beaparent").check()
    today = date.today()
    page.fill("#received_on-day", str(today.day))
    page.fill("#received_on-month", str(today.month))
    page.fill("#received_on-year", str(today.year))
    page.get_by_label("Time received (optional)").fill("25:00")
    page.get_by_label("Phone").check()
    page.get_by_label("Summary").fill("Asked when the decision is due")
    page.get_by_role("button", name="Log communication").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
    assert page.get_by_label("Summary").input_value() == "Asked when the decision is due"
    page.get_by_label("Time received (optional)").fill("14:05")
    page.get_by_role("button", name="Log communication").click()
    page.wait_for_selector("text=Communication from Pat Beaparent (Father) logged.")
    assert_accessible(page)
    assert page.locator("#communications ~ div td", has_text="14:05").count() >= 1
