"""Disputes: mediation and appeals tracked as a case of their own, with the engine's time limits.

Each date below is worked by hand from the rule cited beside it (statutory/rules.py).
"""

from datetime import date

import pytest
from sqlalchemy import select

from ehc_tracker.alerts.digests import AlertSettings, plan_alerts
from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.case import AppealType, CaseStatus, CaseType, EventType
from ehc_tracker.services import ServiceError, opening
from ehc_tracker.services import cases as svc
from ehc_tracker.services import disputes as disputes_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services import reports as oversight
from ehc_tracker.services import timeline as timeline_service
from ehc_tracker.services import worklist as worklist_service
from ehc_tracker.services.reports import OverdueFilters, Scope
from ehc_tracker.statutory.calendar import ENGLAND_CALENDAR
from tests.factories_cases import create_refused_dispute
from tests.helpers import create_user

record = svc.record_event
TODAY = date(2025, 12, 1)
LETTER = date(2025, 2, 10)  # a Monday: the refusal to assess was sent


def _keys(case):
    return {m.key: m for m in case.milestones}


def _refused_and_disputed(appeal_type=AppealType.REFUSAL_TO_ASSESS):
    dispute = create_refused_dispute(appeal_type=appeal_type, letter_on=LETTER, today=TODAY)
    return dispute.disputed_case, dispute


def test_opening_a_dispute_links_the_case_counts_the_appeal_window_and_is_audited(app):
    assessment, dispute = _refused_and_disputed()
    assert dispute.case_type is CaseType.DISPUTE and dispute.is_open
    assert dispute.disputed_case_id == assessment.id and dispute.appeal_type is AppealType.REFUSAL_TO_ASSESS
    assert dispute.anchor_on == LETTER and dispute.team_id == assessment.team_id
    appeal = _keys(dispute)["appeal_deadline"]
    # HESC r.20(1): two months from the decision letter, 10 April 2025 (a Thursday).
    assert appeal.due_on == date(2025, 4, 10) and appeal.is_period and appeal.met_on is None
    assert appeal.source.startswith("First-tier Tribunal (HESC) Rules 2008 r.20(1)")
    assert svc.disputes_of(assessment) == [dispute]
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case_opened", AuditEvent.object_id == str(dispute.id))
    ).one()
    assert "dispute" in audit.summary


def test_opening_is_refused_before_the_disputed_case_began_in_the_future_and_twice(app):
    assessment, _ = _refused_and_disputed()
    coordinator = assessment.coordinator

    def open_one(on, appeal_type=AppealType.REFUSAL_TO_ASSESS):
        return opening.open_dispute(
            disputed=assessment,
            decision_sent_on=on,
            appeal_type=appeal_type,
            team=assessment.team,
            coordinator=coordinator,
            actor=coordinator,
            today=TODAY,
        )

    with pytest.raises(ServiceError, match="cannot be before the disputed case began") as before:
        open_one(date(2025, 1, 2))
    assert before.value.field == "decision_sent_on"
    with pytest.raises(ServiceError, match="cannot be in the future"):
        open_one(date(2025, 12, 2))
    with pytest.raises(ServiceError, match="already an open dispute") as twice:
        open_one(LETTER)
    assert twice.value.field == "appeal_type"
    other_team_member = create_user(role="coordinator")
    with pytest.raises(ServiceError, match="Select one of your teams"):
        opening.open_dispute(
            disputed=assessment,
            decision_sent_on=LETTER,
            appeal_type=AppealType.DISABILITY_DISCRIMINATION,
            team=assessment.team,
            coordinator=None,
            actor=other_team_member,
            today=TODAY,
        )


