"""Cases with hand-set milestones for the report tests, written straight to the database.

The figures are counted from the milestone rows, so a test can state each due date and the
day each step was done and compute the expected figures by hand. Nothing here calls the
workflow services (they would recompute the milestones from events).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ehc_tracker.extensions import db
from ehc_tracker.models.case import AdviceRequest, AdviceType, Case, CaseStatus, CaseType, Milestone
from tests.factories_children import create_child
from tests.helpers import create_team


def make_case(
    *,
    team: Any = None,
    coordinator: Any = None,
    child: Any = None,
    case_type: CaseType = CaseType.ASSESSMENT,
    anchor_on: date = date(2024, 10, 1),
    status: CaseStatus = CaseStatus.OPEN,
    closed_on: date | None = None,
    **child_fields: Any,
) -> Case:
    team = team or create_team()
    child = child or create_child(team=team, commit=False, **child_fields)
    case = Case(
        child=child,
        team_id=team.id,
        coordinator_id=coordinator.id if coordinator else None,
        case_type=case_type,
        anchor_on=anchor_on,
        status=status,
        closed_on=closed_on,
    )
    db.session.add(case)
    db.session.flush()
    return case


def add_milestone(
    case: Case,
    key: str,
    *,
    due_on: date,
    met_on: date | None = None,
    ref: str = "",
    exception: bool = False,
    is_period: bool = False,
    anchor_on: date | None = None,
) -> Milestone:
    milestone = Milestone(
        case_id=case.id,
        key=key,
        ref=ref,
        label=key.replace("_", " ").capitalize(),
        source="test",
        anchor_on=anchor_on or case.anchor_on,
        due_on=due_on,
        met_on=met_on,
        is_period=is_period,
        exception_applies=exception,
    )
    db.session.add(milestone)
    db.session.flush()
    return milestone


def add_advice(
    case: Case,
    *,
    advice_type: AdviceType,
    provider: str,
    requested_on: date,
    due_on: date,
    received_on: date | None = None,
) -> Milestone:
    advice = AdviceRequest(
        case_id=case.id, advice_type=advice_type, provider=provider, requested_on=requested_on, received_on=received_on
    )
    db.session.add(advice)
    db.session.flush()
    return add_milestone(
        case, "advice_due", due_on=due_on, met_on=received_on, ref=f"advice:{advice.id}", anchor_on=requested_on
    )
