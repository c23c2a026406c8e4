"""The law's guard rails through the pages: the refusal on the form with the typing kept, the
warning that lets the coordinator go on, the confirmation that is recorded and shown; and every
confirmation banner rendered as markup, never printed as text.
"""

import re
from datetime import date

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.case import Case, CaseStatus, CaseType, EventType, Plan, PlanStatus
from ehc_tracker.services import cases as case_service
from tests.factories_cases import carry_to_final_plan, create_assessment
from tests.factories_children import create_child
from tests.helpers import create_team

ESCAPED_MARKUP = re.compile(r"&lt;(p|a|span|div|strong|h[1-6]|ul|li)[\s&]")


def _d(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _body(html: str) -> str:
    return html.split("<body", 1)[-1]


def _post_ok(client, url, data):
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert not ESCAPED_MARKUP.search(_body(html)), ESCAPED_MARKUP.search(_body(html))
    return html


def _post_refused(client, url, data):
    response = client.post(url, data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    return html


def test_success_banner_and_reassign_link_are_markup_not_text(client, auth):
    team = create_team()
    manager = auth.login(role="manager", teams=[team])
    case = create_assessment(team=team)
    html = _post_ok(client, f"/cases/{case.id}/notes", {"text": "Phoned the family"})
    assert '<p class="govuk-notification-banner__heading">' in html
    assert '>Reassign<span class="govuk-visually-hidden"> this case</span></a>' in html
    assert manager.role.value == "manager"


def test_a_young_person_request_from_a_child_of_school_age_is_refused_with_the_typing_kept(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2012, 3, 1))
    html = _post_refused(
        client,
        f"/children/{child.id}/assessments/new",
        {
            "case_type": "assessment",
            "received_on": _d(date(2025, 10, 6)),
            "source": "young_person",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    )
    assert "not a young person" in html and 'value="young_person" checked' in html
    assert 'value="6"' in html and 'value="2025"' in html
    assert db.session.scalar(select(Case.id).where(Case.child_id == child.id)) is None


def test_a_new_assessment_for_a_child_with_a_plan_offers_the_reassessment(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    first = create_assessment(team=team, coordinator=me)
    carry_to_final_plan(first, actor=me)
    child_page = client.get(f"/children/{first.child_id}").get_data(as_text=True)
    assert "Record a request for reassessment" in child_page
    form = client.get(f"/children/{first.child_id}/assessments/new").get_data(as_text=True)
    assert 'value="reassessment" checked' in form
    data = {
        "case_type": "assessment",
        "received_on": _d(date(2025, 10, 6)),
        "source": "parent",
        "team_id": team.id,
        "coordinator_id": me.id,
    }
    html = _post_refused(client, f"/children/{first.child_id}/assessments/new", data)
    assert "Reassessment of an existing plan" in html and "already has an EHC plan" in html
    html = _post_ok(client, f"/children/{first.child_id}/assessments/new", {**data, "case_type": "reassessment"})
    assert "Decide whether to reassess by 21 October 2025." in html  # reg 25(1): 6 Oct + 15 days


def test_final_plan_inside_the_representation_period_needs_the_confirmation_then_shows_it(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(team=team, coordinator=me)
    today = date(2025, 12, 1)
    for kind, on in (
        (EventType.DECIDED_TO_ASSESS, date(2025, 2, 10)),
        (EventType.DECIDED_TO_ISSUE, date(2025, 3, 31)),
        (EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7)),
    ):
        case_service.record_event(case, kind, on, actor=me, today=today)
    db.session.commit()
    url = f"/cases/{case.id}/events/final_plan_issued"
    page = client.get(url).get_data(as_text=True)
    assert "runs until" in page and "Monday 21 April 2025" in page
    html = _post_refused(client, url, {"on": _d(date(2025, 4, 14)), "named_settings": "Hill Primary"})
    assert "until 21 April 2025" in html and 'value="Hill Primary"' in html
    html = _post_ok(
        client,
        url,
        {"on": _d(date(2025, 4, 14)), "named_settings": "Hill Primary", "family_confirmed_on": _d(date(2025, 4, 11))},
    )
    assert "Family confirmed no further representations on 11 April 2025" in html
    audited = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case_event_recorded").order_by(AuditEvent.id.desc())
    ).first()
    assert audited.details["family_confirmed_on"] == "2025-04-11"


def _y6_review(me, team):
    child = create_child(team=team, date_of_birth=date(2015, 3, 14))
    review = case_service.open_annual_review(
        child=child, plan=None, last_reviewed_on=date(2025, 6, 2), team_id=team.id, coordinator_id=me.id, actor=me
    )
    db.session.commit()
    return review


def test_a_late_review_meeting_is_warned_then_saved_when_the_coordinator_goes_on(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    review = _y6_review(me, team)
    url = f"/cases/{review.id}/events/review_meeting_scheduled"
    data = {"on": _d(date(2025, 11, 3)), "meeting_on": _d(date(2026, 2, 16))}
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "after the phase-transfer deadline" in html
    assert "Schedule the meeting on this date anyway" in html and 'value="16"' in html
    db.session.expire_all()
    assert db.session.get(Case, review.id).review_meeting_on is None  # not saved yet
    html = _post_ok(client, url, {**data, "confirm_warnings": "y"})
    assert (
        "Recorded: Review meeting scheduled on 3 November 2025." in html and "after the phase-transfer deadline" in html
    )
    db.session.expire_all()
    assert db.session.get(Case, review.id).review_meeting_on == date(2026, 2, 16)


def test_a_review_meeting_in_good_time_is_saved_without_a_warning(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    review = _y6_review(me, team)
    html = _post_ok(
        client,
        f"/cases/{review.id}/events/review_meeting_scheduled",
        {"on": _d(date(2025, 10, 1)), "meeting_on": _d(date(2025, 11, 3))},
    )
    assert "Recorded: Review meeting scheduled on 1 October 2025." in html and "phase-transfer deadline" not in html


def test_deciding_not_to_amend_through_the_pages(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2024, 6, 3), coordinator=me, team=team)
    carry_to_final_plan(case, actor=me, today=date(2025, 6, 1), final_on=date(2025, 5, 20))
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    base = f"/cases/{review.id}"
    _post_ok(client, f"{base}/events/review_meeting_held", {"on": _d(date(2025, 11, 3))})
    _post_ok(client, f"{base}/events/review_decision_notified", {"on": _d(date(2025, 11, 24)), "decision": "amend"})
    _post_ok(client, f"{base}/events/amendments_proposed", {"on": _d(date(2025, 11, 24))})
    _post_refused(client, f"{base}/events/decided_not_to_amend", {"on": _d(date(2025, 12, 10)), "reason": ""})
    html = _post_ok(
        client,
        f"{base}/events/decided_not_to_amend",
        {"on": _d(date(2025, 12, 10)), "reason": "The family agreed the plan still fits"},
    )
    assert "Recorded: Decided not to amend the plan on 10 December 2025." in html
    assert 'data-milestone="decision_not_to_amend_due" data-status="met_on_time"' in html


def test_ceasing_a_plan_between_reviews_through_the_child_page(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2024, 6, 3), coordinator=me, team=team)
    carry_to_final_plan(case, actor=me, today=date(2025, 6, 1), final_on=date(2025, 5, 20))
    plan = db.session.scalars(select(Plan)).one()
    child_page = client.get(f"/children/{case.child_id}").get_data(as_text=True)
    assert "Cease this plan" in child_page
    cease = f"/children/{case.child_id}/plans/{plan.id}/cease"
    html = _post_refused(client, cease, {"reason": "2", "decided_on": _d(date(2025, 10, 20))})
    assert "right to appeal" in html
    html = _post_ok(
        client, cease, {"reason": "2", "decided_on": _d(date(2025, 10, 20)), "notice_sent_on": _d(date(2025, 10, 28))}
    )
    assert "The family can appeal until 2 January 2026; the plan is maintained until then." in html
    assert "Record the end of this plan" in html
    end = f"/children/{case.child_id}/plans/{plan.id}/end"
    page = client.get(end).get_data(as_text=True)
    assert "it can end from 3 January 2026" in page
    html = _post_refused(client, end, {"ended_on": _d(date(2025, 12, 31))})
    assert "so it can end from 3 January 2026" in html and 'value="31"' in html
    html = _post_ok(client, end, {"ended_on": _d(date(2026, 1, 5))})
    assert "plan ended on 5 January 2026. 1 open case on it closed." in html
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).status is PlanStatus.CEASED
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    assert review.status is CaseStatus.CLOSED
    page = client.get(f"/cases/{review.id}").get_data(as_text=True)
    assert 'data-status="overdue"' not in page and "Not needed" in page
