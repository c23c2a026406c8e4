"""A coordinator runs a case through the pages alone; access rules; errors keep the typing."""

from datetime import date

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.case import Case, CaseStatus, CaseType, ExceptionStatus
from tests.factories_cases import carry_to_final_plan, create_assessment
from tests.factories_children import create_child
from tests.helpers import create_team, create_user


def _d(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _post_ok(client, url, data):
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_coordinator_runs_an_assessment_from_request_to_final_plan(client, auth):
    team = create_team(name="North Team")
    me = auth.login(role="coordinator", teams=[team])
    child = create_child(team=team, first_name="Amara", last_name="Okafor")
    page = client.get(f"/children/{child.id}/assessments/new").get_data(as_text=True)
    assert "Record a request for an EHC needs assessment" in page
    html = _post_ok(
        client,
        f"/children/{child.id}/assessments/new",
        {
            "case_type": "assessment",
            "received_on": _d(date(2025, 1, 6)),
            "source": "parent",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    )
    assert "Case opened. The final plan is due by 26 May 2025." in html
    case = db.session.scalars(select(Case)).one()
    base = f"/cases/{case.id}"
    assert "Record: Decided to assess" in html and "Issue the final EHC plan" in html or "final" in html.lower()

    _post_ok(client, f"{base}/events/decided_to_assess", {"on": _d(date(2025, 2, 10))})
    html = _post_ok(
        client,
        f"{base}/events/advice_requested",
        {"on": _d(date(2025, 2, 11)), "advice_type": "ep", "provider": "EP Service"},
    )
    assert "Recorded: Advice requested on 11 February 2025." in html
    db.session.expire_all()
    advice = db.session.get(Case, case.id).advice_requests[0]
    _post_ok(
        client, f"{base}/events/advice_received", {"on": _d(date(2025, 3, 20)), "advice_request_id": str(advice.id)}
    )
    _post_ok(client, f"{base}/events/decided_to_issue", {"on": _d(date(2025, 3, 31))})
    _post_ok(client, f"{base}/events/draft_plan_issued", {"on": _d(date(2025, 4, 7))})
    _post_ok(client, f"{base}/events/school_consulted", {"on": _d(date(2025, 4, 8)), "setting_name": "Hill Primary"})
    db.session.expire_all()
    consultation = db.session.get(Case, case.id).consultations[0]
    _post_ok(
        client,
        f"{base}/events/school_responded",
        {"on": _d(date(2025, 4, 18)), "consultation_id": str(consultation.id), "outcome": "agreed"},
    )
    html = _post_ok(
        client, f"{base}/events/final_plan_issued", {"on": _d(date(2025, 5, 20)), "named_settings": "Hill Primary"}
    )
    assert "Recorded: Final plan issued on 20 May 2025." in html
    assert 'data-milestone="final_plan" data-status="met_on_time"' in html
    assert "Final plan issued" in html
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status is CaseStatus.COMPLETED
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    assert review.anchor_on == date(2025, 5, 20)
    actions = [e.action for e in db.session.scalars(select(AuditEvent))]
    assert actions.count("case_event_recorded") == 8 and "case_viewed" in actions


def test_coordinator_runs_a_review_from_meeting_to_amended_plan(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2024, 6, 3), coordinator=me, team=team)
    carry_to_final_plan(case, actor=me, today=date(2025, 6, 1), final_on=date(2025, 5, 20))
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    base = f"/cases/{review.id}"
    html = client.get(base).get_data(as_text=True)
    assert "Record: Review meeting scheduled" in html
    _post_ok(
        client,
        f"{base}/events/review_meeting_scheduled",
        {"on": _d(date(2025, 9, 1)), "meeting_on": _d(date(2025, 11, 3))},
    )
    _post_ok(
        client,
        f"{base}/events/invitations_sent",
        {"on": _d(date(2025, 10, 13)), "advice_circulated_on": _d(date(2025, 10, 15))},
    )
    _post_ok(client, f"{base}/events/review_meeting_held", {"on": _d(date(2025, 11, 3))})
    _post_ok(client, f"{base}/events/review_report_received", {"on": _d(date(2025, 11, 12))})
    html = _post_ok(
        client, f"{base}/events/review_decision_notified", {"on": _d(date(2025, 11, 24)), "decision": "amend"}
    )
    assert 'data-milestone="amended_plan_due"' in html
    _post_ok(client, f"{base}/events/amendments_proposed", {"on": _d(date(2025, 11, 25))})
    html = _post_ok(
        client, f"{base}/events/amended_plan_issued", {"on": _d(date(2026, 1, 12)), "named_settings": "Hill Secondary"}
    )
    assert "Recorded: Amended plan issued on 12 January 2026." in html
    db.session.expire_all()
    assert db.session.get(Case, review.id).status is CaseStatus.COMPLETED
    nxt = db.session.scalars(
        select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW, Case.status == CaseStatus.OPEN)
    ).one()
    assert nxt.anchor_on == date(2025, 11, 24)


