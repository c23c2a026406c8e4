"""Service-level tests of the case workflow: each transition, each refusal, the milestones."""

from datetime import date

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.case import (
    Case,
    CaseStatus,
    CaseType,
    Channel,
    EventType,
    ExceptionStatus,
    PlanStatus,
    ReviewDecision,
)
from ehc_tracker.services import Forbidden, ServiceError
from ehc_tracker.services import cases as svc
from tests.factories_cases import TODAY, carry_to_final_plan, create_assessment
from tests.helpers import create_team, create_user


def _milestones(case):
    return {(m.key, m.ref): m for m in case.milestones}


def _by_key(case, key):
    found = [m for m in case.milestones if m.key == key]
    assert len(found) == 1, [m.key for m in case.milestones]
    return found[0]


def _audit_actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_opening_an_assessment_computes_its_statutory_milestones(app):
    case = create_assessment(received_on=date(2025, 1, 6))
    keys = {m.key: m for m in case.milestones}
    assert keys["decision_to_assess"].due_on == date(2025, 2, 17)
    assert keys["decision_not_to_issue"].due_on == date(2025, 4, 28)
    assert keys["final_plan"].due_on == date(2025, 5, 26)
    assert (
        keys["final_plan"].source.startswith("SEND Regulations 2014 reg 13(2)") or "13(2)" in keys["final_plan"].source
    )
    assert case.next_due_on == date(2025, 2, 17)
    assert [e.event_type for e in case.events] == [EventType.REQUEST_RECEIVED]
    assert "case_opened" in _audit_actions()


def test_full_assessment_to_final_plan_opens_the_annual_review(app):
    case = create_assessment(received_on=date(2025, 1, 6))
    carry_to_final_plan(case, actor=case.coordinator)
    assert case.status is CaseStatus.COMPLETED
    m = {mm.key: mm for mm in case.milestones}
    assert m["decision_to_assess"].met_on == date(2025, 2, 10)
    assert m["final_plan"].met_on == date(2025, 5, 20)
    assert "decision_not_to_issue" not in m  # decided to issue: no longer applies
    assert m["advice_due"].due_on == date(2025, 3, 25) and m["advice_due"].met_on == date(2025, 3, 20)
    assert m["representations_close"].due_on == date(2025, 4, 21) and m["representations_close"].is_period
    assert m["school_consultation_response"].met_on == date(2025, 4, 18)
    assert case.plan is not None and case.plan.issued_on == date(2025, 5, 20) and case.plan.status is PlanStatus.ACTIVE
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    assert review.anchor_on == date(2025, 5, 20) and review.plan_id == case.plan_id
    assert review.coordinator_id == case.coordinator_id
    assert _by_key(review, "review_due").due_on == date(2026, 5, 19)
    assert _audit_actions().count("case_event_recorded") == 8


def test_decided_not_to_assess_closes_the_case(app):
    case = create_assessment()
    svc.record_event(
        case,
        EventType.DECIDED_NOT_TO_ASSESS,
        date(2025, 2, 1),
        actor=case.coordinator,
        today=TODAY,
        reason="Needs met by school",
    )
    assert case.status is CaseStatus.CLOSED and case.closed_on == date(2025, 2, 1)
    assert [m.key for m in case.milestones] == ["decision_to_assess"]
    assert case.next_due_on is None
    with pytest.raises(ServiceError, match="closed"):
        svc.record_event(case, EventType.DECIDED_TO_ISSUE, date(2025, 2, 2), actor=case.coordinator, today=TODAY)


