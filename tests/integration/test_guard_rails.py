"""The law's guard rails on the workflow: refused, warned, or allowed with a recorded confirmation.

Each date below is worked by hand from the regulation cited beside it.
"""

from datetime import date

import pytest
from sqlalchemy import select

from ehc_tracker.alerts.digests import AlertSettings, plan_alerts
from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.case import Case, CaseStatus, CaseType, EventType, PlanStatus, RequestSource
from ehc_tracker.services import ServiceError
from ehc_tracker.services import cases as svc
from ehc_tracker.services import family as family_service
from ehc_tracker.services import plans as plan_service
from ehc_tracker.services import reports as oversight
from ehc_tracker.services import timeline as timeline_service
from ehc_tracker.services.reports import OverdueFilters, Scope
from ehc_tracker.statutory.calendar import ENGLAND_CALENDAR
from tests.factories_cases import carry_to_final_plan, create_assessment
from tests.factories_children import create_child
from tests.helpers import create_team, create_user

record = svc.record_event


def _by_key(case, key):
    found = [m for m in case.milestones if m.key == key]
    assert len(found) == 1, [m.key for m in case.milestones]
    return found[0]


def _audit(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _open_review(case):
    return db.session.scalars(
        select(Case).where(
            Case.child_id == case.child_id, Case.case_type == CaseType.ANNUAL_REVIEW, Case.status == CaseStatus.OPEN
        )
    ).one()


def _review_to_amend(*, meeting=date(2026, 4, 20), decision=date(2026, 5, 11)):
    case = create_assessment(received_on=date(2024, 1, 8))
    carry_to_final_plan(case, actor=case.coordinator)
    review = _open_review(case)
    today = date(2026, 9, 30)
    record(review, EventType.REVIEW_MEETING_HELD, meeting, actor=review.coordinator, today=today)
    record(
        review, EventType.REVIEW_DECISION_NOTIFIED, decision, actor=review.coordinator, today=today, decision="amend"
    )
    return review, today


# --- Reassessment (CFA s44; reg 25, 27) -------------------------------------------------------


def test_a_child_with_a_plan_is_reassessed_not_assessed_anew(app):
    case = create_assessment(received_on=date(2024, 1, 8))
    carry_to_final_plan(case, actor=case.coordinator)
    with pytest.raises(ServiceError, match="already has an EHC plan .*reassessment") as refused:
        svc.open_assessment(
            child=case.child,
            received_on=date(2025, 10, 1),
            source=RequestSource.PARENT,
            team=case.team,
            coordinator=case.coordinator,
            actor=case.coordinator,
            today=date(2025, 12, 1),
        )
    assert refused.value.field == "case_type"


def test_a_reassessment_needs_a_plan(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2015, 5, 1))
    with pytest.raises(ServiceError, match="has no EHC plan"):
        svc.open_assessment(
            child=child,
            received_on=date(2025, 10, 1),
            source=RequestSource.PARENT,
            team=team,
            coordinator=coordinator,
            actor=coordinator,
            today=date(2025, 12, 1),
            reassessment=True,
        )


def test_reassessment_decision_in_15_days_and_plan_14_weeks_from_the_notice(app):
    first = create_assessment(received_on=date(2024, 1, 8))
    carry_to_final_plan(first, actor=first.coordinator)
    today = date(2025, 12, 1)
    case = svc.open_assessment(
        child=first.child,
        received_on=date(2025, 9, 1),
        source=RequestSource.PARENT,
        team=first.team,
        coordinator=first.coordinator,
        actor=first.coordinator,
        today=today,
        reassessment=True,
    )
    # Reg 25(1): within 15 days of receiving the request: 1 Sept + 15 = 16 Sept 2025.
    assert _by_key(case, "reassessment_decision").due_on == date(2025, 9, 16)
    assert "final_plan_after_reassessment" not in {m.key for m in case.milestones}
    record(case, EventType.DECIDED_TO_ASSESS, date(2025, 9, 12), actor=case.coordinator, today=today)
    assert _by_key(case, "reassessment_decision").met_on == date(2025, 9, 12)
    # Reg 27(2): 14 weeks from the day the family was told (12 Sept), not from the request.
    final = _by_key(case, "final_plan_after_reassessment")
    assert final.due_on == date(2025, 12, 19) and final.anchor_on == date(2025, 9, 12)