def test_mediation_counts_30_days_then_the_certificate_and_moves_the_appeal_window(app):
    _, dispute = _refused_and_disputed()
    actor = dispute.coordinator
    with pytest.raises(ServiceError, match="Select who asked for mediation"):
        record(dispute, EventType.MEDIATION_REQUESTED, date(2025, 3, 3), actor=actor, today=TODAY)
    record(
        dispute,
        EventType.MEDIATION_REQUESTED,
        date(2025, 3, 3),
        actor=actor,
        today=TODAY,
        requested_by="parent",
        council_told_on=date(2025, 3, 4),
    )
    # Reg 37: mediation within 30 days of the council being told (4 March): 3 April 2025.
    assert _keys(dispute)["mediation_held_by"].due_on == date(2025, 4, 3)
    with pytest.raises(ServiceError, match="was already recorded"):
        record(
            dispute, EventType.MEDIATION_REQUESTED, date(2025, 3, 5), actor=actor, today=TODAY, requested_by="parent"
        )
    record(
        dispute,
        EventType.MEDIATION_HELD,
        date(2025, 3, 31),
        actor=actor,
        today=TODAY,
        mediation_outcome="no_agreement",
    )
    assert _keys(dispute)["mediation_held_by"].met_on == date(2025, 3, 31)
    # Reg 39: the certificate within 3 working days of the mediation ending (Monday 31 March): Thursday 3 April.
    assert _keys(dispute)["mediation_certificate_due"].due_on == date(2025, 4, 3)
    assert EventType.MEDIATION_AGREEMENT_RECORDED not in svc.recordable_now(dispute)
    with pytest.raises(ServiceError, match="reached no agreement"):
        record(dispute, EventType.MEDIATION_AGREEMENT_RECORDED, date(2025, 4, 1), actor=actor, today=TODAY)
    record(dispute, EventType.MEDIATION_CERTIFICATE_ISSUED, date(2025, 4, 2), actor=actor, today=TODAY)
    # r.20(1)(b): a month from the certificate (2 May 2025) is later than 10 April.
    assert _keys(dispute)["appeal_deadline"].due_on == date(2025, 5, 2)


def test_a_certificate_without_mediation_is_the_family_declining_it_and_moves_the_appeal_window(app):
    _, dispute = _refused_and_disputed()
    actor = dispute.coordinator
    assert EventType.MEDIATION_CERTIFICATE_ISSUED in svc.recordable_now(dispute)
    event = record(dispute, EventType.MEDIATION_CERTIFICATE_ISSUED, date(2025, 4, 1), actor=actor, today=TODAY)
    assert event.details == {"mediation_declined": True}
    assert "did not want it" in " ".join(disputes_service.described(event.details))
    # SEND Regs 2014 reg 34 is the mediation adviser's duty, not the council's: no milestone for it.
    assert "mediation_certificate_due" not in _keys(dispute) and "mediation_held_by" not in _keys(dispute)
    # HESC r.20(1)(b): one month from the certificate (1 May 2025) is later than 10 April.
    assert _keys(dispute)["appeal_deadline"].due_on == date(2025, 5, 1)
    assert EventType.MEDIATION_REQUESTED not in svc.recordable_now(dispute)
    # The next-step panel offers the appeal, not the mediation its button would refuse.
    assert timeline_service.next_step(dispute) is EventType.APPEAL_REGISTERED
    with pytest.raises(ServiceError, match="without mediation"):
        record(
            dispute, EventType.MEDIATION_REQUESTED, date(2025, 4, 2), actor=actor, today=TODAY, requested_by="parent"
        )


def test_the_appeal_response_and_the_guard_rails_of_not_opposing(app):
    _, dispute = _refused_and_disputed()
    actor = dispute.coordinator
    with pytest.raises(ServiceError, match="Record ‘Appeal registered by the tribunal’ before"):
        record(dispute, EventType.APPEAL_OUTCOME, date(2025, 6, 2), actor=actor, today=TODAY, appeal_outcome="upheld")
    with pytest.raises(ServiceError, match="cannot be before the decision letter was sent") as early:
        record(dispute, EventType.APPEAL_REGISTERED, date(2025, 2, 3), actor=actor, today=TODAY, tribunal_reference="X")
    assert early.value.field == "on"
    record(
        dispute,
        EventType.APPEAL_REGISTERED,
        date(2025, 4, 7),
        actor=actor,
        today=TODAY,
        tribunal_reference="EH123/25/00001",
        tribunal_sent_on=date(2025, 4, 7),
    )
    response = _keys(dispute)["tribunal_response_due"]
    assert response.anchor_on == date(2025, 4, 7) and response.source.startswith("First-tier Tribunal (HESC)")
    # The family has appealed: their window to appeal is no longer shown as open.
    assert "appeal_deadline" not in _keys(dispute)
    assert response.due_on > date(2025, 5, 16)  # 30 working days; Easter and early May bank holidays skipped
    record(dispute, EventType.TRIBUNAL_RESPONSE_SENT, date(2025, 5, 1), actor=actor, today=TODAY)
    assert _keys(dispute)["tribunal_response_due"].met_on == date(2025, 5, 1)
    assert EventType.APPEAL_NOT_OPPOSED not in svc.recordable_now(dispute)
    with pytest.raises(ServiceError, match="The response was sent to the tribunal on 1 May 2025"):
        record(dispute, EventType.APPEAL_NOT_OPPOSED, date(2025, 5, 2), actor=actor, today=TODAY, limbs="draft_plan")


