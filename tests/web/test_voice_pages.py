"""Complaints and family feedback through the pages: who may reach what, the survey link that
works once, the coordinator reading an answer only when a manager shares it, viewers' figures."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.alerts import OutboxMessage
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.models.voice import Complaint, ComplaintCategory, ComplaintStage, FamilySurvey
from ehc_tracker.services import complaints as complaint_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services.clock import today
from tests.factories_cases import carry_to_final_plan, create_assessment
from tests.helpers import create_user

FAMILY_PASSWORD = "three random words here"


def _d(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _actions() -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def _answered_family_case(client, *, comment="The coordinator never called back"):
    """A case whose plan was issued; its parent answered the survey by the emailed link."""
    case = create_assessment()
    case.child.last_name = "Zebedee-Quint"
    new = family_service.invite(
        case,
        name="Pat Parent",
        email="parent@example.org",
        relationship=FamilyRelationship.PARENT,
        actor=case.coordinator,
        now=datetime.now(UTC),
        today=today(),
    )
    parent = family_service.accept(new.token, password=FAMILY_PASSWORD, now=datetime.now(UTC))
    db.session.commit()
    carry_to_final_plan(case, actor=case.coordinator)
    body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.subject == "Tell us how we did"))
    link = re.search(r"/feedback/[A-Za-z0-9_-]+", body).group(0)
    if comment is not None:
        response = client.post(link, data={"rating": "not_satisfied", "comment": comment})
        assert response.status_code == 200 and "Thank you" in response.get_data(as_text=True)
    return case, parent, link


# --- Complaints --------------------------------------------------------------------------------


def test_a_coordinator_records_a_complaint_on_the_case_and_its_response(client, auth):
    case = create_assessment()
    auth.login(case.coordinator)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/children/{case.child_id}/complaints/new?case_id={case.id}" in page.replace("&amp;", "&")
    url = f"/children/{case.child_id}/complaints/new"
    # Nothing chosen: the error summary, and what was typed is kept.
    response = client.post(url, data={"case_id": str(case.id), "summary": "Nobody <b>called</b> back"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "Select the stage of the complaint" in html and "Nobody &lt;b&gt;called&lt;/b&gt; back" in html
    received = today() - timedelta(days=40)
    response = client.post(
        url,
        data={
            "case_id": str(case.id),
            "stage": "stage_1",
            "category": "communication",
            "received_on": _d(received),
            "summary": "Nobody called back",
        },
    )
    assert response.status_code == 302
    complaint = db.session.scalars(select(Complaint)).one()
    assert complaint.case_id == case.id and complaint.response_due_on == complaint_service.response_due(
        received, ComplaintStage.STAGE_1
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Complaint recorded. The response is due by" in page and "Overdue" in page
    assert f'<a class="govuk-link" href="/cases/{case.id}">' in page and "&lt;a " not in page
    response = client.post(
        f"/complaints/{complaint.id}",
        data={"responded_on": _d(today()), "outcome": "upheld", "lessons": "Call back the same day"},
    )
    assert response.status_code == 302
    db.session.refresh(complaint)
    assert complaint.outcome.value == "upheld"
    page = client.get(f"/children/{case.child_id}").get_data(as_text=True)
    assert "Stage 1: communication" in page
    actions = _actions()
    assert "complaint_recorded" in actions and "complaint_response_recorded" in actions
    assert "complaint_viewed" in actions
    # Only managers list the complaints.
    assert client.get("/complaints").status_code == 403


def test_managers_list_filter_sort_and_export_complaints_of_their_teams(client, auth):
    case = create_assessment()
    other = create_assessment()
    kw = {"summary": "x", "today": today()}
    late = complaint_service.record_complaint(
        case.child,
        case=case,
        stage=ComplaintStage.STAGE_1,
        category=ComplaintCategory.COMMUNICATION,
        received_on=today() - timedelta(days=60),
        actor=case.coordinator,
        **kw,
    )
    complaint_service.record_complaint(
        case.child,
        case=None,
        stage=ComplaintStage.STAGE_2,
        category=ComplaintCategory.PROVISION,
        received_on=today(),
        actor=case.coordinator,
        **kw,
    )
    complaint_service.record_complaint(
        other.child,
        case=other,
        stage=ComplaintStage.STAGE_1,
        category=ComplaintCategory.COMMUNICATION,
        received_on=today(),
        actor=other.coordinator,
        **kw,
    )
    db.session.commit()
    auth.login(create_user(role="manager", teams=[case.team]), password="correct horse battery staple")
    html = client.get("/complaints").get_data(as_text=True)
    assert html.count(case.child.full_name) == 2 and other.child.full_name not in html
    html = client.get("/complaints?status=overdue").get_data(as_text=True)
    assert html.count(case.child.full_name) == 1 and f"/complaints/{late.id}" in html
    html = client.get("/complaints?category=provision&sort=due&dir=asc").get_data(as_text=True)
    assert "Stage 2" in html and "Provision" in html and html.count(case.child.full_name) == 1
    assert "No complaints match these filters" in client.get("/complaints?stage=ombudsman").get_data(as_text=True)
    csv = client.get("/complaints/export?status=overdue")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2 and case.child.full_name in lines[1] and "Overdue" in lines[1]
    assert "export_downloaded" in _actions() and "complaints_listed" in _actions()
    assert client.get(f"/complaints/{db.session.scalars(select(Complaint.id)).all()[-1]}").status_code == 404


# --- Family feedback ---------------------------------------------------------------------------


def test_the_survey_link_works_once_without_signing_in(client):
    case, parent, link = _answered_family_case(client, comment=None)
    page = client.get(link)
    assert page.status_code == 200 and "Tell us how we did" in page.get_data(as_text=True)
    response = client.post(link, data={"comment": "kept <i>text</i>"})
    html = response.get_data(as_text=True)
    assert "Select how satisfied you are" in html and "kept &lt;i&gt;text&lt;/i&gt;" in html
    response = client.post(link, data={"rating": "satisfied", "comment": "Thanks"})
    assert response.status_code == 200 and "will not work again" in response.get_data(as_text=True)
    assert client.get(link).status_code == 410
    assert client.post(link, data={"rating": "not_satisfied"}).status_code == 410
    survey = db.session.scalars(select(FamilySurvey)).one()
    db.session.refresh(survey)
    assert survey.rating.value == "satisfied"
    assert client.get("/feedback/not-a-real-token").status_code == 410


def test_a_family_answers_from_its_progress_page(client):
    case, parent, _ = _answered_family_case(client, comment=None)
    client.post("/sign-in", data={"email": parent.email, "password": FAMILY_PASSWORD})
    page = client.get(f"/family/cases/{case.id}").get_data(as_text=True)
    survey = db.session.scalars(select(FamilySurvey)).one()
    url = f"/family/cases/{case.id}/feedback/{survey.id}"
    assert url in page
    response = client.post(url, data={"rating": "partly", "comment": ""})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for telling us how we did" in page and url not in page
    assert client.get(url).status_code == 302  # answered: back to the case, saying so


def test_the_coordinator_reads_an_answer_only_once_a_manager_shares_it(client, auth):
    case, _, _ = _answered_family_case(client)
    comment = "The coordinator never called back"
    manager = create_user(role="manager", teams=[case.team])
    auth.login(case.coordinator)
    assert comment not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert client.get("/feedback").status_code == 403
    auth.logout()
    auth.login(manager)
    html = client.get("/feedback").get_data(as_text=True)
    assert comment in html and case.child.full_name in html and "feedback_answers_viewed" in _actions()
    assert f'<a class="govuk-link" href="/cases/{case.id}">' in html and "&lt;a " not in html
    assert comment in client.get(f"/cases/{case.id}").get_data(as_text=True)
    survey = db.session.scalars(select(FamilySurvey)).one()
    response = client.post(
        f"/feedback/answers/{survey.id}/sharing", data={"share": "1", "back": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/feedback"
    assert "feedback_shared_with_coordinator" in _actions()
    auth.logout()
    auth.login(case.coordinator)
    assert comment in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_the_dashboard_shows_complaints_and_satisfaction_and_viewers_see_no_names(client, auth):
    case, _, _ = _answered_family_case(client)
    complaint_service.record_complaint(
        case.child,
        case=case,
        stage=ComplaintStage.STAGE_1,
        category=ComplaintCategory.COMMUNICATION,
        received_on=today(),
        summary="x",
        actor=case.coordinator,
        today=today(),
    )
    db.session.commit()
    auth.login(create_user(role="manager", teams=[case.team]))
    html = client.get("/reports/dashboard").get_data(as_text=True)
    assert "data-complaints-figures" in html and "data-feedback-figures" in html
    assert "/complaints?month=" in html and "/feedback?" in html
    assert re.search(r"0\.0%</span> satisfied", html)
    auth.logout()
    auth.login(create_user(role="viewer", teams=[case.team]))
    html = client.get("/reports/dashboard").get_data(as_text=True)
    assert "data-complaints-figures" in html and re.search(r"0\.0%</span> satisfied", html)
    assert "/complaints?" not in html and "/feedback?" not in html
    assert case.child.full_name not in html and "never called back" not in html
    assert client.get("/complaints").status_code == 403 and client.get("/feedback").status_code == 403