# --- Young person making their own request (CFA s36(1), s83(2)) -------------------------------


def test_a_child_of_compulsory_school_age_cannot_request_as_a_young_person(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2010, 7, 15))  # school leaving date 26 June 2026
    kwargs = dict(
        child=child,
        source=RequestSource.YOUNG_PERSON,
        team=team,
        coordinator=coordinator,
        actor=coordinator,
        today=date(2026, 8, 1),
    )
    with pytest.raises(ServiceError, match="compulsory school age .*26 June 2026.*not a young person") as refused:
        svc.open_assessment(received_on=date(2026, 6, 26), **kwargs)
    assert refused.value.field == "source"
    case = svc.open_assessment(received_on=date(2026, 6, 27), **kwargs)
    assert case.request_source is RequestSource.YOUNG_PERSON


# --- Representations (reg 13(1), reg 22(2)(c)) ------------------------------------------------


def _to_draft(case, draft_on=date(2025, 4, 7)):
    today = date(2025, 12, 1)
    actor = case.coordinator
    record(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=actor, today=today)
    record(case, EventType.DECIDED_TO_ISSUE, date(2025, 3, 31), actor=actor, today=today)
    record(case, EventType.DRAFT_PLAN_ISSUED, draft_on, actor=actor, today=today)
    return today


def test_a_final_plan_inside_the_representation_period_needs_the_familys_confirmation(app):
    case = create_assessment()
    today = _to_draft(case)  # served 7 April: the 15 days beginning that day run to 21 April
    with pytest.raises(ServiceError, match="until 21 April 2025 .*from 22 April 2025") as refused:
        record(
            case,
            EventType.FINAL_PLAN_ISSUED,
            date(2025, 4, 21),
            actor=case.coordinator,
            today=today,
            named_settings="Hill Primary",
        )
    assert refused.value.field == "family_confirmed_on"
    with pytest.raises(ServiceError, match="cannot confirm before the draft plan was sent"):
        record(
            case,
            EventType.FINAL_PLAN_ISSUED,
            date(2025, 4, 14),
            actor=case.coordinator,
            today=today,
            named_settings="Hill Primary",
            family_confirmed_on=date(2025, 4, 6),
        )
    with pytest.raises(ServiceError, match="on or before the day"):
        record(
            case,
            EventType.FINAL_PLAN_ISSUED,
            date(2025, 4, 14),
            actor=case.coordinator,
            today=today,
            named_settings="Hill Primary",
            family_confirmed_on=date(2025, 4, 15),
        )
    event = record(
        case,
        EventType.FINAL_PLAN_ISSUED,
        date(2025, 4, 14),
        actor=case.coordinator,
        today=today,
        named_settings="Hill Primary",
        family_confirmed_on=date(2025, 4, 11),
    )
    assert event.details["family_confirmed_on"] == "2025-04-11"
    audited = _audit("case_event_recorded")[-1]
    assert audited.details["family_confirmed_on"] == "2025-04-11"


def test_a_final_plan_after_the_period_needs_no_confirmation(app):
    case = create_assessment()
    today = _to_draft(case)
    record(
        case,
        EventType.FINAL_PLAN_ISSUED,
        date(2025, 4, 22),
        actor=case.coordinator,
        today=today,
        named_settings="Hill Primary",
    )
    assert case.status is CaseStatus.COMPLETED


def test_an_amended_plan_needs_the_proposals_and_then_the_period_or_a_confirmation(app):
    review, today = _review_to_amend()
    with pytest.raises(ServiceError, match="proposed amendments first .*reg 22\\(2\\)"):
        record(review, EventType.AMENDED_PLAN_ISSUED, date(2026, 5, 20), actor=review.coordinator, today=today)
    record(review, EventType.AMENDMENTS_PROPOSED, date(2026, 5, 12), actor=review.coordinator, today=today)
    # Proposals sent 12 May: at least 15 days beginning that day run to 26 May.
    with pytest.raises(ServiceError, match="until 26 May 2026"):
        record(review, EventType.AMENDED_PLAN_ISSUED, date(2026, 5, 26), actor=review.coordinator, today=today)
    record(
        review,
        EventType.AMENDED_PLAN_ISSUED,
        date(2026, 5, 20),
        actor=review.coordinator,
        today=today,
        family_confirmed_on=date(2026, 5, 19),
    )
    assert review.status is CaseStatus.COMPLETED
    assert review.event(EventType.AMENDED_PLAN_ISSUED).details["family_confirmed_on"] == "2026-05-19"


