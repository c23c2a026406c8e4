"""A coordinator starts from the worklist on their home page: a row opens the form for that very
step of that case, they record it, and back on the worklist the row has gone. axe-core checks
every page on the way."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_coordinator_journeys import fill_date, sign_in

WORKLIST_COORDINATOR = "e2e.worklist@example.org"


def _coordinator_with_an_overdue_decision(app: Any) -> tuple[int, Any]:
    """A coordinator of their own team whose one case's decision whether to assess is 8 days overdue."""
    from datetime import date

    from ehc_tracker.extensions import db
    from ehc_tracker.models import Role, Team
    from ehc_tracker.models.case import RequestSource
    from ehc_tracker.models.child import Child
    from ehc_tracker.services import cases as case_service
    from ehc_tracker.services.clock import today
    from ehc_tracker.services.users import create_user

    with app.app_context():
        now = today()
        team = Team(name="E2E Worklist Team")
        db.session.add(team)
        db.session.flush()
        me = create_user(
            email=WORKLIST_COORDINATOR,
            name="Wren Worklist",
            role=Role.COORDINATOR,
            password=PASSWORD,
            teams=[team],
            actor=None,
        )
        child = Child(first_name="Wyn", last_name="Worklist", date_of_birth=date(2016, 4, 2), team=team)
        db.session.add(child)
        db.session.flush()
        case = case_service.open_assessment(
            child=child,
            received_on=now - timedelta(weeks=6, days=8),
            source=RequestSource.PARENT,
            team=team,
            coordinator=me,
            actor=me,
            today=now,
        )
        db.session.commit()
        case_id = case.id
        db.session.remove()
    return case_id, now


def test_a_worklist_row_opens_its_step_and_leaves_the_list_once_recorded(page: Any, live_server: Any) -> None:
    case_id, now = _coordinator_with_an_overdue_decision(live_server.app)
    sign_in(page, WORKLIST_COORDINATOR)  # lands on the home page, checked by axe

    assert page.locator("h2#worklist").inner_text() == "Overdue and due this week"
    row = page.locator(f'li[data-row="step"][data-case-id="{case_id}"]')
    assert row.count() == 1
    assert "Wyn Worklist" in row.inner_text() and f"case {case_id}" in row.inner_text()
    assert "8 days overdue" in row.inner_text()
    # The worklist comes before the counts.
    assert (
        page.locator("#worklist").bounding_box()["y"] < page.get_by_text("Open work in my caseload").bounding_box()["y"]
    )

    row.get_by_role("link", name=re.compile(r"^Record: Decided to assess for Wyn Worklist")).click()
    page.wait_for_url(f"**/cases/{case_id}/events/decided_to_assess")
    assert_accessible(page)
    fill_date(page, "on", now)
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".govuk-notification-banner--success")
    assert_accessible(page)

    page.get_by_role("link", name="Home").first.click()
    page.wait_for_selector("h2#worklist")
    assert_accessible(page)
    assert page.locator('li[data-row="step"]').count() == 0
    assert page.get_by_text("Nothing overdue or due this week").count() == 1
