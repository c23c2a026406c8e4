"""The quality audit and decision-making panel pages, through the test client."""

from datetime import date

import pytest

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, AuditSubject
from ehc_tracker.models.case import CaseEvent, EventType
from ehc_tracker.services import panels, quality
from tests.factories_cases import create_assessment
from tests.helpers import create_team, create_user

TODAY = date(2025, 12, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    for module in ("quality.routes", "panels.routes", "cases.routes", "reports.routes", "main.routes"):
        monkeypatch.setattr(f"ehc_tracker.{module}.today", lambda: TODAY)


@pytest.fixture
def world(app):
    team = create_team(name="North")
    admin = create_user(role="admin")
    manager = create_user(role="manager", teams=[team], name="Mo Manager")
    coordinator = create_user(role="coordinator", teams=[team], name="Cat Coordinator")
    quality.publish_framework(
        AuditSubject.PLAN, "Plans", "# Outcomes\nOutcomes are SMART\n# Provision\nProvision is specific", actor=admin
    )
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 5, 1))
    db.session.add(CaseEvent(case=case, event_type=EventType.FINAL_PLAN_ISSUED, occurred_on=date(2025, 10, 6)))
    db.session.commit()
    return {"team": team, "admin": admin, "manager": manager, "coordinator": coordinator, "case": case}


def test_an_administrator_publishes_a_new_version_of_the_framework(client, auth, world):
    auth.login(world["admin"])
    page = client.get("/quality/frameworks").get_data(as_text=True)
    assert "Plans, version 1" in page and "# Outcomes" in page
    response = client.post(
        "/quality/frameworks", data={"subject": "plan", "name": "Plans 2026", "questions": "# Voice\nThe child's views"}
    )
    assert response.status_code == 302
    assert "Plans 2026, version 2" in client.get("/quality/frameworks").get_data(as_text=True)
    refused = client.post("/quality/frameworks", data={"subject": "plan", "name": "x", "questions": "no section"})
    assert refused.status_code == 400 and "Start with a section heading" in refused.get_data(as_text=True)


def test_a_manager_draws_grades_and_the_coordinator_sees_the_actions(client, auth, world):
    auth.login(world["manager"])
    response = client.post(
        "/quality/", data={"team_id": world["team"].id, "month": "2025-10", "percent": "100", "seed": "5"}
    )
    assert response.status_code == 302
    sample = quality.sample_for(world["team"].id, date(2025, 10, 1))
    audit_ = sample.audits[0]
    page = client.get(f"/quality/audits/{audit_.id}").get_data(as_text=True)
    assert "Outcomes are SMART" in page and "data-grade-form" in page
    data = {"action": "grade", "overall": "good", "comments": "Clear", "actions": "Add the SALT hours"}
    data.update({f"q{q.id}": "good" for q in audit_.framework.questions})
    missing = client.post(f"/quality/audits/{audit_.id}", data={**data, f"q{audit_.framework.questions[0].id}": ""})
    assert missing.status_code == 400 and "Grade every question" in missing.get_data(as_text=True)
    assert client.post(f"/quality/audits/{audit_.id}", data=data).status_code == 302
    auth.logout()
    auth.login(world["coordinator"])
    home = client.get("/").get_data(as_text=True)
    assert "Actions from quality audits" in home and "Add the SALT hours" in home
    case_page = client.get(f"/cases/{world['case'].id}").get_data(as_text=True)
    assert "Quality audits" in case_page and "Good" in case_page
    assert client.post(f"/quality/audits/{audit_.id}", data={"action": "actions_done"}).status_code == 302
    assert "Actions from quality audits" not in client.get("/").get_data(as_text=True)


