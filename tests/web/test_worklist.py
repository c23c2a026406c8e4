"""The home pages: a coordinator's worklist, a manager's queues, a viewer's figures; and the
services behind them (services/worklist.py)."""

from __future__ import annotations

import re
import secrets
from datetime import date

import pytest

from ehc_tracker.extensions import db
from ehc_tracker.models import Role, User
from ehc_tracker.models.case import Channel, Communication, EventType
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import workflow, worklist
from tests.factories_cases import create_assessment
from tests.factories_children import create_child
from tests.helpers import create_team, create_user

TODAY = date(2025, 12, 1)  # a Monday


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("ehc_tracker.main.routes.today", lambda: TODAY)


def _family_account(name="Pat Parent"):
    user = User(
        email=f"family{secrets.token_hex(4)}@example.org",
        name=name,
        role=Role.FAMILY,
        password_hash="x",
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    return user


def _family_message(case, *, received_on, from_name="Pat Parent", answered=False):
    comm = Communication(
        case=case,
        received_on=received_on,
        channel=Channel.PORTAL,
        from_name=from_name,
        summary="When is the meeting?",
        family_user_id=_family_account(from_name).id,
        responded_on=received_on if answered else None,
    )
    db.session.add(comm)
    db.session.flush()
    case_service.recompute_case(case)
    db.session.commit()
    return comm


def _case(coordinator, team, received_on, first="Ruby", last="Rowe"):
    child = create_child(team=team, first_name=first, last_name=last, date_of_birth=date(2016, 4, 2))
    return create_assessment(received_on=received_on, coordinator=coordinator, team=team, child=child)


def _rows(html, kind):
    return re.findall(rf'(<li [^>]*data-row="{kind}"[^>]*>.*?</li>)', html, re.S)


# --- Which step each time limit leads to -------------------------------------------------------


def test_each_time_limit_leads_to_the_step_that_meets_it():
    assert workflow.steps_towards("advice_due") == (EventType.ADVICE_RECEIVED,)
    assert workflow.steps_towards("decision_to_assess") == (EventType.DECIDED_TO_ASSESS,)
    assert workflow.steps_towards("final_plan") == (
        EventType.DECIDED_TO_ISSUE,
        EventType.DRAFT_PLAN_ISSUED,
        EventType.FINAL_PLAN_ISSUED,
    )
    assert workflow.steps_towards("school_consultation_response") == (EventType.SCHOOL_RESPONDED,)
    assert workflow.steps_towards("representations_close") == ()


def test_the_step_offered_is_one_that_can_be_recorded_now(app):
    team = create_team()
    me = create_user(role="coordinator", teams=[team])
    case = _case(me, team, date(2025, 6, 2))
    recordable = case_service.recordable_now(case)
    assert worklist.step_for(case, "decision_to_assess", recordable) is EventType.DECIDED_TO_ASSESS
    assert worklist.step_for(case, "final_plan", recordable) is None  # nothing towards it can be recorded yet
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 7, 1), actor=me, today=TODAY)
    case_service.record_event(case, EventType.DECIDED_TO_ISSUE, date(2025, 8, 1), actor=me, today=TODAY)
    recordable = case_service.recordable_now(case)
    assert worklist.step_for(case, "final_plan", recordable) is EventType.DRAFT_PLAN_ISSUED


# --- The coordinator's worklist ----------------------------------------------------------------


def test_the_worklist_lists_overdue_and_due_this_week_with_a_link_to_each_step(app):
    team = create_team()
    me = create_user(role="coordinator", teams=[team])
    other = create_user(role="coordinator", teams=[team])
    late = _case(me, team, date(2025, 10, 1), "Ruby", "Late")  # decision due 12 Nov: 19 days overdue
    soon = _case(me, team, date(2025, 10, 22), "Sam", "Soon")  # decision due 3 Dec: in 2 days
    _case(me, team, date(2025, 11, 3), "Nia", "Notyet")  # decision due 15 Dec: not this week
    _case(other, team, date(2025, 10, 1), "Ola", "Other")  # not mine

    found = worklist.coordinator_worklist(me, TODAY)
    assert [(r.child_name, r.days_overdue, r.days_left, r.step) for r in found.steps.rows] == [
        ("Ruby Late", 19, 0, EventType.DECIDED_TO_ASSESS),
        ("Sam Soon", 0, 2, EventType.DECIDED_TO_ASSESS),
    ]
    assert (found.overdue, found.due_this_week, found.steps.total) == (1, 1, 2)
    assert {r.case_id for r in found.steps.rows} == {late.id, soon.id}
    assert not found.empty