# --- Devon [2022]: the decision to amend goes with the proposals ------------------------------


def test_the_four_week_decision_is_met_only_when_the_proposals_go_with_it(app):
    review, today = _review_to_amend(meeting=date(2026, 4, 20), decision=date(2026, 5, 11))
    decision = _by_key(review, "review_decision_due")
    assert decision.due_on == date(2026, 5, 18) and decision.met_on is None  # a notice alone does not meet it
    record(review, EventType.AMENDMENTS_PROPOSED, date(2026, 6, 29), actor=review.coordinator, today=today)  # week 10
    decision = _by_key(review, "review_decision_due")
    assert decision.met_on == date(2026, 6, 29) and decision.met_on > decision.due_on


def test_decision_and_proposals_together_inside_four_weeks_are_on_time(app):
    review, today = _review_to_amend(meeting=date(2026, 4, 20), decision=date(2026, 5, 11))
    record(review, EventType.AMENDMENTS_PROPOSED, date(2026, 5, 11), actor=review.coordinator, today=today)
    assert _by_key(review, "review_decision_due").met_on == date(2026, 5, 11)


# --- Decided not to amend (reg 22(4)) ----------------------------------------------------------


def test_deciding_not_to_amend_after_proposals(app):
    review, today = _review_to_amend()
    with pytest.raises(ServiceError, match="Record ‘Proposed amendments sent’ before ‘Decided not to amend the plan’"):
        record(
            review, EventType.DECIDED_NOT_TO_AMEND, date(2026, 6, 1), actor=review.coordinator, today=today, reason="x"
        )
    record(review, EventType.AMENDMENTS_PROPOSED, date(2026, 5, 12), actor=review.coordinator, today=today)
    with pytest.raises(ServiceError, match="Enter the reasons"):
        record(
            review, EventType.DECIDED_NOT_TO_AMEND, date(2026, 6, 1), actor=review.coordinator, today=today, reason=" "
        )
    record(
        review,
        EventType.DECIDED_NOT_TO_AMEND,
        date(2026, 6, 1),
        actor=review.coordinator,
        today=today,
        reason="The family's representations showed the current plan still fits",
    )
    keys = {m.key for m in review.milestones}
    assert "amended_plan_due" not in keys and "amended_plan_from_proposals_due" not in keys
    milestone = _by_key(review, "decision_not_to_amend_due")
    assert milestone.due_on == date(2026, 7, 7) and milestone.met_on == date(2026, 6, 1)  # 12 May + 8 weeks
    assert "reg 22(4)" in milestone.source
    assert review.status is CaseStatus.COMPLETED
    assert _open_review(review).anchor_on == date(2026, 5, 11)  # the next review runs from the decision
    with pytest.raises(ServiceError):
        record(review, EventType.AMENDED_PLAN_ISSUED, date(2026, 6, 2), actor=review.coordinator, today=today)


# --- Review meeting warnings (reg 18, reg 20(10)) ----------------------------------------------


def _y6_review(last_reviewed_on):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2015, 3, 14))  # Year 6 in 2025/26, moves Sept 2026
    return svc.open_annual_review(
        child=child,
        plan=None,
        last_reviewed_on=last_reviewed_on,
        team_id=team.id,
        coordinator_id=coordinator.id,
        actor=coordinator,
    )


def test_meeting_warnings_about_the_phase_transfer_deadline(app):
    review = _y6_review(date(2025, 6, 2))
    assert _by_key(review, "phase_transfer_due").due_on == date(2026, 2, 14)
    assert svc.meeting_warnings(review, date(2025, 11, 3)) == []
    late_for_decision = svc.meeting_warnings(review, date(2026, 1, 26))  # + 4 weeks = 23 Feb
    assert len(late_for_decision) == 1 and "23 February 2026" in late_for_decision[0]
    after = svc.meeting_warnings(review, date(2026, 2, 16))
    assert any("after the phase-transfer deadline" in w and "14 February 2026" in w for w in after)
    after_review = svc.meeting_warnings(review, date(2026, 6, 2))
    assert any("after the review is due (1 June 2026)" in w for w in after_review)


# --- Phase transfers that can never be met ----------------------------------------------------