@pytest.mark.parametrize(
    "event_type, on, kwargs, message",
    [
        (EventType.DECIDED_TO_ASSESS, date(2026, 1, 1), {}, "cannot be in the future"),
        (EventType.DECIDED_TO_ASSESS, date(2025, 1, 5), {}, "cannot be before the request was received"),
        (EventType.DECIDED_TO_ISSUE, date(2025, 2, 1), {}, "Record ‘Decided to assess’ before"),
        (EventType.FINAL_PLAN_ISSUED, date(2025, 2, 1), {"named_settings": "X"}, "Record ‘Draft plan issued’ before"),
        (EventType.REVIEW_MEETING_HELD, date(2025, 2, 1), {}, "does not belong to a ehc needs assessment"),
        (
            EventType.ADVICE_REQUESTED,
            date(2025, 2, 1),
            {"advice_type": "ep", "provider": "EP"},
            "Record ‘Decided to assess’ before",
        ),
    ],
)
def test_impossible_sequences_are_refused_with_a_specific_message(app, event_type, on, kwargs, message):
    case = create_assessment(received_on=date(2025, 1, 6))
    with pytest.raises(ServiceError, match=message):
        svc.record_event(case, event_type, on, actor=case.coordinator, today=TODAY, **kwargs)
    assert [e.event_type for e in case.events] == [EventType.REQUEST_RECEIVED]


def test_a_decision_cannot_be_recorded_twice_or_contradicted(app):
    case = create_assessment()
    svc.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=case.coordinator, today=TODAY)
    with pytest.raises(ServiceError, match="already recorded on 10 February 2025"):
        svc.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 11), actor=case.coordinator, today=TODAY)
    with pytest.raises(ServiceError, match="already recorded, so"):
        svc.record_event(case, EventType.DECIDED_NOT_TO_ASSESS, date(2025, 2, 11), actor=case.coordinator, today=TODAY)


def test_event_before_its_prerequisite_date_is_refused(app):
    case = create_assessment()
    svc.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=case.coordinator, today=TODAY)
    with pytest.raises(ServiceError, match="cannot be before ‘Decided to assess’"):
        svc.record_event(case, EventType.DECIDED_TO_ISSUE, date(2025, 2, 9), actor=case.coordinator, today=TODAY)


def test_advice_received_before_requested_is_refused(app):
    case = create_assessment()
    svc.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=case.coordinator, today=TODAY)
    svc.record_event(
        case,
        EventType.ADVICE_REQUESTED,
        date(2025, 2, 12),
        actor=case.coordinator,
        today=TODAY,
        advice_type="salt",
        provider="SaLT team",
    )
    advice = case.advice_requests[0]
    with pytest.raises(ServiceError, match="before it was requested"):
        svc.record_event(
            case,
            EventType.ADVICE_RECEIVED,
            date(2025, 2, 11),
            actor=case.coordinator,
            today=TODAY,
            advice_request_id=advice.id,
        )
    with pytest.raises(ServiceError, match="Select the type of advice"):
        svc.record_event(
            case,
            EventType.ADVICE_REQUESTED,
            date(2025, 2, 12),
            actor=case.coordinator,
            today=TODAY,
            advice_type="astrology",
            provider="x",
        )


def test_withdrawal_keeps_history(app):
    case = create_assessment()
    svc.record_event(
        case, EventType.WITHDRAWN, date(2025, 1, 20), actor=case.coordinator, today=TODAY, reason="Family moved away"
    )
    assert case.status is CaseStatus.WITHDRAWN and case.close_reason == "Family moved away"
    assert len(case.events) == 2 and case.next_due_on is None


def test_correction_is_audited_with_old_and_new_and_recomputes(app):
    case = create_assessment(received_on=date(2025, 1, 6))
    request = case.events[0]
    svc.correct_event_date(
        request, date(2025, 1, 3), reason="Email found in shared inbox", actor=case.coordinator, today=TODAY
    )
    assert case.anchor_on == date(2025, 1, 3)
    assert _by_key(case, "final_plan").due_on == date(2025, 5, 23)
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case_event_corrected")).one()
    assert entry.details["old"] == "2025-01-06" and entry.details["new"] == "2025-01-03"
    assert entry.details["reason"] == "Email found in shared inbox"


