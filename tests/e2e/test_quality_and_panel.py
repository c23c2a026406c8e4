"""An auditor grades a plan from the monthly sample, and a manager runs a decision-making panel
from its agenda to its decisions, in a real browser with axe-core checks on every page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.axe import assert_accessible
from tests.e2e.data import MANAGER
from tests.e2e.test_coordinator_journeys import sign_in


def _last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture(scope="module")
def quality_world(live_server: Any) -> dict[str, Any]:
    """The framework, a plan issued last month, and an assessment waiting for its decision."""
    from ehc_tracker.extensions import db
    from ehc_tracker.models import AuditSubject, Child, Role, Team, User
    from ehc_tracker.models.case import CaseEvent, EventType, RequestSource
    from ehc_tracker.services import cases as case_service
    from ehc_tracker.services import quality
    from ehc_tracker.services.clock import today
    from ehc_tracker.services.users import create_user

    with live_server.app.app_context():
        now = today()
        team = db.session.scalar(select(Team).where(Team.name == "E2E Team"))
        manager = db.session.scalar(select(User).where(User.email == MANAGER))
        admin = create_user(
            email="e2e.quality.admin@example.org",
            name="Q Admin",
            role=Role.ADMIN,
            password="e2e quality admin password",
            actor=None,
        )
        quality.publish_framework(
            AuditSubject.PLAN, "Plan audit", "# Outcomes\nOutcomes are specific and measurable", actor=admin
        )
        made = {}
        for first, last, received in (
            ("Penny", "Planned", now - timedelta(days=200)),
            ("Walter", "Waiting", now - timedelta(days=10)),
        ):
            child = Child(first_name=first, last_name=last, date_of_birth=date(2016, 4, 2), team=team)
            db.session.add(child)
            db.session.flush()
            made[first] = case_service.open_assessment(
                child=child,
                received_on=received,
                source=RequestSource.PARENT,
                team=team,
                coordinator=manager,
                actor=manager,
                today=now,
            )
        db.session.add(
            CaseEvent(
                case=made["Penny"],
                event_type=EventType.FINAL_PLAN_ISSUED,
                occurred_on=_last_month(now) + timedelta(days=3),
            )
        )
        db.session.commit()
        ids = {"planned": made["Penny"].id, "waiting": made["Walter"].id, "today": now}
        db.session.remove()
    return ids


def test_an_auditor_grades_a_plan_from_the_monthly_sample(page: Any, quality_world: dict[str, Any]) -> None:
    sign_in(page, MANAGER)
    page.get_by_role("link", name="Quality audits").click()
    page.wait_for_selector("h1:has-text('Quality audits')")
    assert_accessible(page)
    page.fill("#month", _last_month(quality_world["today"]).strftime("%Y-%m"))
    page.fill("#percent", "100")
    page.fill("#seed", "2026")
    page.get_by_role("button", name="Draw the sample").click()
    page.wait_for_selector("h1:has-text('Audit sample')")
    assert_accessible(page)
    page.get_by_role("link", name=f"Penny Planned, case {quality_world['planned']}").click()
    page.wait_for_selector("h1:has-text('Audit')")
    assert_accessible(page)
    page.get_by_role("button", name="Save the audit").click()  # nothing graded: refused, nothing lost
    page.wait_for_selector(".govuk-error-summary")
    page.locator("[name^=q][value=good]").first.check()
    page.locator("#overall-good").check()
    page.fill("#comments", "Outcomes are clear")
    page.fill("#actions", "Add the hours of speech therapy to section F")
    page.get_by_role("button", name="Save the audit").click()
    page.wait_for_selector("text=Audit saved.")
    assert_accessible(page)
    assert page.locator("[data-grades]").get_by_text("Good").count() >= 1
    assert page.get_by_text("Add the hours of speech therapy to section F").count() == 1
    page.get_by_role("link", name=f"case {quality_world['planned']}").click()
    page.wait_for_selector("#quality-audits")
    assert page.locator("[data-case-audits]").get_by_text("Good").count() == 1


def test_a_manager_runs_a_panel_from_agenda_to_decisions(page: Any, quality_world: dict[str, Any]) -> None:
    sign_in(page, MANAGER)
    page.get_by_role("link", name="decision-making panel").click()
    page.wait_for_selector("h1:has-text('Decision-making panel')")
    assert_accessible(page)
    page.fill("#meets_on", quality_world["today"].isoformat())
    page.fill("#chair", "Head of SEND")
    page.get_by_role("button", name="Set the panel").click()
    page.wait_for_selector("text=Panel set for")
    assert_accessible(page)
    page.fill("#case_id", str(quality_world["waiting"]))
    page.select_option("#question", "request_to_assess")
    page.get_by_role("button", name="Add to the agenda").click()
    page.wait_for_selector("[data-agenda] >> text=Walter Waiting")
    page.fill("#name", "Dr Patel")
    page.fill("#agency", "Health")
    page.get_by_role("button", name="Add the member").click()
    page.wait_for_selector("label:has-text('Dr Patel, Health')")
    page.get_by_label("Dr Patel, Health").check()
    page.get_by_role("button", name="Save who attended").click()
    page.wait_for_selector("text=attended")
    assert_accessible(page)
    page.get_by_role("link", name="Record the decisions").click()
    page.wait_for_selector("h1:has-text('Decisions')")
    assert_accessible(page)
    page.get_by_label("Assess", exact=True).check()
    page.fill("[name^=note_]", "Evidence of needs that may need a plan")
    page.get_by_role("button", name="Record the decisions").click()
    page.wait_for_selector("text=1 decision recorded.")
    assert page.locator("[data-decision]").get_by_text("Assess").count() == 1
    page.get_by_role("link", name="Minutes to print").click()
    page.wait_for_selector("h1:has-text('Minutes')")
    assert_accessible(page)
    assert page.locator("[data-minute]").get_by_text("Assess").count() == 1
    page.goto(f"/cases/{quality_world['waiting']}")
    page.wait_for_selector("#history")
    assert page.get_by_text("Decided to assess").count() >= 1
    assert page.locator("[data-panel-decisions]").get_by_text("Assess").count() == 1