def test_a_transfer_deadline_already_past_when_the_plan_was_made_is_not_a_step(app):
    review = _y6_review(date(2026, 3, 2))  # after 14 Feb 2026 for the Sept 2026 move
    assert "phase_transfer_due" not in {m.key for m in review.milestones}


def test_an_unmet_transfer_is_missed_once_the_child_has_moved(app):
    review = _y6_review(date(2025, 6, 2))
    transfer = _by_key(review, "phase_transfer_due")
    assert transfer.lapses_on == date(2026, 9, 1)
    scope = Scope(frozenset({review.team_id}))

    def overdue_keys(on):
        ids = db.session.scalars(oversight.overdue_ids(scope, OverdueFilters(as_at=on, show="overdue"))).all()
        return {r.key for r in oversight.milestone_rows(ids, as_at=on, with_names=False)}

    def alerted_keys(on):
        return {a.item.milestone_key for a in plan_alerts(on, AlertSettings(), ENGLAND_CALENDAR)}

    def status(on):
        return next(r for r in timeline_service.timeline(review, on) if r.milestone.key == "phase_transfer_due")

    assert "phase_transfer_due" in overdue_keys(date(2026, 8, 31))
    assert status(date(2026, 8, 31)).status == "overdue"
    assert "phase_transfer_due" not in overdue_keys(date(2026, 9, 1))
    assert status(date(2026, 9, 1)).status == "missed" and status(date(2026, 9, 1)).tag_text == "Missed"
    assert "phase_transfer_due" in alerted_keys(date(2026, 8, 31))
    assert "phase_transfer_due" not in alerted_keys(date(2026, 9, 2))


def test_review_invitations_lapse_on_the_meeting_day(app):
    review = _y6_review(date(2025, 6, 2))
    today = date(2026, 1, 30)
    record(
        review,
        EventType.REVIEW_MEETING_SCHEDULED,
        date(2025, 10, 1),
        actor=review.coordinator,
        today=today,
        meeting_on=date(2025, 11, 3),
    )
    invitations = _by_key(review, "invitations_by")
    assert invitations.due_on == date(2025, 10, 20) and invitations.lapses_on == date(2025, 11, 3)
    row = next(r for r in timeline_service.timeline(review, date(2025, 11, 3)) if r.milestone.key == "invitations_by")
    assert row.status == "missed"


# --- A closed case owes nothing -----------------------------------------------------------------


def test_milestones_of_a_withdrawn_case_are_never_overdue(app):
    case = create_assessment(received_on=date(2025, 1, 6))
    record(
        case,
        EventType.WITHDRAWN,
        date(2025, 1, 20),
        actor=case.coordinator,
        today=date(2025, 12, 1),
        reason="Family moved away",
    )
    later = date(2025, 12, 1)
    rows = timeline_service.timeline(case, later)
    assert rows and {r.status for r in rows if r.milestone.met_on is None} == {"ended"}
    assert timeline_service.next_milestone(case, later) is None
    parent = create_user(role="family", teams=[])
    progress = family_service.progress(case, today=later, viewer=parent)
    assert not progress.late_steps and {s.status for s in progress.steps} <= {
        "ended",
        "done",
        "done_late",
        "period_closed",
    }


# --- Ceasing a plan (CFA s45, s51(2)(f); reg 15) ----------------------------------------------


def _plan_with_review():
    case = create_assessment(received_on=date(2024, 1, 8))
    carry_to_final_plan(case, actor=case.coordinator)
    return case.plan, _open_review(case), case.coordinator


