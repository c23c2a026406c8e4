"""Family feedback: surveys offered at the points the council chooses, links that work once,
who may read the answers."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.alerts import OutboxMessage
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.models.voice import FamilySurvey, SurveyPoint, SurveyRating
from ehc_tracker.services import Conflict, Forbidden, ServiceError, family, feedback
from tests.factories_cases import carry_to_final_plan, create_assessment
from tests.helpers import create_user

NOW = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)


def _family_case(email="parent@example.org"):
    case = create_assessment()
    new = family.invite(
        case,
        name="Pat Parent",
        email=email,
        relationship=FamilyRelationship.PARENT,
        actor=case.coordinator,
        now=NOW,
        today=date(2025, 1, 6),
    )
    parent = family.accept(new.token, password="three random words here", now=NOW)
    db.session.commit()
    return case, parent


def _token(parent) -> str:
    body = db.session.scalar(
        select(OutboxMessage.body_text).where(
            OutboxMessage.to_address == parent.email, OutboxMessage.subject == "Tell us how we did"
        )
    )
    assert body, "no survey email"
    return re.search(r"/feedback/([A-Za-z0-9_-]+)", body).group(1)


def test_issuing_the_plan_offers_the_family_a_survey_by_account_and_email(app):
    case, parent = _family_case()
    carry_to_final_plan(case, actor=case.coordinator)
    survey = db.session.scalars(select(FamilySurvey)).one()
    assert survey.point is SurveyPoint.PLAN_ISSUED and survey.user_id == parent.id
    assert survey.coordinator_id == case.coordinator_id and survey.team_id == case.team_id
    token = _token(parent)
    assert survey.token_hash != token and token not in survey.token_hash
    later = datetime.now(UTC)
    assert feedback.open_surveys(parent, case, now=later) == [survey]
    assert feedback.survey_by_token(token, now=later) is survey
    assert "feedback_survey_offered" in {e.action for e in db.session.scalars(select(AuditEvent))}


def test_no_survey_at_a_point_the_council_did_not_choose(app):
    app.config["FEEDBACK_SURVEY_POINTS"] = "review_decision_notified"
    case, _ = _family_case()
    carry_to_final_plan(case, actor=case.coordinator)
    assert db.session.scalars(select(FamilySurvey)).all() == []


def test_the_link_works_once(app):
    case, parent = _family_case()
    carry_to_final_plan(case, actor=case.coordinator)
    token = _token(parent)
    now = datetime.now(UTC)
    survey = feedback.survey_by_token(token, now=now)
    feedback.answer(survey, rating=SurveyRating.SATISFIED, comment=" Thank you ", now=now, today=date(2025, 12, 1))
    db.session.commit()
    assert survey.rating is SurveyRating.SATISFIED and survey.comment == "Thank you"
    assert survey.answered_on == date(2025, 12, 1)
    with pytest.raises(ServiceError, match="already been used"):
        feedback.survey_by_token(token, now=now)
    with pytest.raises(Conflict):
        feedback.answer(survey, rating=SurveyRating.NOT_SATISFIED, comment=None, now=now, today=date(2025, 12, 1))
    assert feedback.open_surveys(parent, case, now=now) == []
    answered = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "feedback_survey_answered")).one()
    assert answered.actor_id == parent.id and "emailed link" in answered.summary


def test_the_link_expires(app):
    case, parent = _family_case()
    carry_to_final_plan(case, actor=case.coordinator)
    survey = db.session.scalars(select(FamilySurvey)).one()
    with pytest.raises(ServiceError):
        feedback.survey_by_token(_token(parent), now=survey.expires_at + timedelta(seconds=1))


def test_only_the_family_account_it_was_offered_to_answers_it_signed_in(app):
    case, parent = _family_case()
    carry_to_final_plan(case, actor=case.coordinator)
    survey = db.session.scalars(select(FamilySurvey)).one()
    other = create_user(role="family")
    with pytest.raises(Forbidden):
        feedback.answer(
            survey,
            rating=SurveyRating.SATISFIED,
            comment=None,
            now=datetime.now(UTC),
            today=date.today(),
            signed_in=other,
        )
    feedback.answer(
        survey, rating=SurveyRating.PARTLY, comment=None, now=datetime.now(UTC), today=date.today(), signed_in=parent
    )
    assert survey.rating is SurveyRating.PARTLY


def test_the_coordinator_reads_an_answer_only_when_a_manager_shares_it(app):
    case, parent = _family_case()
    carry_to_final_plan(case, actor=case.coordinator)
    survey = db.session.scalars(select(FamilySurvey)).one()
    feedback.answer(
        survey, rating=SurveyRating.NOT_SATISFIED, comment="Slow", now=datetime.now(UTC), today=date.today()
    )
    coordinator = case.coordinator
    manager = create_user(role="manager", teams=[case.team])
    colleague = create_user(role="coordinator", teams=[case.team])
    assert feedback.can_read(manager, survey)
    assert not feedback.can_read(coordinator, survey)
    assert feedback.readable_for_case(coordinator, case) == []
    with pytest.raises(Forbidden):
        feedback.set_shared(survey, share=True, actor=coordinator, now=NOW)
    assert feedback.set_shared(survey, share=True, actor=manager, now=NOW)
    assert not feedback.set_shared(survey, share=True, actor=manager, now=NOW)
    assert feedback.can_read(coordinator, survey) and feedback.readable_for_case(coordinator, case) == [survey]
    assert not feedback.can_read(colleague, survey)  # shared with the coordinator it names, no one else
    actions = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("feedback_%")))]
    assert "feedback_shared_with_coordinator" in actions
    feedback.set_shared(survey, share=False, actor=manager, now=NOW)
    assert not feedback.can_read(coordinator, survey)