def test_correction_cannot_break_the_order(app):
    case = create_assessment(received_on=date(2025, 1, 6))
    decision = svc.record_event(
        case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=case.coordinator, today=TODAY
    )
    svc.record_event(case, EventType.DECIDED_TO_ISSUE, date(2025, 3, 1), actor=case.coordinator, today=TODAY)
    with pytest.raises(ServiceError, match="cannot be after ‘Decided to issue a plan’"):
        svc.correct_event_date(decision, date(2025, 3, 5), reason="typo", actor=case.coordinator, today=TODAY)
    with pytest.raises(ServiceError, match="after ‘Decided to assess’"):
        svc.correct_event_date(case.events[0], date(2025, 2, 20), reason="typo", actor=case.coordinator, today=TODAY)
    with pytest.raises(ServiceError, match="why"):
        svc.correct_event_date(decision, date(2025, 2, 9), reason=" ", actor=case.coordinator, today=TODAY)


def test_annual_review_to_amended_plan(app):
    case = create_assessment(received_on=date(2024, 1, 8))
    carry_to_final_plan(case, actor=case.coordinator, final_on=date(2025, 5, 20))
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    actor = review.coordinator
    today = date(2026, 9, 1)
    record = svc.record_event
    record(
        review,
        EventType.REVIEW_MEETING_SCHEDULED,
        date(2026, 3, 1),
        actor=actor,
        today=today,
        meeting_on=date(2026, 4, 20),
    )
    assert _by_key(review, "invitations_by").due_on == date(2026, 4, 6)
    record(
        review,
        EventType.INVITATIONS_SENT,
        date(2026, 4, 1),
        actor=actor,
        today=today,
        advice_circulated_on=date(2026, 4, 3),
    )
    record(review, EventType.REVIEW_MEETING_HELD, date(2026, 4, 20), actor=actor, today=today)
    m = {mm.key: mm for mm in review.milestones}
    assert m["review_due"].met_on == date(2026, 4, 20)
    assert m["invitations_by"].met_on == date(2026, 4, 1) and m["advice_circulated_by"].met_on == date(2026, 4, 3)
    assert m["review_report_due"].due_on == date(2026, 5, 4)
    assert m["review_decision_due"].due_on == date(2026, 5, 18)
    assert "amended_plan_due" not in m
    record(review, EventType.REVIEW_REPORT_RECEIVED, date(2026, 4, 30), actor=actor, today=today)
    record(review, EventType.REVIEW_DECISION_NOTIFIED, date(2026, 5, 11), actor=actor, today=today, decision="amend")
    assert _by_key(review, "amended_plan_due").due_on == date(2026, 7, 13)
    record(review, EventType.AMENDMENTS_PROPOSED, date(2026, 5, 12), actor=actor, today=today)
    m = {mm.key: mm for mm in review.milestones}
    assert m["amendment_representations_close"].due_on == date(2026, 5, 26)
    assert m["amended_plan_from_proposals_due"].due_on == date(2026, 7, 7)
    record(
        review,
        EventType.AMENDED_PLAN_ISSUED,
        date(2026, 7, 1),
        actor=actor,
        today=today,
        named_settings="Hill Secondary",
    )
    assert review.status is CaseStatus.COMPLETED
    assert review.plan.last_amended_on == date(2026, 7, 1) and review.plan.named_settings == "Hill Secondary"
    nxt = db.session.scalars(
        select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW, Case.status == CaseStatus.OPEN)
    ).one()
    # The next review runs from the decision date.
    assert nxt.anchor_on == date(2026, 5, 11)
    assert _by_key(nxt, "review_due").due_on == date(2027, 5, 10)


