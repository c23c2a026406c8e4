"""Disputes through the pages: opened from the case whose decision is disputed, each step through
the one step form (refusals shown with the typing kept), and the family's plain words."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models.case import AppealType, Case, CaseType, EventType
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services.clock import today
from tests.factories_cases import create_assessment, open_test_dispute
from tests.helpers import create_team, create_user

PASSWORD = "three random words here"
LETTER = date(2025, 2, 10)


def _d(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _refused_assessment(me):
    case = create_assessment(coordinator=me, received_on=date(2025, 1, 6))
    case_service.record_event(
        case, EventType.DECIDED_NOT_TO_ASSESS, LETTER, actor=me, today=today(), reason="Needs met"
    )
    db.session.commit()
    return case


def _dispute(me, assessment, appeal_type=AppealType.REFUSAL_TO_ASSESS):
    return open_test_dispute(assessment, appeal_type=appeal_type, letter_on=LETTER, actor=me, today=today())


def test_a_dispute_is_opened_from_the_case_page_and_linked_both_ways(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    assessment = _refused_assessment(me)
    page = client.get(f"/cases/{assessment.id}").get_data(as_text=True)
    assert f'href="/cases/{assessment.id}/disputes/new"' in page
    response = client.post(
        f"/cases/{assessment.id}/disputes/new",
        data={
            "decision_sent_on": _d(LETTER),
            "appeal_type": "refusal_to_assess",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    dispute = db.session.scalars(select(Case).where(Case.case_type == CaseType.DISPUTE)).one()
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dispute opened. The last day to appeal is 10 April 2025." in html
    assert "Dispute (mediation or appeal)" in html and "Refusal to assess" in html
    assert 'data-milestone="appeal_deadline"' in html and 'data-next-step="mediation_requested"' in html
    assert f'href="/cases/{assessment.id}"' in html
    back = client.get(f"/cases/{assessment.id}").get_data(as_text=True)
    assert f'href="/cases/{dispute.id}"' in back


def test_opening_without_what_is_disputed_or_before_the_case_is_refused_with_the_typing_kept(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    assessment = _refused_assessment(me)
    url = f"/cases/{assessment.id}/disputes/new"
    html = client.post(
        url, data={"decision_sent_on": _d(LETTER), "team_id": team.id, "coordinator_id": me.id}
    ).get_data(as_text=True)
    assert "There is a problem" in html and "Select what is disputed" in html
    response = client.post(
        url,
        data={
            "decision_sent_on": _d(date(2024, 12, 2)),
            "appeal_type": "cease",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 422) and "There is a problem" in html
    assert "cannot be before the disputed case began" in html
    assert 'value="cease" checked' in html and 'value="2024"' in html
    assert db.session.scalar(select(Case.id).where(Case.case_type == CaseType.DISPUTE)) is None


def test_the_step_form_refuses_mediation_after_a_certificate_without_it_and_not_opposed_after_the_response(
    client, auth
):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    dispute = _dispute(me, _refused_assessment(me))
    # A certificate with no mediation asked for: the family chose to go straight to appeal (reg 34).
    response = client.post(
        f"/cases/{dispute.id}/events/mediation_certificate_issued", data={"on": _d(date(2025, 3, 3))}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    html = client.post(
        f"/cases/{dispute.id}/events/mediation_requested",
        data={"on": _d(date(2025, 3, 4)), "requested_by": "parent"},
    ).get_data(as_text=True)
    assert "There is a problem" in html and "without mediation: the family chose to go straight to appeal" in html
    response = client.post(
        f"/cases/{dispute.id}/events/appeal_registered",
        data={"on": _d(date(2025, 4, 7)), "tribunal_reference": "EH123/25/00001"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    response = client.post(f"/cases/{dispute.id}/events/tribunal_response_sent", data={"on": _d(date(2025, 5, 1))})
    assert response.status_code == 302
    html = client.post(
        f"/cases/{dispute.id}/events/appeal_not_opposed",
        data={"on": _d(date(2025, 5, 2)), "limbs": ["assessment_notice"]},
    ).get_data(as_text=True)
    assert "There is a problem" in html and "The response was sent to the tribunal on 1 May 2025" in html
    assert 'value="assessment_notice" checked' in html
    page = client.get(f"/cases/{dispute.id}").get_data(as_text=True)
    assert 'data-milestone="tribunal_response_due"' in page


def test_an_outcome_with_its_order_shows_each_limb_on_the_case_page(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    dispute = _dispute(me, _refused_assessment(me))
    client.post(
        f"/cases/{dispute.id}/events/appeal_registered",
        data={"on": _d(date(2025, 4, 7)), "tribunal_reference": "EH9"},
    )
    form = client.get(f"/cases/{dispute.id}/events/appeal_outcome").get_data(as_text=True)
    assert 'name="limbs"' in form and 'name="appeal_outcome"' in form
    response = client.post(
        f"/cases/{dispute.id}/events/appeal_outcome",
        data={"on": _d(date(2025, 6, 2)), "appeal_outcome": "upheld", "limbs": ["assessment_notice"]},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get(f"/cases/{dispute.id}").get_data(as_text=True)
    assert 'data-milestone="order_assessment_notice"' in page and "reg 44(2)(b)" in page


def test_the_family_page_words_the_order_in_plain_words(client):
    team = create_team()
    from tests.helpers import create_user

    me = create_user(role="coordinator", teams=[team])
    assessment = create_assessment(coordinator=me, received_on=date(2025, 1, 6))
    case_service.record_event(assessment, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=me, today=today())
    case_service.record_event(assessment, EventType.DECIDED_TO_ISSUE, date(2025, 3, 31), actor=me, today=today())
    db.session.commit()
    dispute = _dispute(me, assessment, AppealType.PLAN_CONTENTS)
    record = case_service.record_event
    record(dispute, EventType.APPEAL_REGISTERED, date(2025, 4, 7), actor=me, today=today(), tribunal_reference="E1")
    record(
        dispute,
        EventType.APPEAL_OUTCOME,
        date(2025, 6, 2),
        actor=me,
        today=today(),
        appeal_outcome="upheld_in_part",
        limbs=["amended_plan"],
    )
    db.session.commit()
    text = _family_page_text(client, dispute, me)
    assert "Your disagreement with our decision (mediation or appeal)" in text
    # Reg 44(2)(e): 5 weeks from the order (2 June 2025): 7 July 2025, long past on the service day.
    assert "We had to send you the amended plan by 7 July 2025, as the tribunal ordered." in text
    assert "The tribunal registered your appeal" in text and "The tribunal made its decision" in text


def _family_page_text(client, dispute, me):
    """The dispute's page as a parent invited to it sees it, as plain text."""
    invitation = family_service.invite(
        dispute,
        name="Pat Parent",
        email="pat@example.org",
        relationship=FamilyRelationship.PARENT,
        actor=me,
        now=datetime.now(UTC),
        today=today(),
    )
    user = family_service.accept(invitation.token, password=PASSWORD, now=datetime.now(UTC))
    db.session.commit()
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    response = client.get(f"/family/cases/{dispute.id}")
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_a_family_is_not_told_of_a_response_the_council_did_not_need_to_send(client):
    team = create_team()
    me = create_user(role="coordinator", teams=[team])
    dispute = _dispute(me, _refused_assessment(me))
    record = case_service.record_event
    record(dispute, EventType.APPEAL_REGISTERED, date(2025, 4, 7), actor=me, today=today(), tribunal_reference="E2")
    record(
        dispute, EventType.APPEAL_NOT_OPPOSED, date(2025, 4, 14), actor=me, today=today(), limbs=["assessment_notice"]
    )
    db.session.commit()
    text = _family_page_text(client, dispute, me)
    assert "We told the tribunal we will not oppose your appeal" in text
    assert "our response to the tribunal" not in text.lower()