def test_a_set_response_date_is_the_tribunals(app):
    _, dispute = _refused_and_disputed()
    record(
        dispute,
        EventType.APPEAL_REGISTERED,
        date(2025, 4, 7),
        actor=dispute.coordinator,
        today=TODAY,
        tribunal_reference="EH1",
        response_set_on=date(2025, 5, 6),
    )
    response = _keys(dispute)["tribunal_response_due"]
    assert response.due_on == date(2025, 5, 6) and response.source.endswith("the date the tribunal set")


def test_an_overdue_order_limb_is_on_the_overdue_list_and_in_the_coordinators_alerts_until_done(app):
    _, dispute = _refused_and_disputed()
    actor = dispute.coordinator
    record(dispute, EventType.APPEAL_REGISTERED, date(2025, 4, 7), actor=actor, today=TODAY, tribunal_reference="EH2")
    with pytest.raises(ServiceError, match="Select what it requires"):
        record(dispute, EventType.APPEAL_OUTCOME, date(2025, 6, 2), actor=actor, today=TODAY, appeal_outcome="upheld")
    record(dispute, EventType.HEARING_HELD, date(2025, 5, 28), actor=actor, today=TODAY)
    with pytest.raises(ServiceError, match="cannot be before the hearing"):
        record(
            dispute,
            EventType.APPEAL_OUTCOME,
            date(2025, 5, 27),
            actor=actor,
            today=TODAY,
            appeal_outcome="upheld",
            limbs=["assessment_notice"],
        )
    record(
        dispute,
        EventType.APPEAL_OUTCOME,
        date(2025, 6, 2),
        actor=actor,
        today=TODAY,
        appeal_outcome="upheld",
        limbs=["assessment_notice"],
    )
    db.session.commit()
    order = _keys(dispute)["order_assessment_notice"]
    # Reg 44(2)(b): within 2 weeks of the order being made (Monday 2 June): Monday 16 June 2025.
    assert order.due_on == date(2025, 6, 16) and order.source.endswith("reg 44(2)(b)")
    on = date(2025, 6, 20)
    scope = Scope(frozenset({dispute.team_id}))
    ids = db.session.scalars(oversight.overdue_ids(scope, OverdueFilters(as_at=on, show="overdue"))).all()
    assert "order_assessment_notice" in {r.key for r in oversight.milestone_rows(ids, as_at=on, with_names=False)}
    alerts = [a for a in plan_alerts(on, AlertSettings(), ENGLAND_CALENDAR) if a.item.case_id == dispute.id]
    assert any(a.item.milestone_key == "order_assessment_notice" and a.recipient.user_id == actor.id for a in alerts), (
        alerts
    )
    assert any(r.milestone.key == "order_assessment_notice" for r in timeline_service.timeline(dispute, on))
    # On the coordinator's worklist, offering the step that meets it.
    listing = worklist_service.coordinator_worklist(actor, on)
    assert any(row.case_id == dispute.id and row.step is EventType.DISPUTE_ACTION_TAKEN for row in listing.steps.rows)
    with pytest.raises(ServiceError, match="does not require this"):
        record(dispute, EventType.DISPUTE_ACTION_TAKEN, on, actor=actor, today=TODAY, under="order", limb="draft_plan")
    record(
        dispute, EventType.DISPUTE_ACTION_TAKEN, on, actor=actor, today=TODAY, under="order", limb="assessment_notice"
    )
    assert _keys(dispute)["order_assessment_notice"].met_on == on
    ids = db.session.scalars(oversight.overdue_ids(scope, OverdueFilters(as_at=on, show="overdue"))).all()
    assert "order_assessment_notice" not in {r.key for r in oversight.milestone_rows(ids, as_at=on, with_names=False)}
    record(dispute, EventType.DISPUTE_CLOSED, on, actor=actor, today=TODAY, reason="Order complied with")
    assert dispute.status is CaseStatus.CLOSED and dispute.close_reason == "Order complied with"