def test_review_maintain_completes_and_opens_the_next(app):
    case = create_assessment(received_on=date(2024, 1, 8))
    carry_to_final_plan(case, actor=case.coordinator)
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    today = date(2026, 9, 1)
    svc.record_event(review, EventType.REVIEW_MEETING_HELD, date(2026, 4, 20), actor=review.coordinator, today=today)
    with pytest.raises(ServiceError, match="Select the decision"):
        svc.record_event(
            review,
            EventType.REVIEW_DECISION_NOTIFIED,
            date(2026, 5, 1),
            actor=review.coordinator,
            today=today,
            decision="",
        )
    with pytest.raises(ServiceError, match="needs the review decision to be ‘amend’"):
        svc.record_event(review, EventType.AMENDED_PLAN_ISSUED, date(2026, 5, 1), actor=review.coordinator, today=today)
    svc.record_event(
        review,
        EventType.REVIEW_DECISION_NOTIFIED,
        date(2026, 5, 1),
        actor=review.coordinator,
        today=today,
        decision="maintain",
    )
    assert review.status is CaseStatus.COMPLETED and review.review_decision is ReviewDecision.MAINTAIN
    assert db.session.scalars(
        select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW, Case.status == CaseStatus.OPEN)
    ).one().anchor_on == date(2026, 5, 1)


def test_cease_keeps_the_plan_until_ceased(app):
    case = create_assessment(received_on=date(2024, 1, 8))
    carry_to_final_plan(case, actor=case.coordinator)
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    today = date(2026, 9, 1)
    svc.record_event(review, EventType.REVIEW_MEETING_HELD, date(2026, 4, 20), actor=review.coordinator, today=today)
    svc.record_event(
        review,
        EventType.REVIEW_DECISION_NOTIFIED,
        date(2026, 5, 1),
        actor=review.coordinator,
        today=today,
        decision="cease",
    )
    assert review.plan.status is PlanStatus.CEASING and review.is_open
    with pytest.raises(ServiceError, match="Select why the plan ended"):
        svc.record_event(
            review, EventType.PLAN_CEASED, date(2026, 7, 2), actor=review.coordinator, today=today, cease_reason="x"
        )
    svc.record_event(
        review, EventType.PLAN_CEASED, date(2026, 7, 2), actor=review.coordinator, today=today, cease_reason="2"
    )
    assert review.plan.status is PlanStatus.CEASED and review.plan.ceased_on == date(2026, 7, 2)
    assert review.status is CaseStatus.COMPLETED


def test_coordinators_cannot_change_other_teams_or_others_cases(app):
    case = create_assessment()
    stranger = create_user(role="coordinator", teams=[create_team()])
    colleague = create_user(role="coordinator", teams=[case.team])
    for who in (stranger, colleague):
        with pytest.raises(Forbidden):
            svc.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 1), actor=who, today=TODAY)
    assert svc.can_view(colleague, case) and not svc.can_view(stranger, case)
    manager = create_user(role="manager", teams=[case.team])
    svc.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 1), actor=manager, today=TODAY)
    viewer = create_user(role="viewer", teams=[case.team])
    assert not svc.can_view(viewer, case)


def test_reassignment_by_manager_with_history(app):
    case = create_assessment()
    manager = create_user(role="manager", teams=[case.team])
    other = create_user(role="coordinator", teams=[case.team])
    with pytest.raises(Forbidden):
        svc.reassign(case, other, reason="", actor=case.coordinator)
    svc.reassign(case, other, reason="Caseload balancing", actor=manager)
    assert case.coordinator_id == other.id
    db.session.flush()
    assert [a.coordinator_id for a in case.assignments] == [case.assignments[0].coordinator_id, other.id]
    outsider = create_user(role="coordinator", teams=[create_team()])
    with pytest.raises(ServiceError, match="not a coordinator in"):
        svc.reassign(case, outsider, reason="", actor=manager)


