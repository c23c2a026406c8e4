"""A manager moves all, or some, of one coordinator's open cases to another in one step."""

from datetime import date

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.case import Case, CaseAssignment, CaseStatus
from ehc_tracker.services import Conflict, ServiceError
from ehc_tracker.services import cases as case_service
from tests.factories_cases import create_assessment
from tests.factories_children import create_child
from tests.helpers import create_team, create_user

URL = "/cases/reassign-many"


def _leaver_with_cases(team, n=3):
    leaver = create_user(role="coordinator", teams=[team], name="Lee Leaver")
    cases = [
        create_assessment(
            team=team,
            coordinator=leaver,
            received_on=date(2025, 9, 1 + i),
            child=create_child(team=team, first_name=f"Child{i}", last_name="Smith", date_of_birth=date(2015, 5, 1)),
        )
        for i in range(n)
    ]
    return leaver, cases


def _holders(case_ids):
    db.session.expire_all()
    return {case_id: db.session.get(Case, case_id).coordinator_id for case_id in case_ids}


def test_manager_moves_all_of_a_leavers_open_cases_with_history_and_audit(client, auth):
    team = create_team(name="North Team")
    leaver, cases = _leaver_with_cases(team)
    closed = create_assessment(team=team, coordinator=leaver, received_on=date(2025, 9, 20))
    closed.status = CaseStatus.WITHDRAWN
    db.session.commit()
    robin = create_user(role="coordinator", teams=[team], name="Robin Taker")
    manager = auth.login(role="manager", teams=[team])

    page = client.get(f"{URL}?from={leaver.id}").get_data(as_text=True)
    assert "3 open cases held by Lee Leaver" in page
    for case in cases:
        assert f'data-case-id="{case.id}"' in page and case.child.full_name in page
    assert f'data-case-id="{closed.id}"' not in page
    assert "EHC needs assessment" in page and "Decide whether to assess" in page  # case type and next due
    assert 'value="all" name="which"' in page and "Move all 3 cases" in page
    assert 'value="selected" name="which"' in page and "Move the ticked cases" in page

    response = client.post(
        f"{URL}?from={leaver.id}", data={"which": "all", "coordinator_id": robin.id, "reason": "Leaving the service"}
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Moved 3 cases from Lee Leaver to Robin Taker." in html
    assert "0 open cases held by Lee Leaver" in html
    assert _holders([c.id for c in cases]) == {c.id: robin.id for c in cases}
    assert _holders([closed.id]) == {closed.id: leaver.id}  # a closed case stays where it was

    rows = db.session.scalars(select(CaseAssignment).where(CaseAssignment.coordinator_id == robin.id)).all()
    assert sorted(r.case_id for r in rows) == sorted(c.id for c in cases)
    assert {(r.assigned_by_id, r.reason) for r in rows} == {(manager.id, "Leaving the service")}
    audits = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case_reassigned")).all()
    assert sorted(int(a.object_id) for a in audits) == sorted(c.id for c in cases)
    assert all(a.details["old"] == leaver.id and a.details["new"] == robin.id and a.details["bulk"] for a in audits)


def test_a_selection_moves_only_the_ticked_cases(client, auth):
    team = create_team()
    leaver, cases = _leaver_with_cases(team)
    robin = create_user(role="coordinator", teams=[team], name="Robin Taker")
    auth.login(role="manager", teams=[team])
    response = client.post(
        f"{URL}?from={leaver.id}",
        data={
            "which": "selected",
            "case_ids": [str(cases[0].id), str(cases[2].id)],
            "coordinator_id": robin.id,
        },
    )
    assert response.status_code == 302
    assert "Moved 2 cases from Lee Leaver to Robin Taker." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert _holders([c.id for c in cases]) == {cases[0].id: robin.id, cases[1].id: leaver.id, cases[2].id: robin.id}


def test_choosing_nothing_or_nobody_is_refused_with_the_typing_kept(client, auth):
    team = create_team()
    leaver, cases = _leaver_with_cases(team, n=2)
    robin = create_user(role="coordinator", teams=[team], name="Robin Taker")
    auth.login(role="manager", teams=[team])
    html = client.post(
        f"{URL}?from={leaver.id}", data={"which": "selected", "coordinator_id": robin.id, "reason": "On leave"}
    ).get_data(as_text=True)
    assert "There is a problem" in html and "Select the cases to move" in html and 'value="On leave"' in html
    html = client.post(f"{URL}?from={leaver.id}", data={"coordinator_id": robin.id}).get_data(as_text=True)
    assert "Choose to move the ticked cases or all of them" in html
    html = client.post(
        f"{URL}?from={leaver.id}",
        data={"which": "selected", "case_ids": [str(cases[1].id)], "coordinator_id": "0", "reason": "On leave"},
    ).get_data(as_text=True)
    assert "Select who will take the cases" in html
    assert f'value="{cases[1].id}" checked' in html  # the ticked case is still ticked
    assert _holders([c.id for c in cases]) == {c.id: leaver.id for c in cases}


def test_a_receiver_outside_a_cases_team_is_refused_and_nothing_moves(client, auth):
    north, south = create_team(name="North Team"), create_team(name="South Team")
    leaver = create_user(role="coordinator", teams=[north, south], name="Lee Leaver")
    in_north = create_assessment(team=north, coordinator=leaver)
    in_south = create_assessment(team=south, coordinator=leaver)
    robin = create_user(role="coordinator", teams=[north], name="Robin Taker")
    auth.login(role="manager", teams=[north, south])
    response = client.post(
        f"{URL}?from={leaver.id}", data={"which": "all", "coordinator_id": robin.id, "reason": "Leaving"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Robin Taker is not a coordinator in South Team, so cannot take 1 of the selected cases" in html
    assert in_south.child.full_name in html and "Nothing was moved" in html and 'value="Leaving"' in html
    assert _holders([in_north.id, in_south.id]) == {in_north.id: leaver.id, in_south.id: leaver.id}
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case_reassigned")).all()


def test_an_inactive_or_non_coordinator_receiver_is_refused(app):
    team = create_team()
    leaver, cases = _leaver_with_cases(team, n=1)
    manager = create_user(role="manager", teams=[team])
    gone = create_user(role="coordinator", teams=[team], name="Gone Person", active=False)
    viewer = create_user(role="viewer", teams=[team], name="Val Viewer")
    for person, words in ((gone, "Gone Person's account is not active"), (viewer, "Val Viewer is not a coordinator")):
        try:
            case_service.reassign_many([cases[0].id], person, from_coordinator=leaver, reason="", actor=manager)
        except ServiceError as error:
            assert words in error.message and error.field == "coordinator_id"
        else:
            raise AssertionError("moved to someone who cannot hold cases")
        db.session.rollback()
    assert _holders([cases[0].id]) == {cases[0].id: leaver.id}


def test_a_case_moved_meanwhile_refuses_the_whole_step(app):
    team = create_team()
    leaver, cases = _leaver_with_cases(team, n=2)
    manager = create_user(role="manager", teams=[team])
    robin = create_user(role="coordinator", teams=[team], name="Robin Taker")
    sam = create_user(role="coordinator", teams=[team], name="Sam Other")
    case_service.reassign(cases[1], sam, reason="", actor=manager)  # another manager got there first
    db.session.commit()
    try:
        case_service.reassign_many([c.id for c in cases], robin, from_coordinator=leaver, reason="", actor=manager)
    except Conflict as error:
        assert "no longer an open case held by Lee Leaver" in error.message
    else:
        raise AssertionError("moved a case another manager had already moved")
    db.session.rollback()
    assert _holders([c.id for c in cases]) == {cases[0].id: leaver.id, cases[1].id: sam.id}


def test_every_case_is_locked_before_it_is_checked_and_moved(app, monkeypatch):
    team = create_team()
    leaver, cases = _leaver_with_cases(team)
    manager = create_user(role="manager", teams=[team])
    robin = create_user(role="coordinator", teams=[team])
    locked = []
    real_lock = case_service.lock_case
    monkeypatch.setattr(case_service, "lock_case", lambda case: (locked.append(case.id), real_lock(case)))
    moved = case_service.reassign_many(None, robin, from_coordinator=leaver, reason="", actor=manager)
    assert (
        sorted(c.id for c in moved) == locked == sorted(c.id for c in cases)
    )  # in id order: no deadlock between two managers


def test_a_leaver_whose_account_is_closed_is_still_offered_and_only_managers_may_move(client, auth):
    team = create_team()
    leaver, cases = _leaver_with_cases(team, n=2)
    leaver.active = False
    db.session.commit()
    auth.login(role="coordinator", teams=[team])
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}?from={leaver.id}", data={"which": "all"}).status_code == 403
    auth.logout()
    auth.login(role="admin")
    assert client.get(URL).status_code == 403
    auth.logout()
    auth.login(role="manager", teams=[team])
    page = client.get(URL).get_data(as_text=True)
    assert f'<option value="{leaver.id}">Lee Leaver (2 open cases, account closed)</option>' in page


def test_a_manager_sees_and_moves_only_cases_of_their_own_teams(client, auth):
    mine, theirs = create_team(), create_team()
    leaver = create_user(role="coordinator", teams=[mine, theirs], name="Lee Leaver")
    own = create_assessment(team=mine, coordinator=leaver)
    other = create_assessment(team=theirs, coordinator=leaver)
    robin = create_user(role="coordinator", teams=[mine, theirs])
    auth.login(role="manager", teams=[mine])
    page = client.get(f"{URL}?from={leaver.id}").get_data(as_text=True)
    assert f'data-case-id="{own.id}"' in page and f'data-case-id="{other.id}"' not in page
    response = client.post(
        f"{URL}?from={leaver.id}", data={"which": "selected", "case_ids": [str(other.id)], "coordinator_id": robin.id}
    )
    assert response.status_code == 200 and "Only a manager of the case" in response.get_data(as_text=True)
    assert _holders([other.id]) == {other.id: leaver.id}
    response = client.post(f"{URL}?from={leaver.id}", data={"which": "all", "coordinator_id": robin.id})
    assert response.status_code == 302
    assert _holders([own.id, other.id]) == {own.id: robin.id, other.id: leaver.id}


def test_linked_from_the_caseload_and_the_single_case_reassign_page(client, auth):
    team = create_team()
    leaver, cases = _leaver_with_cases(team, n=1)
    auth.login(role="manager", teams=[team])
    assert f'href="{URL}"' in client.get("/cases/").get_data(as_text=True)
    assert f'href="{URL}?from={leaver.id}"' in client.get(f"/cases/{cases[0].id}/reassign").get_data(as_text=True)
