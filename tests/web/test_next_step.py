"""The case page's "Next step" panel and its button name the same step, with that step's own due
date; an earlier overdue time limit is shown separately; only steps that can be recorded now are
offered."""

from __future__ import annotations

import re
from datetime import date

from ehc_tracker.extensions import db
from ehc_tracker.models.case import EventType
from ehc_tracker.services import cases as case_service
from tests.factories_cases import create_assessment
from tests.helpers import create_team, create_user

TODAY = date(2025, 12, 1)


def test_a_new_assessment_offers_only_what_can_be_recorded_now(app):
    case = create_assessment()
    offered = case_service.recordable_now(case)
    assert EventType.DECIDED_TO_ASSESS in offered and EventType.DECIDED_NOT_TO_ASSESS in offered
    for too_early in (
        EventType.FINAL_PLAN_ISSUED,
        EventType.DRAFT_PLAN_ISSUED,
        EventType.SCHOOL_CONSULTED,
        EventType.ADVICE_RECEIVED,
        EventType.DECIDED_TO_ISSUE,
    ):
        assert too_early not in offered
    for kind, on in ((EventType.DECIDED_TO_ASSESS, date(2025, 2, 10)), (EventType.DECIDED_TO_ISSUE, date(2025, 3, 31))):
        case_service.record_event(case, kind, on, actor=case.coordinator, today=TODAY)
    assert EventType.SCHOOL_CONSULTED not in case_service.recordable_now(case)  # only with the draft (CFA s39)
    case_service.record_event(case, EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7), actor=case.coordinator, today=TODAY)
    offered = case_service.recordable_now(case)
    assert EventType.SCHOOL_CONSULTED in offered and EventType.FINAL_PLAN_ISSUED in offered
    assert EventType.DECIDED_TO_ASSESS not in offered and EventType.DECIDED_NOT_TO_ISSUE not in offered


def test_every_offered_step_is_accepted_by_the_service_when_its_details_are_given(app):
    """No link on the page leads to a refusal of the step itself (only of its details)."""
    case = create_assessment()
    for step in case_service.recordable_now(case):
        with db.session.begin_nested() as savepoint:
            try:
                case_service.record_event(
                    case, step, date(2025, 2, 10), actor=case.coordinator, today=TODAY, reason="r"
                )
            except case_service.ServiceError as error:
                assert error.field not in ("event_type",), (step, error.message)
            savepoint.rollback()


def test_the_panel_and_the_button_name_the_same_step_with_its_own_due_date(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(team=team, coordinator=me, received_on=date(2025, 1, 6))
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    panel = html.split('id="next-action"', 1)[1].split("</div>", 1)[0]
    assert 'data-next-step="decided_to_assess"' in panel and "Record: Decided to assess" in panel
    assert "by Monday 17 February 2025 (Decide whether to assess)" in panel  # request + 6 weeks
    assert "Issue final EHC plan" not in panel  # the step's own limit, not another one
    assert "Overdue" in panel


def test_an_earlier_overdue_limit_is_shown_beside_the_next_step(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(team=team, coordinator=me, received_on=date(2025, 1, 6))
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=me, today=TODAY)
    case_service.log_communication(
        case,
        received_on=date(2025, 2, 3),
        channel=case_service.Channel.EMAIL,
        from_name="Mum",
        summary="Any news?",
        actor=me,
        today=TODAY,
    )
    db.session.commit()
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    panel = html.split('id="next-action"', 1)[1].split("</div>", 1)[0]
    assert 'data-next-step="advice_requested"' in panel and "Record: Advice requested" in panel
    also = re.search(r'data-also-overdue="([a-z_]+)"', panel)
    assert also is not None and also.group(1) in ("response_due", "final_plan")
    assert "Also overdue:" in panel


def test_a_step_form_shows_the_child_and_the_time_limit_it_meets(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(team=team, coordinator=me, received_on=date(2025, 1, 6))
    html = client.get(f"/cases/{case.id}/events/decided_to_assess").get_data(as_text=True)
    assert f"<title>Decided to assess – {case.child.full_name} – EHC Tracker</title>" in html
    due = html.split('id="step-due"', 1)[1].split("</p>", 1)[0]
    assert "‘Decide whether to assess’" in due and "Monday 17 February 2025" in due and "reg 4(1), 5(1)" in due


def test_after_the_draft_the_next_step_is_to_consult_the_school_then_its_answer_then_the_final_plan(app):
    from ehc_tracker.services import timeline as timeline_service

    team = create_team()
    me = create_user(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    record = case_service.record_event
    record(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=me, today=date(2025, 4, 8))
    record(
        case,
        EventType.ADVICE_REQUESTED,
        date(2025, 2, 11),
        actor=me,
        today=date(2025, 4, 8),
        advice_type="ep",
        provider="EP",
    )
    record(
        case,
        EventType.ADVICE_RECEIVED,
        date(2025, 3, 20),
        actor=me,
        today=date(2025, 4, 8),
        advice_request_id=case.advice_requests[0].id,
    )
    record(case, EventType.DECIDED_TO_ISSUE, date(2025, 3, 31), actor=me, today=date(2025, 4, 8))
    record(case, EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7), actor=me, today=date(2025, 4, 8))
    assert timeline_service.next_step(case) is EventType.SCHOOL_CONSULTED
    record(
        case,
        EventType.SCHOOL_CONSULTED,
        date(2025, 4, 8),
        actor=me,
        today=date(2025, 4, 8),
        setting_name="Hill Primary",
    )
    assert timeline_service.next_step(case) is EventType.SCHOOL_RESPONDED
    record(
        case,
        EventType.SCHOOL_RESPONDED,
        date(2025, 4, 18),
        actor=me,
        today=date(2025, 4, 18),
        consultation_id=case.consultations[0].id,
        outcome="agreed",
    )
    assert timeline_service.next_step(case) is EventType.FINAL_PLAN_ISSUED
    # The final plan can still be recorded at any point after the draft (a plan naming no setting).
    assert EventType.FINAL_PLAN_ISSUED in case_service.recordable_now(case)