def test_not_opposing_concedes_limbs_counted_from_the_notice_and_rules_out_the_response(app):
    _, dispute = _refused_and_disputed(AppealType.PLAN_CONTENTS)
    actor = dispute.coordinator
    record(dispute, EventType.APPEAL_REGISTERED, date(2025, 4, 7), actor=actor, today=TODAY, tribunal_reference="EH3")
    with pytest.raises(ServiceError, match="is not something this can require"):
        record(dispute, EventType.APPEAL_NOT_OPPOSED, date(2025, 4, 14), actor=actor, today=TODAY, limbs="cease_plan")
    record(
        dispute,
        EventType.APPEAL_NOT_OPPOSED,
        date(2025, 4, 14),
        actor=actor,
        today=TODAY,
        limbs="amended_plan, school_amended_plan",
    )
    found = _keys(dispute)
    # Reg 45(4): 5 weeks from notifying the tribunal (14 April): 19 May 2025; section I: 2 weeks, 28 April.
    assert found["unopposed_amended_plan"].due_on == date(2025, 5, 19)
    assert found["unopposed_school_amended_plan"].due_on == date(2025, 4, 28)
    assert found["tribunal_response_due"].met_on == date(2025, 4, 14)
    for refused in (EventType.TRIBUNAL_RESPONSE_SENT, EventType.HEARING_HELD, EventType.APPEAL_OUTCOME):
        assert refused not in svc.recordable_now(dispute)
    with pytest.raises(ServiceError, match="will not oppose the appeal, so no response"):
        record(dispute, EventType.TRIBUNAL_RESPONSE_SENT, date(2025, 4, 15), actor=actor, today=TODAY)


def test_the_family_page_words_each_dispute_duty(app):
    assessment, dispute = _refused_and_disputed(AppealType.PLAN_CONTENTS)
    actor = dispute.coordinator
    record(dispute, EventType.MEDIATION_REQUESTED, date(2025, 3, 3), actor=actor, today=TODAY, requested_by="parent")
    record(
        dispute, EventType.MEDIATION_HELD, date(2025, 3, 20), actor=actor, today=TODAY, mediation_outcome="agreement"
    )
    record(
        dispute,
        EventType.MEDIATION_AGREEMENT_RECORDED,
        date(2025, 3, 20),
        actor=actor,
        today=TODAY,
        limbs=["amended_plan"],
    )
    progress = family_service.progress(dispute, today=date(2025, 4, 1), viewer=actor)
    texts = {s.key: s.text for s in progress.steps}
    assert texts["mediation_agreement_amended_plan"] == "We send you the amended plan, as the mediation agreement says"
    assert progress.title == "Your disagreement with our decision (mediation or appeal)"
    assert "We wrote down what was agreed at mediation" in {h.text for h in progress.happened}
    late = family_service.progress(dispute, today=date(2025, 5, 1), viewer=actor)
    step = next(s for s in late.steps if s.key == "mediation_agreement_amended_plan")
    # Reg 42(2) with reg 44(2)(e): 5 weeks from the agreement (20 March): 24 April 2025.
    assert step.status == "late" and "We had to send you the amended plan by 24 April 2025" in step.detail


def test_the_api_records_dispute_steps_from_the_same_table(client):
    from tests.integration.test_api import bearer, token_for

    _, dispute = _refused_and_disputed(AppealType.PLAN_CONTENTS)
    headers = bearer(token_for(dispute.coordinator))
    url = f"/api/v1/cases/{dispute.id}/events"
    response = client.post(
        url,
        headers=headers,
        json={"type": "appeal_registered", "on": "2025-04-07", "tribunal_reference": "EH4", "limbs": "amended_plan"},
    )
    assert response.status_code == 422 and "limbs" in response.get_json()["error"]["fields"]
    response = client.post(url, headers=headers, json={"type": "appeal_registered", "on": "2025-04-07"})
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {
        "tribunal_reference": "Enter the tribunal's reference"
    }
    response = client.post(
        url, headers=headers, json={"type": "appeal_registered", "on": "2025-04-07", "tribunal_reference": "EH4"}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    response = client.post(
        url, headers=headers, json={"type": "appeal_not_opposed", "on": "2025-04-14", "limbs": "amended_plan"}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    keys = {m["key"]: m for m in response.get_json()["milestones"]}
    assert keys["unopposed_amended_plan"]["due_on"] == "2025-05-19"
    response = client.post(url, headers=headers, json={"type": "tribunal_response_sent", "on": "2025-04-15"})
    assert response.status_code in (409, 422)


def test_the_database_refuses_a_dispute_step_recorded_twice_on_one_case(app):
    """Behind the services' check: the once-only index covers the dispute's steps too, so two
    people registering the same appeal at the same moment cannot both succeed."""
    from sqlalchemy.exc import IntegrityError

    from ehc_tracker.models.case import CaseEvent

    _assessment, dispute = _refused_and_disputed()
    for _ in range(2):
        db.session.add(
            CaseEvent(case_id=dispute.id, event_type=EventType.APPEAL_REGISTERED, occurred_on=date(2025, 3, 3))
        )
    with pytest.raises(IntegrityError) as refused:
        db.session.flush()
    assert "unique" in str(refused.value).lower()
    db.session.rollback()