def test_the_dashboard_shows_audit_figures_and_viewers_see_no_names(client, auth, world):
    manager = world["manager"]
    sample = quality.draw_sample(world["team"], date(2025, 10, 1), count=1, seed=1, actor=manager, today=TODAY)
    audit_ = sample.audits[0]
    answers = {q.id: quality.Answer(quality.Grade.GOOD) for q in audit_.framework.questions}
    quality.grade(
        audit_, answers=answers, overall=quality.Grade.GOOD, comments="", actions="", actor=manager, today=TODAY
    )
    db.session.commit()
    auth.login(manager)
    page = client.get("/reports/dashboard").get_data(as_text=True)
    assert "Quality audits: rated good or better" in page and "Cat Coordinator" in page
    listed = client.get("/quality/figures?month=2025-10&good=1").get_data(as_text=True)
    assert world["case"].child.full_name in listed
    viewed = db.session.query(AuditEvent).filter_by(action="report_viewed", object_id="audits").one()
    assert viewed.details == {"month": "2025-10", "good": "1"}
    client.get(f"/quality/audits/{audit_.id}")
    assert db.session.query(AuditEvent).filter_by(action="quality_audit_viewed").count() == 1
    assert "audits_good" not in client.get("/reports/monthly?month=2025-10").get_data(as_text=True)
    assert "Quality audits:" in client.get("/reports/monthly?month=2025-10").get_data(as_text=True)
    auth.logout()
    auth.login(role="viewer", teams=[world["team"]])
    page = client.get("/reports/dashboard").get_data(as_text=True)
    section = page[page.index('id="quality"') :]
    assert "Coordinator 1" in section and "Cat Coordinator" not in section
    listed = client.get("/quality/figures?month=2025-10").get_data(as_text=True)
    assert world["case"].child.full_name not in listed and "Cat Coordinator" not in listed


def test_a_manager_sets_the_audit_trajectory(client, auth, world):
    auth.login(world["manager"])
    data = {"year": "2025", **{f"target_{m:02d}": str(25 + 5 * m) for m in range(1, 13)}}
    assert client.post("/quality/targets", data=data).status_code == 302
    page = client.get("/quality/?year=2025").get_data(as_text=True)
    assert 'value="75"' in page


def test_a_manager_runs_a_panel_and_a_refusal_is_shown_beside_its_item(client, auth, world):
    auth.login(world["manager"])
    waiting = create_assessment(team=world["team"], coordinator=world["coordinator"], received_on=date(2025, 11, 3))
    response = client.post(
        "/panels/", data={"team_id": world["team"].id, "meets_on": "2025-11-27", "chair": "Head of SEND"}
    )
    assert response.status_code == 302
    panel = panels.panels_for(world["manager"])[0]
    for case_id, question in ((waiting.id, "request_to_assess"), (waiting.id, "decision_to_issue")):
        client.post(f"/panels/{panel.id}", data={"action": "add_item", "case_id": case_id, "question": question})
    client.post(f"/panels/{panel.id}", data={"action": "add_member", "name": "Dr Patel", "agency": "Health"})
    first, second = panel.items
    response = client.post(
        f"/panels/{panel.id}/decisions",
        data={f"decision_{second.id}": "decided_to_issue", f"decision_{first.id}": "decided_to_assess"},
    )
    # Items are decided in agenda order: assess first, then issue, on the panel's date.
    assert response.status_code == 302
    assert waiting.event(EventType.DECIDED_TO_ASSESS).occurred_on == date(2025, 11, 27)
    again = create_assessment(team=world["team"], coordinator=world["coordinator"], received_on=date(2025, 11, 3))
    client.post(
        f"/panels/{panel.id}", data={"action": "add_item", "case_id": again.id, "question": "decision_to_issue"}
    )
    item = panel.items[-1]
    refused = client.post(f"/panels/{panel.id}/decisions", data={f"decision_{item.id}": "decided_to_issue"})
    assert refused.status_code == 400 and "data-refusal" in refused.get_data(as_text=True)
    assert "before" in refused.get_data(as_text=True)
    minutes = client.get(f"/panels/{panel.id}/minutes").get_data(as_text=True)
    assert "Issue a plan" in minutes and "Assess" in minutes and "Not decided" in minutes
    assert "Dr Patel" in client.get(f"/panels/{panel.id}/agenda").get_data(as_text=True)


def test_a_waiting_case_warns_when_the_next_panel_is_after_the_due_date(client, auth, world):
    waiting = create_assessment(team=world["team"], coordinator=world["coordinator"], received_on=date(2025, 10, 20))
    panels.create_panel(world["team"], date(2025, 12, 18), location="", chair="", actor=world["manager"])
    db.session.commit()
    auth.login(world["coordinator"])
    page = client.get(f"/cases/{waiting.id}").get_data(as_text=True)
    assert 'data-next-panel="2025-12-18"' in page and "data-panel-too-late" in page


def test_panels_are_for_managers(client, auth, world):
    auth.login(world["coordinator"])
    assert client.get("/panels/").status_code == 403
    assert client.get("/quality/frameworks").status_code == 403
    assert client.get("/quality/").status_code == 200