def test_ceasing_between_reviews_keeps_the_plan_until_the_appeal_window_closes(app):
    plan, review, coordinator = _plan_with_review()
    today = date(2026, 2, 1)
    with pytest.raises(ServiceError, match="notice, with the right to appeal"):
        plan_service.decide_to_cease(
            plan, reason="2", decided_on=date(2025, 10, 20), notice_sent_on=None, actor=coordinator, today=today
        )
    # Notice sent 28 Oct 2025: 2 months to 28 Dec, inside 25 Dec–1 Jan, so the first working day
    # after 1 January (HESC Rules r.12(3)(a)): Friday 2 January 2026.
    plan_service.decide_to_cease(
        plan,
        reason="2",
        decided_on=date(2025, 10, 20),
        notice_sent_on=date(2025, 10, 28),
        actor=coordinator,
        today=today,
    )
    assert plan.status is PlanStatus.CEASING and plan.cease_appeal_ends_on == date(2026, 1, 2)
    with pytest.raises(ServiceError, match="until 2 January 2026, so it can end from 3 January 2026"):
        plan_service.record_plan_end(
            plan, ended_on=date(2026, 1, 2), appeal_concluded_on=None, actor=coordinator, today=today
        )
    closed = plan_service.record_plan_end(
        plan, ended_on=date(2026, 1, 3), appeal_concluded_on=None, actor=coordinator, today=today
    )
    assert plan.status is PlanStatus.CEASED and plan.ceased_on == date(2026, 1, 3)
    assert closed == [review] and review.status is CaseStatus.CLOSED and review.close_reason == "Plan ceased"
    assert {r.status for r in timeline_service.timeline(review, today) if r.milestone.met_on is None} <= {"ended"}
    assert [e.details["appeal_ends_on"] for e in _audit("plan_cease_decided")] == ["2026-01-02"]
    assert len(_audit("plan_ended")) == 1


def test_a_concluded_appeal_lets_the_plan_end_sooner(app):
    plan, _, coordinator = _plan_with_review()
    today = date(2026, 2, 1)
    plan_service.decide_to_cease(
        plan,
        reason="6",
        decided_on=date(2025, 10, 20),
        notice_sent_on=date(2025, 10, 20),
        actor=coordinator,
        today=today,
    )
    with pytest.raises(ServiceError, match="maintained until the appeal is concluded"):
        plan_service.record_plan_end(
            plan, ended_on=date(2025, 12, 1), appeal_concluded_on=date(2025, 12, 5), actor=coordinator, today=today
        )
    plan_service.record_plan_end(
        plan, ended_on=date(2025, 12, 5), appeal_concluded_on=date(2025, 12, 5), actor=coordinator, today=today
    )
    assert plan.ceased_on == date(2025, 12, 5) and plan.cease_appeal_concluded_on == date(2025, 12, 5)


def test_a_death_or_a_transfer_out_ends_the_plan_without_an_appeal_window(app):
    plan, _, coordinator = _plan_with_review()
    today = date(2026, 2, 1)
    plan_service.decide_to_cease(
        plan, reason="5", decided_on=date(2026, 1, 12), notice_sent_on=None, actor=coordinator, today=today
    )
    assert plan.cease_appeal_ends_on is None
    plan_service.record_plan_end(
        plan, ended_on=date(2026, 1, 12), appeal_concluded_on=None, actor=coordinator, today=today
    )
    assert plan.status is PlanStatus.CEASED and plan.cease_reason == "5"


def test_ceasing_at_a_review_waits_for_the_appeal_window(app):
    plan, review, coordinator = _plan_with_review()
    today = date(2026, 9, 30)
    record(review, EventType.REVIEW_MEETING_HELD, date(2026, 4, 20), actor=coordinator, today=today)
    record(
        review, EventType.REVIEW_DECISION_NOTIFIED, date(2026, 5, 29), actor=coordinator, today=today, decision="cease"
    )
    # 29 May + 2 months = 29 July 2026, a Wednesday: no roll-forward.
    assert plan.cease_appeal_ends_on == date(2026, 7, 29)
    with pytest.raises(ServiceError, match="can end from 30 July 2026"):
        record(review, EventType.PLAN_CEASED, date(2026, 7, 29), actor=coordinator, today=today, cease_reason="2")
    record(review, EventType.PLAN_CEASED, date(2026, 7, 30), actor=coordinator, today=today, cease_reason="2")
    assert plan.status is PlanStatus.CEASED


def test_a_plan_ceased_at_its_review_can_end_early_after_an_appeal(app):
    plan, review, coordinator = _plan_with_review()
    today = date(2026, 9, 30)
    record(review, EventType.REVIEW_MEETING_HELD, date(2026, 4, 20), actor=coordinator, today=today)
    record(
        review, EventType.REVIEW_DECISION_NOTIFIED, date(2026, 5, 29), actor=coordinator, today=today, decision="cease"
    )
    record(
        review,
        EventType.PLAN_CEASED,
        date(2026, 7, 1),
        actor=coordinator,
        today=today,
        cease_reason="2",
        appeal_concluded_on=date(2026, 6, 30),
    )
    assert plan.cease_appeal_concluded_on == date(2026, 6, 30)