def test_exceptions_proposed_approved_and_refused_where_the_law_allows_none(app):
    case = create_assessment()
    manager = create_user(role="manager", teams=[case.team])
    exc = svc.propose_exception(
        case,
        milestone_key="final_plan",
        limb="personal_circumstances",
        starts_on=date(2025, 3, 1),
        ends_on=None,
        reason="Child in hospital",
        evidence="Letter from consultant",
        actor=case.coordinator,
        today=TODAY,
    )
    assert exc.status is ExceptionStatus.PROPOSED
    assert not _by_key(case, "final_plan").exception_applies
    with pytest.raises(Forbidden):
        svc.decide_exception(exc, approve=True, note="", actor=case.coordinator)
    svc.decide_exception(exc, approve=True, note="Agreed", actor=manager)
    final = _by_key(case, "final_plan")
    assert final.exception_applies and final.due_on == date(2025, 5, 26)  # never moves the date
    with pytest.raises(ServiceError, match="already approved"):
        svc.decide_exception(exc, approve=False, note="", actor=manager)


def test_exception_refused_on_a_milestone_without_exceptions(app):
    case = create_assessment(received_on=date(2024, 1, 8))
    carry_to_final_plan(case, actor=case.coordinator)
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    with pytest.raises(ServiceError, match="no exceptions|not allow|allows no"):
        svc.propose_exception(
            review,
            milestone_key="review_due",
            limb="personal_circumstances",
            starts_on=date(2025, 6, 1),
            ends_on=None,
            reason="x",
            evidence=None,
            actor=review.coordinator,
            today=TODAY,
        )


def test_communications_have_a_five_working_day_clock(app):
    case = create_assessment()
    comm = svc.log_communication(
        case,
        received_on=date(2025, 12, 19),
        channel=Channel.EMAIL,
        from_name="Parent",
        summary="Asking for an update",
        actor=case.coordinator,
        today=date(2026, 1, 5),
    )
    response = _milestones(case)[("response_due", f"communication:{comm.id}")]
    assert response.due_on == date(2025, 12, 30)
    with pytest.raises(ServiceError, match="before the day it was received"):
        svc.record_response(
            comm, responded_on=date(2025, 12, 18), summary="", actor=case.coordinator, today=date(2026, 1, 5)
        )
    svc.record_response(
        comm, responded_on=date(2025, 12, 22), summary="Phoned back", actor=case.coordinator, today=date(2026, 1, 5)
    )
    assert _milestones(case)[("response_due", f"communication:{comm.id}")].met_on == date(2025, 12, 22)
    assert {"communication_logged", "communication_responded"} <= set(_audit_actions())


def test_local_non_working_day_moves_working_day_deadlines(app):
    from ehc_tracker.services.calendar import add_non_working_day

    admin = create_user(role="admin")
    add_non_working_day(date(2025, 12, 22), "Council closure", actor=admin)
    case = create_assessment()
    comm = svc.log_communication(
        case,
        received_on=date(2025, 12, 19),
        channel=Channel.PHONE,
        from_name="Parent",
        summary="Call",
        actor=case.coordinator,
        today=date(2026, 1, 5),
    )
    assert _milestones(case)[("response_due", f"communication:{comm.id}")].due_on == date(2025, 12, 31)


def test_one_open_assessment_per_child(app):
    case = create_assessment()
    with pytest.raises(ServiceError, match="already has an open assessment"):
        svc.open_assessment(
            child=case.child,
            received_on=date(2025, 2, 1),
            source=case.request_source,
            team=case.team,
            coordinator=case.coordinator,
            actor=case.coordinator,
            today=TODAY,
        )