def test_errors_keep_what_was_typed_and_explain(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    html = client.post(f"/cases/{case.id}/events/decided_to_assess", data={"on": ["3", "1", "2025"]}).get_data(
        as_text=True
    )
    assert "There is a problem" in html
    assert "cannot be before the request was received (6 January 2025)" in html
    assert 'value="3"' in html and 'value="2025"' in html
    html = client.post(
        f"/cases/{case.id}/events/final_plan_issued", data={"on": ["1", "2", "2025"], "named_settings": "Hill"}
    ).get_data(as_text=True)
    assert "Record ‘Draft plan issued’ before ‘Final plan issued’" in html
    assert 'value="Hill"' in html
    html = client.post(f"/cases/{case.id}/events/decided_to_assess", data={"on": ["31", "2", "2025"]}).get_data(
        as_text=True
    )
    assert "must be a real date" in html
    html = client.post(
        f"/children/{case.child_id}/assessments/new",
        data={
            "case_type": "assessment",
            "received_on": _d(date(2099, 1, 1)),
            "source": "parent",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    ).get_data(as_text=True)
    assert "cannot be in the future" in html


def test_correction_through_the_page(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    event = case.events[0]
    html = client.post(
        f"/cases/{case.id}/history/{event.id}/correct", data={"on": _d(date(2025, 1, 3)), "reason": ""}
    ).get_data(as_text=True)
    assert "Enter why the date is being corrected" in html
    html = _post_ok(
        client,
        f"/cases/{case.id}/history/{event.id}/correct",
        {"on": _d(date(2025, 1, 3)), "reason": "Found the email"},
    )
    assert "from 6 January 2025 to 3 January 2025" in html
    assert "Fri 23 May 2025" in html  # final plan due recomputed


def test_other_teams_cases_are_not_found_and_viewers_are_refused(client, auth, app):
    case = create_assessment()
    auth.login(role="coordinator", teams=[create_team()])
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert (
        client.post(f"/cases/{case.id}/events/decided_to_assess", data={"on": _d(date(2025, 2, 1))}).status_code == 404
    )
    assert case.child.full_name not in client.get("/cases/?coordinator_id=").get_data(as_text=True)
    client.post("/sign-out")
    auth.login(role="viewer", teams=[case.team])
    assert client.get(f"/cases/{case.id}").status_code == 403
    assert client.get("/cases/").status_code == 403


def test_colleague_can_view_but_not_change(client, auth):
    case = create_assessment()
    auth.login(role="coordinator", teams=[case.team])
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert case.child.full_name in html and "Record: Decided to assess" not in html
    assert (
        client.post(f"/cases/{case.id}/events/decided_to_assess", data={"on": _d(date(2025, 2, 1))}).status_code == 403
    )


def test_caseload_lists_my_open_cases_by_next_due_date(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    later = create_assessment(received_on=date(2025, 3, 3), coordinator=me, team=team)
    sooner = create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    someone_else = create_assessment(
        received_on=date(2025, 1, 1), team=team, coordinator=create_user(role="coordinator", teams=[team])
    )
    html = client.get("/cases/").get_data(as_text=True)
    assert "My caseload" in html
    assert html.index(sooner.child.full_name) < html.index(later.child.full_name)
    assert someone_else.child.full_name not in html
    html = client.get("/cases/?coordinator_id=").get_data(as_text=True)
    assert someone_else.child.full_name in html
    html = client.get("/cases/?coordinator_id=mine&due=overdue").get_data(as_text=True)
    assert "Overdue" in html
    html = client.get("/cases/?coordinator_id=mine&status=closed").get_data(as_text=True)
    assert "No cases match these filters" in html


def test_exception_proposed_by_coordinator_approved_by_manager(client, auth, app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2025, 1, 6), coordinator=coordinator, team=team)
    auth.login(coordinator)
    html = client.get(f"/cases/{case.id}/exceptions/new").get_data(as_text=True)
    assert "Exceptional personal circumstances" in html
    _post_ok(
        client,
        f"/cases/{case.id}/exceptions/new",
        {
            "milestone_key": "final_plan",
            "limb": "personal_circumstances",
            "starts_on": _d(date(2025, 3, 1)),
            "reason": "In hospital",
            "evidence": "Letter",
        },
    )
    client.post("/sign-out")
    manager = auth.login(role="manager", teams=[team])
    exception = (
        db.session.scalars(select(type(case.exceptions[0]) if case.exceptions else None)).one() if False else None
    )
    db.session.expire_all()
    exception = db.session.get(Case, case.id).exceptions[0]
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Approve or reject" in html
    html = _post_ok(
        client, f"/cases/{case.id}/exceptions/{exception.id}/decide", {"decision": "approve", "note": "Seen"}
    )
    assert "exception applies" in html
    db.session.expire_all()
    assert db.session.get(Case, case.id).exceptions[0].status is ExceptionStatus.APPROVED
    assert manager.id == db.session.get(Case, case.id).exceptions[0].decided_by_id


def test_exception_refused_where_the_law_allows_none_through_the_page(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2024, 6, 3), coordinator=me, team=team)
    carry_to_final_plan(case, actor=me, today=date(2025, 6, 1))
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    html = client.get(f"/cases/{review.id}/exceptions/new").get_data(as_text=True)
    assert "The law allows no exceptions to any time limit of this case" in html


def test_communication_logged_and_answered(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    html = _post_ok(
        client,
        f"/cases/{case.id}/communications/new",
        {
            "received_on": _d(date(2025, 12, 19)),
            "channel": "email",
            "from_name": "Mother",
            "summary": "Any news?",
        },
    )
    assert "A response is due by 30 December 2025 (5 working days)." in html
    db.session.expire_all()
    comm = db.session.get(Case, case.id).communications[0]
    html = client.post(
        f"/cases/{case.id}/communications/{comm.id}/respond",
        data={"responded_on": _d(date(2025, 12, 18)), "reply_channel": "phone"},
    ).get_data(as_text=True)
    assert "cannot be before the day it was received" in html
    html = _post_ok(
        client,
        f"/cases/{case.id}/communications/{comm.id}/respond",
        {"responded_on": _d(date(2025, 12, 22)), "reply_channel": "phone", "summary": "Phoned"},
    )
    assert "Response to Mother recorded." in html


def test_manager_reassigns_with_history(client, auth):
    team = create_team()
    case = create_assessment(team=team)
    other = create_user(role="coordinator", teams=[team], name="Robin Other")
    auth.login(role="manager", teams=[team])
    html = _post_ok(client, f"/cases/{case.id}/reassign", {"coordinator_id": other.id, "reason": "Leave"})
    assert "Case reassigned to Robin Other." in html and "Leave" in html


def test_notes(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(coordinator=me, team=team)
    html = _post_ok(client, f"/cases/{case.id}/notes", {"text": "Spoke to the SENCo"})
    assert "Note added." in html and "Spoke to the SENCo" in html


def test_home_page_counts(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    html = client.get("/").get_data(as_text=True)
    assert "Open work in my caseload" in html
    assert "open case<" in html or ">1</a><br>open case" in html


def test_transfer_in_through_the_page(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    child = create_child(team=team)
    html = client.post(
        f"/children/{child.id}/transfers/new",
        data={
            "previous_authority": "",
            "transferred_on": _d(date(2025, 9, 1)),
            "plan_issued_on": _d(date(2022, 3, 1)),
            "last_reviewed_on": _d(date(2021, 3, 10)),
            "named_settings": "Hill",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    ).get_data(as_text=True)
    assert "Enter the authority the plan came from" in html and 'value="Hill"' in html
    html = client.post(
        f"/children/{child.id}/transfers/new",
        data={
            "previous_authority": "Elsewhere",
            "transferred_on": _d(date(2025, 9, 1)),
            "plan_issued_on": _d(date(2022, 3, 1)),
            "last_reviewed_on": _d(date(2021, 3, 10)),
            "named_settings": "Hill",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    ).get_data(as_text=True)
    assert "cannot be before the plan was issued" in html
    html = _post_ok(
        client,
        f"/children/{child.id}/transfers/new",
        {
            "previous_authority": "Elsewhere",
            "transferred_on": _d(date(2025, 9, 1)),
            "plan_issued_on": _d(date(2022, 3, 1)),
            "last_reviewed_on": _d(date(2025, 3, 10)),
            "named_settings": "Hill",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    )
    assert "Tell the family how it will be reviewed by 13 October 2025." in html
    assert "From Elsewhere on 1 September 2025" in html
    assert "Record: Family told how the transferred plan will be reviewed" in html


def test_each_caseload_row_offers_its_next_step_only_to_those_who_may_record_it(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    mine = create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    theirs = create_assessment(
        received_on=date(2025, 1, 7), team=team, coordinator=create_user(role="coordinator", teams=[team])
    )
    html = client.get("/cases/?coordinator_id=").get_data(as_text=True)
    assert f'data-next-step="decided_to_assess" href="/cases/{mine.id}/events/decided_to_assess"' in html
    assert f"/cases/{theirs.id}/events/" not in html  # another coordinator's case: no link to record on it

    _post_ok(client, f"/cases/{mine.id}/events/decided_to_assess", {"on": _d(date(2025, 2, 10))})
    html = client.get("/cases/").get_data(as_text=True)
    assert f'data-next-step="advice_requested" href="/cases/{mine.id}/events/advice_requested"' in html


def test_the_final_plan_form_offers_the_setting_that_agreed_to_be_named(client, auth):
    from ehc_tracker.models.case import EventType
    from ehc_tracker.services import cases as case_service

    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    record = case_service.record_event
    for kind, on, details in (
        (EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), {}),
        (EventType.ADVICE_REQUESTED, date(2025, 2, 11), {"advice_type": "ep", "provider": "EP Service"}),
        (EventType.DECIDED_TO_ISSUE, date(2025, 3, 31), {}),
        (EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7), {}),
        (EventType.SCHOOL_CONSULTED, date(2025, 4, 8), {"setting_name": "Hill Primary"}),
        (EventType.SCHOOL_CONSULTED, date(2025, 4, 9), {"setting_name": "Oak Academy"}),
    ):
        record(case, kind, on, actor=me, today=date(2025, 4, 10), **details)
    hill, oak = case.consultations
    record(
        case,
        EventType.SCHOOL_RESPONDED,
        date(2025, 4, 18),
        actor=me,
        today=date(2025, 4, 20),
        consultation_id=oak.id,
        outcome="declined",
    )
    db.session.commit()
    html = client.get(f"/cases/{case.id}/events/final_plan_issued").get_data(as_text=True)
    assert 'value="Hill Primary"' not in html  # not yet agreed
    record(
        case,
        EventType.SCHOOL_RESPONDED,
        date(2025, 4, 22),
        actor=me,
        today=date(2025, 4, 22),
        consultation_id=hill.id,
        outcome="agreed",
    )
    db.session.commit()
    html = client.get(f"/cases/{case.id}/events/final_plan_issued").get_data(as_text=True)
    assert 'value="Hill Primary"' in html and "Oak Academy" not in html.split('id="named_settings"')[1][:300]


def test_the_caseload_link_for_advice_received_chooses_the_advice_the_row_shows(client, auth):
    from ehc_tracker.models.case import EventType
    from ehc_tracker.services import cases as case_service

    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=me, today=date(2025, 2, 20))
    case_service.record_event(
        case,
        EventType.ADVICE_REQUESTED,
        date(2025, 2, 12),
        actor=me,
        today=date(2025, 2, 20),
        advice_type="health",
        provider="Paediatrics",
    )
    case_service.record_event(
        case,
        EventType.ADVICE_REQUESTED,
        date(2025, 2, 11),
        actor=me,
        today=date(2025, 2, 20),
        advice_type="ep",
        provider="EP Service",
    )
    db.session.commit()
    earliest = next(a for a in case.advice_requests if a.provider == "EP Service")
    html = client.get("/cases/").get_data(as_text=True)
    assert f'href="/cases/{case.id}/events/advice_received?advice_request_id={earliest.id}"' in html


def test_a_caseload_row_whose_next_time_limit_is_a_reply_offers_to_record_that_reply(client, auth):
    from ehc_tracker.models.case import Channel
    from ehc_tracker.services import cases as case_service

    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    mine = create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    comm = case_service.log_communication(
        mine,
        received_on=date(2025, 1, 7),
        channel=Channel.EMAIL,
        from_name="Pat Brown",
        summary="When will you decide?",
        actor=me,
        today=date(2025, 1, 7),
    )
    db.session.commit()

    html = client.get("/cases/").get_data(as_text=True)
    row = html.split(f'href="/cases/{mine.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Respond to communication" in row  # the reply is due before the decision
    assert f'data-reply-to="{comm.id}" href="/cases/{mine.id}/communications/{comm.id}/respond"' in row
    assert "Record the reply" in row and "data-next-step" not in row

    case_service.record_response(
        comm,
        responded_on=date(2025, 1, 9),
        summary="Told them",
        reply_channel=Channel.EMAIL,
        actor=me,
        today=date(2025, 1, 9),
    )
    db.session.commit()
    row = client.get("/cases/").get_data(as_text=True).split(f'href="/cases/{mine.id}"', 1)[1].split("</tr>", 1)[0]
    assert "data-reply-to" not in row
    assert f'data-next-step="decided_to_assess" href="/cases/{mine.id}/events/decided_to_assess"' in row
