"""Factories for case-workflow tests (keyword-only, like tests.helpers)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ehc_tracker.extensions import db
from ehc_tracker.models.case import EventType, RequestSource
from ehc_tracker.services import cases as case_service
from tests.factories_children import create_child
from tests.helpers import create_team, create_user

TODAY = date(2025, 12, 1)


def create_assessment(
    *,
    received_on: date = date(2025, 1, 6),
    coordinator: Any = None,
    team: Any = None,
    child: Any = None,
    source: RequestSource = RequestSource.PARENT,
    today: date = TODAY,
    commit: bool = True,
) -> Any:
    team = team or (coordinator.teams[0] if coordinator is not None and coordinator.teams else create_team())
    coordinator = coordinator or create_user(role="coordinator", teams=[team])
    child = child or create_child(team=team, date_of_birth=date(2015, 5, 1))
    case = case_service.open_assessment(
        child=child,
        received_on=received_on,
        source=source,
        team=team,
        coordinator=coordinator,
        actor=coordinator,
        today=today,
    )
    if commit:
        db.session.commit()
    return case


def carry_to_final_plan(case: Any, *, actor: Any, today: date = TODAY, final_on: date = date(2025, 5, 20)) -> Any:
    record = case_service.record_event
    record(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=actor, today=today)
    record(
        case,
        EventType.ADVICE_REQUESTED,
        date(2025, 2, 11),
        actor=actor,
        today=today,
        advice_type="ep",
        provider="EP Service",
    )
    advice = case.advice_requests[0]
    record(case, EventType.ADVICE_RECEIVED, date(2025, 3, 20), actor=actor, today=today, advice_request_id=advice.id)
    record(case, EventType.DECIDED_TO_ISSUE, date(2025, 3, 31), actor=actor, today=today)
    record(case, EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7), actor=actor, today=today)
    record(case, EventType.SCHOOL_CONSULTED, date(2025, 4, 8), actor=actor, today=today, setting_name="Hill Primary")
    record(
        case,
        EventType.SCHOOL_RESPONDED,
        date(2025, 4, 18),
        actor=actor,
        today=today,
        consultation_id=case.consultations[0].id,
        outcome="agreed",
    )
    record(case, EventType.FINAL_PLAN_ISSUED, final_on, actor=actor, today=today, named_settings="Hill Primary")
    db.session.commit()
    return case


def open_test_dispute(
    disputed: Any,
    *,
    appeal_type: Any = None,
    letter_on: date = date(2025, 2, 10),
    actor: Any = None,
    today: date = TODAY,
    commit: bool = True,
) -> Any:
    """A dispute about `disputed`'s decision, from the day its letter was sent, held by `actor`
    (by default the disputed case's coordinator)."""
    from ehc_tracker.models.case import AppealType
    from ehc_tracker.services import opening

    actor = actor or disputed.coordinator
    dispute = opening.open_dispute(
        disputed=disputed,
        decision_sent_on=letter_on,
        appeal_type=appeal_type or AppealType.REFUSAL_TO_ASSESS,
        team=disputed.team,
        coordinator=actor,
        actor=actor,
        today=today,
    )
    if commit:
        db.session.commit()
    return dispute


def create_refused_dispute(
    *, team: Any = None, appeal_type: Any = None, letter_on: date = date(2025, 2, 10), today: date = TODAY
) -> Any:
    """An assessment (received 6 January 2025) refused on `letter_on`, and a dispute about it."""
    assessment = create_assessment(received_on=date(2025, 1, 6), team=team, today=today)
    case_service.record_event(
        assessment,
        EventType.DECIDED_NOT_TO_ASSESS,
        letter_on,
        actor=assessment.coordinator,
        today=today,
        reason="Needs met",
    )
    return open_test_dispute(assessment, appeal_type=appeal_type, letter_on=letter_on, today=today)