def test_transfer_in_from_another_authority(app):
    from tests.factories_children import create_child

    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2014, 2, 1))
    case = svc.open_transfer_in(
        child=child,
        transferred_on=date(2025, 9, 1),
        plan_issued_on=date(2022, 3, 1),
        last_reviewed_on=date(2025, 3, 10),
        previous_authority="Elsewhere Council",
        named_settings="Hill Primary",
        team=team,
        coordinator=coordinator,
        actor=coordinator,
        today=TODAY,
    )
    m = {mm.key: mm for mm in case.milestones}
    assert m["transfer_in_notice_due"].due_on == date(2025, 10, 13)
    # Later of the plan's own review date (2026-03-09) and 3 months after the transfer (2025-12-01).
    assert m["transfer_in_review_due"].due_on == date(2026, 3, 9)
    assert "review_due" not in m
    assert case.plan.issued_on == date(2022, 3, 1) and case.plan.named_settings == "Hill Primary"
    svc.record_event(case, EventType.TRANSFER_NOTICE_SENT, date(2025, 10, 1), actor=coordinator, today=TODAY)
    assert _by_key(case, "transfer_in_notice_due").met_on == date(2025, 10, 1)


def test_transfer_in_review_three_months_after_a_late_transfer(app):
    from tests.factories_children import create_child

    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2014, 2, 1))
    case = svc.open_transfer_in(
        child=child,
        transferred_on=date(2025, 11, 3),
        plan_issued_on=date(2024, 12, 1),
        last_reviewed_on=date(2024, 12, 1),
        previous_authority="Elsewhere Council",
        named_settings="",
        team=team,
        coordinator=coordinator,
        actor=coordinator,
        today=TODAY,
    )
    assert _by_key(case, "transfer_in_review_due").due_on == date(2026, 2, 3)


def test_transfer_notice_only_on_transferred_plans(app):
    case = create_assessment(received_on=date(2024, 1, 8))
    carry_to_final_plan(case, actor=case.coordinator)
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW)).one()
    with pytest.raises(ServiceError, match="only for a plan transferred in"):
        svc.record_event(
            review, EventType.TRANSFER_NOTICE_SENT, date(2025, 6, 1), actor=review.coordinator, today=TODAY
        )


def test_phase_transfer_deadline_appears_on_the_review_that_must_amend_the_plan(app):
    from tests.factories_children import create_child

    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    # Born March 2015: Year 6 in 2025/26, moves to Year 7 in September 2026.
    child = create_child(team=team, date_of_birth=date(2015, 3, 14))
    early = svc.open_annual_review(
        child=child,
        plan=None,
        last_reviewed_on=date(2024, 10, 1),
        team_id=team.id,
        coordinator_id=coordinator.id,
        actor=coordinator,
    )
    assert "phase_transfer_due" not in {m.key for m in early.milestones}  # review due 30 Sept 2025, before the deadline
    early.status = CaseStatus.COMPLETED
    current = svc.open_annual_review(
        child=child,
        plan=None,
        last_reviewed_on=date(2025, 6, 2),
        team_id=team.id,
        coordinator_id=coordinator.id,
        actor=coordinator,
    )
    transfer = _by_key(current, "phase_transfer_due")
    assert transfer.due_on == date(2026, 2, 14)  # reg 18(1)(b): before 15 February
    assert "Year 6 to Year 7" in transfer.label and "reg 18" in transfer.source


def test_post16_phase_transfer_is_due_before_31_march(app):
    from tests.factories_children import create_child

    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2010, 1, 20))  # Year 11 in 2025/26
    case = svc.open_annual_review(
        child=child,
        plan=None,
        last_reviewed_on=date(2025, 7, 1),
        team_id=team.id,
        coordinator_id=coordinator.id,
        actor=coordinator,
    )
    transfer = _by_key(case, "phase_transfer_due")
    assert transfer.due_on == date(2026, 3, 30) and "post-16" in transfer.label  # reg 18(1)(a): before 31 March


def test_under_five_review_is_due_within_six_months(app):
    from tests.factories_children import create_child

    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2022, 5, 1))
    case = svc.open_annual_review(
        child=child,
        plan=None,
        last_reviewed_on=date(2025, 3, 15),
        team_id=team.id,
        coordinator_id=coordinator.id,
        actor=coordinator,
    )
    assert _by_key(case, "review_due").due_on == date(2025, 9, 14)
