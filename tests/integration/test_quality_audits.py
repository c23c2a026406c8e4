"""Quality audits: the framework's versions, the monthly sample (reproducible with its seed,
the percentage respected), grading, moderation and its disagreements, and the coordinator's actions."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, AuditSubject, Grade
from ehc_tracker.models.case import CaseEvent, EventType
from ehc_tracker.models.quality import AuditStatus
from ehc_tracker.services import Forbidden, ServiceError, quality
from ehc_tracker.services.quality import Answer
from tests.factories_cases import create_assessment
from tests.helpers import create_team, create_user

TODAY = date(2025, 12, 1)
MONTH = date(2025, 10, 1)
FRAMEWORK = """# Outcomes
Outcomes are specific and measurable
# Provision
Provision is specified and quantified
"""


def _world(plans: int = 10):
    team = create_team(name="North")
    admin = create_user(role="admin")
    manager = create_user(role="manager", teams=[team])
    coordinator = create_user(role="coordinator", teams=[team])
    quality.publish_framework(AuditSubject.PLAN, "Plan audit", FRAMEWORK, actor=admin)
    quality.publish_framework(AuditSubject.ADVICE, "Advice audit", "# Advice\nClear about needs", actor=admin)
    for n in range(plans):
        case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 5, 1))
        db.session.add(CaseEvent(case=case, event_type=EventType.FINAL_PLAN_ISSUED, occurred_on=date(2025, 10, 1 + n)))
    # A plan of another month and one of another team are not drawn.
    other = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 5, 1))
    db.session.add(CaseEvent(case=other, event_type=EventType.FINAL_PLAN_ISSUED, occurred_on=date(2025, 9, 30)))
    south = create_team(name="South")
    elsewhere = create_assessment(team=south, received_on=date(2025, 5, 1))
    db.session.add(CaseEvent(case=elsewhere, event_type=EventType.FINAL_PLAN_ISSUED, occurred_on=date(2025, 10, 3)))
    db.session.commit()
    return team, manager, coordinator, admin


def _answers(audit_, grade: Grade) -> dict[int, Answer]:
    return {q.id: Answer(grade, "") for q in audit_.framework.questions}


def test_a_new_version_of_the_framework_keeps_the_old_one(app):
    team, manager, coordinator, admin = _world(plans=0)
    first = quality.current_framework(AuditSubject.PLAN)
    second = quality.publish_framework(AuditSubject.PLAN, "Plan audit", FRAMEWORK + "Reviewed yearly\n", actor=admin)
    assert (first.version, second.version) == (1, 2)
    assert [q.text for q in first.questions] == [
        "Outcomes are specific and measurable",
        "Provision is specified and quantified",
    ]
    assert [s for s, _ in second.sections] == ["Outcomes", "Provision"]
    assert quality.current_framework(AuditSubject.PLAN) is second
    with pytest.raises(Forbidden):
        quality.publish_framework(AuditSubject.PLAN, "x", FRAMEWORK, actor=manager)
    with pytest.raises(ServiceError):
        quality.parse_framework("A question before any section")


def test_the_sample_respects_the_percentage_and_draws_only_the_months_plans(app):
    team, manager, *_ = _world(plans=10)
    sample = quality.draw_sample(team, MONTH, percent=25, seed=7, actor=manager, today=TODAY)
    assert sample.population == 10
    assert len(sample.audits) == 3  # 25 % of 10, rounded up
    october = {e.id for e in quality.plans_issued_in(team.id, MONTH)}
    assert {a.event_id for a in sample.audits} <= october
    assert db.session.query(AuditEvent).filter_by(action="audit_sample_drawn").count() == 1
    with pytest.raises(ServiceError, match="already drawn"):
        quality.draw_sample(team, MONTH, percent=25, seed=7, actor=manager, today=TODAY)


def test_the_same_seed_draws_the_same_sample():
    population = list(range(100, 160))
    first = quality.choose(population, 6, seed=2026)
    assert first == quality.choose(list(reversed(population)), 6, seed=2026)
    assert first != quality.choose(population, 6, seed=2027)
    assert quality.sample_size(60, percent=10, count=None) == 6
    assert quality.sample_size(7, percent=10, count=None) == 1
    assert quality.sample_size(3, percent=None, count=5) == 3
    assert quality.sample_size(0, percent=50, count=None) == 0


def test_a_sample_is_drawn_by_a_manager_of_the_team_for_a_month_that_has_ended(app):
    team, manager, coordinator, _ = _world(plans=2)
    with pytest.raises(Forbidden):
        quality.draw_sample(team, MONTH, percent=10, seed=1, actor=coordinator, today=TODAY)
    with pytest.raises(ServiceError, match="ended"):
        quality.draw_sample(team, date(2025, 12, 1), percent=10, seed=1, actor=manager, today=TODAY)
    with pytest.raises(ServiceError, match="either"):
        quality.draw_sample(team, MONTH, percent=10, count=2, seed=1, actor=manager, today=TODAY)


def test_grading_without_moderation_completes_the_audit_and_its_actions_reach_the_coordinator(app):
    team, manager, coordinator, _ = _world(plans=2)
    sample = quality.draw_sample(team, MONTH, count=1, seed=3, actor=manager, today=TODAY)
    audit_ = sample.audits[0]
    with pytest.raises(ServiceError, match="Grade every question"):
        quality.grade(audit_, answers={}, overall=Grade.GOOD, comments="", actions="", actor=manager, today=TODAY)
    quality.grade(
        audit_,
        answers=_answers(audit_, Grade.GOOD),
        overall=Grade.GOOD,
        comments="Clear outcomes",
        actions="Quantify the speech therapy in section F",
        actor=manager,
        today=TODAY,
    )
    assert audit_.status is AuditStatus.COMPLETE and audit_.final_grade is Grade.GOOD
    assert quality.actions_for(coordinator) == [audit_]
    quality.actions_done(audit_, actor=coordinator, today=TODAY)
    assert quality.actions_for(coordinator) == []


def test_a_coordinator_audits_only_once_named_an_auditor(app):
    team, manager, coordinator, _ = _world(plans=1)
    sample = quality.draw_sample(team, MONTH, count=1, seed=3, actor=manager, today=TODAY)
    audit_ = sample.audits[0]
    args = dict(answers=_answers(audit_, Grade.GOOD), overall=Grade.GOOD, comments="", actions="", today=TODAY)
    with pytest.raises(Forbidden):
        quality.grade(audit_, actor=coordinator, **args)
    quality.set_auditor(coordinator, auditor=True, actor=manager)
    quality.grade(audit_, actor=coordinator, **args)
    assert audit_.auditor_id == coordinator.id


def test_moderation_that_agrees_completes_and_one_that_disagrees_is_resolved_with_a_note(app):
    team, manager, coordinator, _ = _world(plans=4)
    second = create_user(role="manager", teams=[team])
    sample = quality.draw_sample(team, MONTH, count=2, seed=11, actor=manager, today=TODAY)
    agreed, disputed = sample.audits
    for audit_ in (agreed, disputed):
        quality.assign(audit_, auditor=manager, moderator=second, actor=manager)
        quality.grade(
            audit_,
            answers=_answers(audit_, Grade.GOOD),
            overall=Grade.GOOD,
            comments="",
            actions="",
            actor=manager,
            today=TODAY,
        )
        assert audit_.status is AuditStatus.AWAITING_MODERATION and audit_.final_grade is None
    with pytest.raises(Forbidden):
        quality.moderate(
            agreed, answers=_answers(agreed, Grade.GOOD), overall=Grade.GOOD, comments="", actor=manager, today=TODAY
        )
    quality.moderate(
        agreed, answers=_answers(agreed, Grade.GOOD), overall=Grade.GOOD, comments="", actor=second, today=TODAY
    )
    assert agreed.status is AuditStatus.COMPLETE and agreed.final_grade is Grade.GOOD
    quality.moderate(
        disputed,
        answers=_answers(disputed, Grade.REQUIRES_IMPROVEMENT),
        overall=Grade.REQUIRES_IMPROVEMENT,
        comments="Outcomes vague",
        actor=second,
        today=TODAY,
    )
    assert disputed.status is AuditStatus.DISAGREED and disputed.final_grade is None
    assert disputed.answers_by("auditor") and disputed.answers_by("moderator")
    with pytest.raises(ServiceError, match="Say how"):
        quality.resolve(disputed, final=Grade.GOOD, note="", actor=manager, today=TODAY)
    quality.resolve(
        disputed, final=Grade.REQUIRES_IMPROVEMENT, note="Agreed at moderation meeting", actor=manager, today=TODAY
    )
    assert disputed.status is AuditStatus.COMPLETE and disputed.final_grade is Grade.REQUIRES_IMPROVEMENT
    assert disputed.resolution_note == "Agreed at moderation meeting"
    actions = {e.action for e in db.session.query(AuditEvent)}
    assert {"audit_graded", "audit_moderated", "audit_resolved"} <= actions


def test_the_moderator_must_be_a_second_auditor(app):
    team, manager, *_ = _world(plans=1)
    sample = quality.draw_sample(team, MONTH, count=1, seed=1, actor=manager, today=TODAY)
    with pytest.raises(ServiceError, match="second auditor"):
        quality.assign(sample.audits[0], auditor=manager, moderator=manager, actor=manager)


def test_a_manager_adds_a_plan_and_an_advice_return_to_the_sample(app):
    team, manager, coordinator, _ = _world(plans=1)
    sample = quality.draw_sample(team, MONTH, count=1, seed=1, actor=manager, today=TODAY)
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 5, 1))
    with pytest.raises(ServiceError, match="no plan"):
        quality.add_plan(sample, case, actor=manager)
    from ehc_tracker.services import cases as case_service

    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 6, 1), actor=manager, today=TODAY)
    case_service.record_event(
        case, EventType.ADVICE_REQUESTED, date(2025, 6, 2), actor=manager, today=TODAY, advice_type="ep", provider="EP"
    )
    advice = case.advice_requests[0]
    with pytest.raises(ServiceError, match="not been received"):
        quality.add_advice(sample, advice, actor=manager)
    case_service.record_event(
        case, EventType.ADVICE_RECEIVED, date(2025, 7, 1), actor=manager, today=TODAY, advice_request_id=advice.id
    )
    added = quality.add_advice(sample, advice, actor=manager)
    assert added.subject is AuditSubject.ADVICE and added.added_by_manager
    assert added.framework.subject is AuditSubject.ADVICE


@given(
    population=st.sets(st.integers(min_value=1, max_value=10_000), max_size=200),
    percent=st.integers(min_value=1, max_value=100),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
)
def test_a_draw_is_the_percentage_rounded_up_of_the_population_and_repeats_with_its_seed(population, percent, seed):
    size = quality.sample_size(len(population), percent=percent, count=None)
    assert size == min(len(population), -(-len(population) * percent // 100))
    drawn = quality.choose(list(population), size, seed)
    assert len(set(drawn)) == size and set(drawn) <= population
    assert drawn == quality.choose(sorted(population, reverse=True), size, seed)