def test_the_worklist_is_bounded_and_counts_everything(app):
    team = create_team()
    me = create_user(role="coordinator", teams=[team])
    for n in range(3):
        _case(me, team, date(2025, 10, 1), f"Kid{n}", "Many")
    found = worklist.coordinator_worklist(me, TODAY, limit=2)
    assert len(found.steps.rows) == 2 and found.steps.total == 3 and found.steps.more


def test_a_long_worklist_shows_the_first_rows_and_links_to_them_all(client, auth, monkeypatch):
    monkeypatch.setattr(worklist, "LIMIT", 1)
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    _case(me, team, date(2025, 10, 1), "First", "Shown")
    _case(me, team, date(2025, 10, 22), "Second", "Hidden")
    html = client.get("/").get_data(as_text=True)
    assert len(_rows(html, "step")) == 1 and "First Shown" in html and "Second Hidden" not in html
    assert "Showing the first 1 of 2." in html
    assert 'href="/reports/overdue?coordinator_id=mine&amp;within=6">See all 2 overdue and due this week</a>' in html


def test_a_step_that_cannot_be_recorded_yet_links_to_the_case(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = _case(
        me, team, date(2025, 6, 2), "Ava", "Waiting"
    )  # every limit is overdue; only the decision can be recorded
    html = client.get("/").get_data(as_text=True)
    rows = _rows(html, "step")
    by_action = {re.search(r'data-action="(\w+)"', r).group(1) for r in rows}
    assert by_action == {"record", "case"}
    record = next(r for r in rows if 'data-action="record"' in r)
    assert f'href="/cases/{case.id}/events/decided_to_assess"' in record
    for row in rows:
        if 'data-action="case"' in row:
            assert f'href="/cases/{case.id}"' in row and "/events/" not in row


def test_coordinator_home_shows_the_worklist_before_the_counts(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    late = _case(me, team, date(2025, 10, 1), "Ruby", "Late")
    html = client.get("/").get_data(as_text=True)
    assert html.index('id="worklist"') < html.index("Open work in my caseload")
    [row] = _rows(html, "step")
    assert "Ruby Late" in row and f"case {late.id}" in row
    assert f'href="/cases/{late.id}/events/decided_to_assess"' in row
    assert "Record: Decided to assess" in row and "19 days overdue" in row and "12 Nov 2025" in row
    # The counts stay, below.
    assert ">1</a><br>open case<" in html


def test_the_worklist_row_opens_the_form_and_goes_once_the_step_is_recorded(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    late = _case(me, team, date(2025, 10, 1), "Ruby", "Late")
    html = client.get("/").get_data(as_text=True)
    href = re.search(r'href="(/cases/\d+/events/decided_to_assess)"', html).group(1)
    form = client.get(href)
    assert form.status_code == 200 and "Ruby Late" in form.get_data(as_text=True)
    case_service.record_event(
        db.session.get(type(late), late.id),
        EventType.DECIDED_TO_ASSESS,
        TODAY,
        actor=db.session.get(User, me.id),
        today=TODAY,
    )
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert _rows(html, "step") == []
    assert "Nothing overdue or due this week" in html


def test_an_empty_worklist_says_so(client, auth):
    auth.login(role="coordinator", teams=[create_team()])
    html = client.get("/").get_data(as_text=True)
    assert "Nothing overdue or due this week" in html and 'data-worklist="steps"' not in html


def test_family_messages_are_listed_with_a_link_to_reply_and_not_twice(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = _case(me, team, date(2025, 11, 3), "Fin", "Family")
    comm = _family_message(case, received_on=date(2025, 11, 27), from_name="Jo Family")
    _family_message(case, received_on=date(2025, 11, 20), from_name="Answered Already", answered=True)
    html = client.get("/").get_data(as_text=True)
    [row] = _rows(html, "message")
    assert f'href="/cases/{case.id}/communications/{comm.id}/respond"' in row and "Reply to Jo Family" in row
    assert "2 working days waiting" in row  # Thursday 27 to Monday 1
    # Its 5-working-day reply is not listed again among the steps.
    assert not [r for r in _rows(html, "step") if "respond" in r]


def test_exception_decisions_return_to_the_coordinator_until_they_open_the_case(client, auth):
    team = create_team()
    me = create_user(role="coordinator", teams=[team])
    manager = create_user(role="manager", teams=[team])
    case = _case(me, team, date(2025, 10, 1), "Eve", "Except")
    exception = case_service.propose_exception(
        case,
        milestone_key="decision_to_assess",
        limb="personal_circumstances",
        starts_on=date(2025, 10, 20),
        ends_on=None,
        reason="In hospital",
        evidence=None,
        actor=me,
        today=TODAY,
    )
    db.session.commit()
    auth.login(me)
    assert _rows(client.get("/").get_data(as_text=True), "exception") == []  # not decided yet
    case_service.decide_exception(exception, approve=False, note="Not enough evidence", actor=manager)
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    [row] = _rows(html, "exception")
    assert (
        "Eve Except" in row and "Rejected" in row and "Not enough evidence" in row and f'href="/cases/{case.id}"' in row
    )
    assert client.get(f"/cases/{case.id}").status_code == 200  # seen
    assert _rows(client.get("/").get_data(as_text=True), "exception") == []


# --- The manager's queues ----------------------------------------------------------------------


def test_manager_home_has_the_three_queues_of_their_teams_with_links_to_act(client, auth):
    team, elsewhere = create_team(), create_team()
    auth.login(role="manager", teams=[team])
    coordinator = create_user(role="coordinator", teams=[team])
    far = create_user(role="coordinator", teams=[elsewhere])
    case = _case(coordinator, team, date(2025, 10, 1), "Quin", "Queue")
    exception = case_service.propose_exception(
        case,
        milestone_key="decision_to_assess",
        limb="personal_circumstances",
        starts_on=date(2025, 10, 20),
        ends_on=None,
        reason="In hospital",
        evidence=None,
        actor=coordinator,
        today=TODAY,
    )
    db.session.commit()
    newer = _family_message(case, received_on=date(2025, 11, 28), from_name="Newer Parent")
    older = _family_message(case, received_on=date(2025, 11, 24), from_name="Older Parent")
    nobody = _case(coordinator, team, date(2025, 11, 3), "Una", "Nobody")
    nobody.coordinator_id = None
    # Another team's work is not on this manager's queues.
    theirs = _case(far, elsewhere, date(2025, 10, 1), "Zed", "Elsewhere")
    theirs.coordinator_id = None
    _family_message(theirs, received_on=date(2025, 11, 20), from_name="Far Parent")
    db.session.commit()

    html = client.get("/").get_data(as_text=True)
    assert html.index('id="exceptions-queue"') < html.index("Open work in my teams")
    [exception_row] = _rows(html, "exception")
    assert (
        f'href="/cases/{case.id}/exceptions/{exception.id}/decide"' in exception_row and "Quin Queue" in exception_row
    )
    messages = _rows(html, "message")
    assert [("Older Parent" in m, "Newer Parent" in m) for m in messages] == [
        (True, False),
        (False, True),
    ]  # oldest first
    assert (
        f'href="/cases/{case.id}/communications/{older.id}/respond"' in messages[0] and "5 working days" in messages[0]
    )
    assert f"/communications/{newer.id}/respond" in messages[1] and "1 working day waiting<" in messages[1]
    [unassigned] = _rows(html, "case")
    assert f'href="/cases/{nobody.id}/reassign"' in unassigned and "Una Nobody" in unassigned
    assert "Elsewhere" not in html and "Far Parent" not in html
    for href in re.findall(r'class="govuk-link govuk-task-list__link" href="([^"]+)"', html):
        assert client.get(href).status_code == 200, href  # each row opens a page the manager can act on
    assert "Family messages unanswered (2)" in html and "Open cases without a coordinator (1)" in html


def test_empty_queues_say_so(client, auth):
    auth.login(role="manager", teams=[create_team()])
    html = client.get("/").get_data(as_text=True)
    assert "No exceptions are waiting for a decision." in html
    assert "Every message from a family has a reply." in html and "Every open case has a coordinator." in html


# --- The viewer's figures ----------------------------------------------------------------------


def test_viewer_home_shows_figures_without_names_and_links_to_the_reports_they_may_open(client, auth):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    _case(coordinator, team, date(2025, 10, 1), "Vic", "Hidden")
    decided = _case(coordinator, team, date(2025, 10, 1), "Dee", "Decided")
    case_service.record_event(decided, EventType.DECIDED_TO_ASSESS, date(2025, 11, 5), actor=coordinator, today=TODAY)
    db.session.commit()
    auth.login(role="viewer", teams=[team])
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'data-figure="overdue"><span[^>]*>1</span>', html)
    assert "On time in November 2025" in html and "New EHC plans issued within 20 weeks" in html
    decisions = html.split("Decisions whether to assess within 6 weeks")[1].split("</dd>")[0]
    assert "<strong>100.0%</strong> on time (1 of 1)" in decisions
    assert 'href="/reports/overdue?show=overdue"' in html and 'href="/reports/dashboard"' in html
    assert "Vic" not in html and "Hidden" not in html and "Decided" not in html
    assert "data-worklist" not in html and "data-queue" not in html


def test_viewer_without_a_team_is_told_why_there_are_no_figures(client, auth):
    auth.login(role="viewer")
    html = client.get("/").get_data(as_text=True)
    assert "You are not in a team yet" in html and 'href="/reports/dashboard"' in html


def test_links_are_offered_only_to_pages_the_role_may_open(app):
    from flask_login import login_user

    from ehc_tracker.main.routes import may_open

    viewer = create_user(role="viewer")
    with app.test_request_context():
        login_user(viewer)
        assert may_open("reports.overdue") and may_open("reports.dashboard")
        assert not may_open("reports.targets") and not may_open("admin.users")


def test_an_advice_row_opens_the_advice_received_form_with_that_advice_chosen(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = _case(me, team, date(2025, 9, 1))
    record = case_service.record_event
    record(case, EventType.DECIDED_TO_ASSESS, date(2025, 10, 6), actor=me, today=TODAY)
    record(
        case,
        EventType.ADVICE_REQUESTED,
        date(2025, 10, 20),
        actor=me,
        today=TODAY,
        advice_type="ep",
        provider="EP Service",
    )
    record(
        case,
        EventType.ADVICE_REQUESTED,
        date(2025, 10, 21),
        actor=me,
        today=TODAY,
        advice_type="health",
        provider="Paediatrics",
    )
    db.session.commit()
    ep, health = case.advice_requests
    html = client.get("/").get_data(as_text=True)
    links = re.findall(r'href="(/cases/\d+/events/advice_received[^"]*)"', html)
    assert sorted(links) == sorted(
        [
            f"/cases/{case.id}/events/advice_received?advice_request_id={ep.id}",
            f"/cases/{case.id}/events/advice_received?advice_request_id={health.id}",
        ]
    )
    form = client.get(f"/cases/{case.id}/events/advice_received?advice_request_id={health.id}").get_data(as_text=True)
    assert re.search(rf'<input[^>]*value="{health.id}"[^>]*checked', form)
    assert not re.search(rf'<input[^>]*value="{ep.id}"[^>]*checked', form)
    # An id that is not one of this case's open requests chooses nothing.
    form = client.get(f"/cases/{case.id}/events/advice_received?advice_request_id=999999").get_data(as_text=True)
    assert "checked" not in form.split("Which advice")[1].split("</fieldset>")[0]