def test_the_caseload_filters_disputes(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    assessment = _refused_assessment(me)
    dispute = _dispute(me, assessment)
    html = client.get("/cases/?case_type=dispute&coordinator_id=mine").get_data(as_text=True)
    assert f'href="/cases/{dispute.id}"' in html
    assert f'href="/cases/{assessment.id}"' not in html


def test_a_dispute_about_a_plan_is_opened_from_the_childs_page(client, auth):
    from tests.factories_cases import carry_to_final_plan

    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    assessment = create_assessment(coordinator=me, received_on=date(2025, 1, 6))
    carry_to_final_plan(assessment, actor=me)
    db.session.commit()
    plan = assessment.plan or assessment.child.plans[0]
    child_page = client.get(f"/children/{assessment.child_id}").get_data(as_text=True)
    url = f"/children/{assessment.child_id}/plans/{plan.id}/disputes/new"
    assert f'href="{url}"' in child_page
    html = client.post(
        url,
        data={
            "decision_sent_on": _d(date(2025, 5, 1)),
            "appeal_type": "plan_contents",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    ).get_data(as_text=True)
    assert "cannot be before the plan was issued" in html and 'value="plan_contents" checked' in html
    response = client.post(
        url,
        data={
            "decision_sent_on": _d(date(2025, 6, 2)),
            "appeal_type": "plan_contents",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    dispute = db.session.scalars(select(Case).where(Case.case_type == CaseType.DISPUTE)).one()
    assert dispute.plan_id == plan.id and dispute.disputed_case_id is None
    assert dispute.anchor_on == date(2025, 6, 2)


def test_the_history_says_what_each_dispute_step_recorded_in_plain_words(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    dispute = _dispute(me, _refused_assessment(me))
    page = client.get(f"/cases/{dispute.id}").get_data(as_text=True)
    history = page.split('id="history"', 1)[1].split("<h2", 1)[0]
    assert "No steps recorded yet." in history and "<table" not in history

    client.post(
        f"/cases/{dispute.id}/events/appeal_registered",
        data={"on": _d(date(2025, 4, 7)), "tribunal_reference": "EH9"},
    )
    client.post(
        f"/cases/{dispute.id}/events/appeal_outcome",
        data={"on": _d(date(2025, 6, 2)), "appeal_outcome": "upheld", "limbs": ["assessment_notice"]},
    )
    history = client.get(f"/cases/{dispute.id}").get_data(as_text=True).split('id="history"', 1)[1].split("<h2", 1)[0]
    assert "Tribunal reference EH9" in history
    assert "Upheld" in history and "Tell the family the council will assess" in history
    assert "assessment_notice" not in history and "No steps recorded yet." not in history


def _next_step_on_the_page(client, dispute):
    page = client.get(f"/cases/{dispute.id}").get_data(as_text=True)
    found = re.search(r'data-next-step="([a-z_]+)"', page)
    return found.group(1) if found else None


def test_the_next_step_follows_the_appeal_and_puts_what_is_owed_first(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    dispute = _dispute(me, _refused_assessment(me))
    assert _next_step_on_the_page(client, dispute) == "mediation_requested"

    client.post(
        f"/cases/{dispute.id}/events/appeal_registered",
        data={"on": _d(date(2025, 4, 7)), "tribunal_reference": "EH9"},
    )
    assert _next_step_on_the_page(client, dispute) == "tribunal_response_sent"
    client.post(f"/cases/{dispute.id}/events/tribunal_response_sent", data={"on": _d(date(2025, 5, 6))})
    assert _next_step_on_the_page(client, dispute) == "hearing_held"
    client.post(f"/cases/{dispute.id}/events/hearing_held", data={"on": _d(date(2025, 6, 2))})
    assert _next_step_on_the_page(client, dispute) == "appeal_outcome"
    client.post(
        f"/cases/{dispute.id}/events/appeal_outcome",
        data={"on": _d(date(2025, 6, 2)), "appeal_outcome": "upheld", "limbs": ["assessment_notice"]},
    )
    # The order's duty is owed: the panel offers to record it done, not another step.
    assert _next_step_on_the_page(client, dispute) == "dispute_action_taken"
    client.post(
        f"/cases/{dispute.id}/events/dispute_action_taken",
        data={"on": _d(date(2025, 6, 9)), "under": "order", "limb": "assessment_notice"},
    )
    assert _next_step_on_the_page(client, dispute) == "dispute_closed"
