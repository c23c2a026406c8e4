"""The decision-making panel: the agenda, papers, members and attendance, and decisions that
become the case's events on the panel's date through the workflow (its refusals kept per item);
the next panel shown on a waiting case, with a warning when it meets after the due date."""

from datetime import date

import pytest

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, Document, DocumentKind, PanelQuestion
from ehc_tracker.models.case import CaseStatus, EventType
from ehc_tracker.services import Conflict, Forbidden, ServiceError, panels
from ehc_tracker.services import cases as case_service
from tests.factories_cases import create_assessment
from tests.helpers import create_team, create_user

TODAY = date(2025, 3, 3)
PANEL_DAY = date(2025, 2, 13)


def _world():
    team = create_team(name="North")
    manager = create_user(role="manager", teams=[team])
    coordinator = create_user(role="coordinator", teams=[team])
    panel = panels.create_panel(team, PANEL_DAY, location="Room 4", chair="Head of SEND", actor=manager)
    db.session.commit()
    return team, manager, coordinator, panel


def _document(case, title):
    doc = Document(
        child_id=case.child_id,
        case_id=case.id,
        kind=DocumentKind.REQUEST,
        title=title,
        dated_on=date(2025, 1, 6),
        supplied_by="Parent",
        storage_key=f"key-{case.id}-{title}",
        filename="request.pdf",
        content_type="application/pdf",
        size_bytes=10,
        sha256="0" * 64,
    )
    db.session.add(doc)
    db.session.flush()
    return doc


def test_a_decision_to_assess_becomes_the_cases_event_on_the_panels_date(app):
    team, manager, coordinator, panel = _world()
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    item = panels.add_item(panel, case, PanelQuestion.REQUEST_TO_ASSESS, actor=manager)
    panels.decide(item, "decided_to_assess", note="Evidence of needs", actor=manager, today=TODAY)
    db.session.commit()
    event = case.event(EventType.DECIDED_TO_ASSESS)
    assert event is not None and event.occurred_on == PANEL_DAY and item.event_id == event.id
    met = {m.key: m.met_on for m in case.milestones}
    assert met["decision_to_assess"] == PANEL_DAY
    assert db.session.query(AuditEvent).filter_by(action="panel_decision_recorded").count() == 1
    with pytest.raises(ServiceError, match="already recorded"):
        panels.decide(item, "decided_not_to_assess", note="", actor=manager, today=TODAY)


def test_a_decision_not_to_assess_closes_the_case_with_the_panels_reason(app):
    team, manager, coordinator, panel = _world()
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    item = panels.add_item(panel, case, PanelQuestion.REQUEST_TO_ASSESS, actor=manager)
    panels.decide(item, "decided_not_to_assess", note="Needs met at SEN support", actor=manager, today=TODAY)
    event = case.event(EventType.DECIDED_NOT_TO_ASSESS)
    assert event.occurred_on == PANEL_DAY and event.details["reason"] == "Needs met at SEN support"
    assert case.status is CaseStatus.CLOSED


def test_the_workflow_refuses_a_decision_and_the_item_stays_undecided(app):
    team, manager, coordinator, panel = _world()
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    item = panels.add_item(panel, case, PanelQuestion.DECISION_TO_ISSUE, actor=manager)
    with pytest.raises(ServiceError, match="before"):  # decided to assess must come first
        panels.decide(item, "decided_to_issue", note="", actor=manager, today=TODAY)
    assert item.decision is None and case.event(EventType.DECIDED_TO_ISSUE) is None
    # Once-only: a decision already on the case is refused, the item left as it was.
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 1, 20), actor=manager, today=TODAY)
    again = panels.add_item(panel, case, PanelQuestion.REQUEST_TO_ASSESS, actor=manager)
    with pytest.raises(Conflict, match="already recorded"):
        panels.decide(again, "decided_to_assess", note="", actor=manager, today=TODAY)
    assert again.decision is None and len(case.events_of(EventType.DECIDED_TO_ASSESS)) == 1


def test_decisions_wait_for_the_panel_to_meet_and_only_its_managers_record_them(app):
    team, manager, coordinator, _ = _world()
    later = panels.create_panel(team, date(2025, 3, 20), location="", chair="", actor=manager)
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    item = panels.add_item(later, case, PanelQuestion.REQUEST_TO_ASSESS, actor=manager)
    with pytest.raises(ServiceError, match="once the panel has met"):
        panels.decide(item, "decided_to_assess", note="", actor=manager, today=TODAY)
    with pytest.raises(Forbidden):
        panels.add_item(later, case, PanelQuestion.PLACEMENT, actor=coordinator)
    other = create_user(role="manager", teams=[create_team(name="South")])
    with pytest.raises(Forbidden):
        panels.decide(item, "decided_to_assess", note="", actor=other, today=date(2025, 3, 21))


def test_placement_and_funding_decisions_are_the_panels_own(app):
    team, manager, coordinator, panel = _world()
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    item = panels.add_item(panel, case, PanelQuestion.FUNDING, actor=manager)
    with pytest.raises(ServiceError):
        panels.decide(item, "decided_to_issue", note="", actor=manager, today=TODAY)
    panels.decide(item, "agreed", note="Top-up band C", actor=manager, today=TODAY)
    assert item.decision == "agreed" and item.event_id is None and len(case.events) == 1


def test_papers_come_from_the_cases_documents_and_attendance_is_recorded(app):
    team, manager, coordinator, panel = _world()
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    other = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    mine, theirs = _document(case, "Request"), _document(other, "Other request")
    item = panels.add_item(panel, case, PanelQuestion.REQUEST_TO_ASSESS, actor=manager)
    with pytest.raises(ServiceError):
        panels.set_papers(item, [theirs.id], actor=manager)
    panels.set_papers(item, [mine.id], actor=manager)
    assert item.papers == [mine]
    a = panels.add_member(panel, "Dr Patel", "Health", actor=manager)
    b = panels.add_member(panel, "Sam Lee", "Educational psychology", actor=manager)
    panels.record_attendance(panel, [a.id], actor=manager, today=TODAY)
    assert (a.attended, b.attended) == (True, False)


def test_a_waiting_case_shows_the_next_panel_and_warns_when_it_meets_after_the_due_date(app):
    team, manager, coordinator, _ = _world()
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    due = next(m.due_on for m in case.milestones if m.key == "decision_to_assess")  # 17 February
    view = panels.outlook(case, date(2025, 2, 1))
    assert view.panel.meets_on == PANEL_DAY and not view.on_agenda and not view.too_late
    assert view.due_on == due and view.question is PanelQuestion.REQUEST_TO_ASSESS
    late = panels.create_panel(team, date(2025, 2, 27), location="", chair="", actor=manager)
    view = panels.outlook(case, date(2025, 2, 14))
    assert view.panel is late and view.too_late
    panels.add_item(late, case, PanelQuestion.REQUEST_TO_ASSESS, actor=manager)
    assert panels.outlook(case, date(2025, 2, 14)).on_agenda
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 14), actor=manager, today=TODAY)
    assert panels.outlook(case, date(2025, 2, 14)).question is PanelQuestion.DECISION_TO_ISSUE
