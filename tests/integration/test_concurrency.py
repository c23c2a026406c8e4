"""Two people record a step of the same case at the same instant: exactly one wins, the other is
told why (409), nothing is recorded twice and nothing answers 500.

Real concurrency needs PostgreSQL's row locks (CI runs this with TEST_DATABASE_URL set); on
SQLite the module checks the database guards alone.
"""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ehc_tracker.extensions import db
from ehc_tracker.models.case import ONCE_ONLY_EVENTS, Case, CaseEvent, CaseStatus, CaseType, EventType, Plan
from ehc_tracker.services import api_tokens, workflow
from ehc_tracker.services import cases as case_service
from tests.factories_cases import create_assessment
from tests.helpers import create_team, create_user

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL", "").strip())
ROUNDS = 6
TODAY = date(2025, 12, 1)


def _bearer(user) -> dict[str, str]:
    created = api_tokens.create_token(user, name="race", actor=user)
    db.session.commit()
    return {"Authorization": f"Bearer {created.secret}"}


def _at_once(app, url: str, requests: list[tuple[dict[str, str], dict]]) -> list[int]:
    """Send the requests from separate threads, released together by a barrier."""
    barrier = threading.Barrier(len(requests))
    codes: list[int] = []
    lock = threading.Lock()

    def send(headers: dict[str, str], body: dict) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(url, headers=headers, json=body)
        with lock:
            codes.append(response.status_code)

    threads = [threading.Thread(target=send, args=item) for item in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(codes)


def _ready_for_final_plan(team, coordinator):
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    for kind, on in (
        (EventType.DECIDED_TO_ASSESS, date(2025, 2, 10)),
        (EventType.DECIDED_TO_ISSUE, date(2025, 3, 31)),
        (EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7)),
    ):
        case_service.record_event(case, kind, on, actor=coordinator, today=TODAY)
    db.session.commit()
    return case


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def test_the_once_only_list_is_the_workflows():
    assert set(ONCE_ONLY_EVENTS) == {t.value for t, s in workflow.STEPS.items() if s.once}


@pytest.mark.skipif(
    not ON_POSTGRES, reason="two requests at the same instant need PostgreSQL's row locks (CI runs this)"
)
def test_two_final_plans_at_once_give_one_plan_and_one_open_review(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    manager = create_user(role="manager", teams=[team])
    first, second = _bearer(coordinator), _bearer(manager)
    body = {"type": "final_plan_issued", "on": "2025-05-20", "named_settings": "Hill Primary"}
    for _ in range(ROUNDS):
        case = _ready_for_final_plan(team, coordinator)
        codes = _at_once(app, f"/api/v1/cases/{case.id}/events", [(first, body), (second, body)])
        db.session.expire_all()
        assert codes == [201, 409]
        assert _count(CaseEvent, CaseEvent.case_id == case.id, CaseEvent.event_type == EventType.FINAL_PLAN_ISSUED) == 1
        assert _count(Plan, Plan.child_id == case.child_id) == 1
        assert (
            _count(
                Case,
                Case.child_id == case.child_id,
                Case.case_type == CaseType.ANNUAL_REVIEW,
                Case.status == CaseStatus.OPEN,
            )
            == 1
        )


@pytest.mark.skipif(
    not ON_POSTGRES, reason="two requests at the same instant need PostgreSQL's row locks (CI runs this)"
)
def test_contradictory_decisions_at_once_give_one_decision(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    manager = create_user(role="manager", teams=[team])
    first, second = _bearer(coordinator), _bearer(manager)
    for n in range(ROUNDS):
        case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
        yes = {"type": "decided_to_assess", "on": "2025-02-10"}
        no = {"type": "decided_not_to_assess", "on": "2025-02-10", "reason": "Needs met at SEN support"}
        pair = [(first, yes), (second, no)] if n % 2 else [(first, no), (second, yes)]
        codes = _at_once(app, f"/api/v1/cases/{case.id}/events", pair)
        db.session.expire_all()
        assert codes == [201, 409]
        decisions = db.session.scalars(
            select(CaseEvent.event_type).where(
                CaseEvent.case_id == case.id,
                CaseEvent.event_type.in_([EventType.DECIDED_TO_ASSESS, EventType.DECIDED_NOT_TO_ASSESS]),
            )
        ).all()
        assert len(decisions) == 1


@pytest.mark.skipif(
    not ON_POSTGRES, reason="two requests at the same instant need PostgreSQL's row locks (CI runs this)"
)
def test_maintain_and_cease_at_once_give_one_review_decision(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    manager = create_user(role="manager", teams=[team])
    first, second = _bearer(coordinator), _bearer(manager)
    from tests.factories_children import create_child

    for _ in range(ROUNDS):
        child = create_child(team=team, date_of_birth=date(2012, 5, 1))
        review = case_service.open_annual_review(
            child=child,
            plan=None,
            last_reviewed_on=date(2025, 1, 10),
            team_id=team.id,
            coordinator_id=coordinator.id,
            actor=coordinator,
        )
        case_service.record_event(
            review, EventType.REVIEW_MEETING_HELD, date(2025, 11, 3), actor=coordinator, today=TODAY
        )
        db.session.commit()
        maintain = {"type": "review_decision_notified", "on": "2025-11-20", "decision": "maintain"}
        cease = {"type": "review_decision_notified", "on": "2025-11-20", "decision": "cease"}
        codes = _at_once(app, f"/api/v1/cases/{review.id}/events", [(first, maintain), (second, cease)])
        db.session.expire_all()
        assert codes == [201, 409]
        assert (
            _count(
                CaseEvent, CaseEvent.case_id == review.id, CaseEvent.event_type == EventType.REVIEW_DECISION_NOTIFIED
            )
            == 1
        )
        assert (
            _count(
                Case,
                Case.child_id == child.id,
                Case.case_type == CaseType.ANNUAL_REVIEW,
                Case.status == CaseStatus.OPEN,
            )
            <= 1
        )


def test_the_database_refuses_a_once_only_step_twice(app):
    """The guard behind the lock: even a write that skips the service cannot record it twice."""
    case = create_assessment()
    db.session.add(CaseEvent(case_id=case.id, event_type=EventType.DECIDED_TO_ASSESS, occurred_on=date(2025, 2, 10)))
    db.session.commit()
    db.session.add(CaseEvent(case_id=case.id, event_type=EventType.DECIDED_TO_ASSESS, occurred_on=date(2025, 2, 11)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Repeatable steps are not limited.
    for day in (11, 12):
        db.session.add(
            CaseEvent(case_id=case.id, event_type=EventType.ADVICE_REQUESTED, occurred_on=date(2025, 2, day))
        )
    db.session.commit()


def test_the_database_refuses_a_second_open_review_for_a_child(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    from tests.factories_children import create_child

    child = create_child(team=team)
    for _ in range(2):
        db.session.add(
            Case(
                child_id=child.id,
                team_id=team.id,
                case_type=CaseType.ANNUAL_REVIEW,
                anchor_on=date(2025, 1, 1),
                coordinator_id=coordinator.id,
            )
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_step_already_recorded_answers_409_on_the_web_form(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(team=team, coordinator=me)
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=me, today=TODAY)
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/events/decided_not_to_assess", data={"on": ["10", "2", "2025"], "reason": "x"}
    )
    assert response.status_code == 409
    assert "‘Decided to assess’ is already recorded" in response.get_data(as_text=True)
