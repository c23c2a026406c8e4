"""Ceasing an EHC plan outside an annual review (CFA 2014 s45; SEND Regulations 2014 reg 15, 31).

A plan may end between reviews: the child or young person moved to another authority (the plan
transfers under reg 15), no longer needs it, left education or turned 25, or died. The decision
is recorded with its SEN2 cease reason and the day its notice went to the family. Where the
family may appeal (CFA s51(2)(f)), the plan is maintained until the appeal window has closed or
an appeal is concluded (s45(3)-(4)); the day it actually ends is recorded separately.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import User
from ..models.case import Case, CaseStatus, Plan, PlanStatus
from ..statutory.rules import due_on
from . import Forbidden, ServiceError, audit
from .cases import CEASE_REASONS, NO_APPEAL_CEASE_REASONS, check_cease_end, recompute_case
from .children import can_edit


def _require_edit(plan: Plan, actor: User) -> None:
    child = plan.child
    if child is None or not can_edit(actor, child):
        raise Forbidden("Only a coordinator or manager of the child's team can change this plan")


def has_appeal_right(reason: str) -> bool:
    return reason not in NO_APPEAL_CEASE_REASONS


def decide_to_cease(
    plan: Plan, *, reason: str, decided_on: date, notice_sent_on: date | None, actor: User, today: date
) -> None:
    """Record the decision to cease the plan and, where the family may appeal, its appeal window."""
    _require_edit(plan, actor)
    if plan.status is not PlanStatus.ACTIVE:
        raise ServiceError(
            f"This plan is {plan.status.value}: a decision to cease it is already recorded", field="reason"
        )
    if reason not in CEASE_REASONS:
        raise ServiceError("Select why the plan is ending", field="reason")
    if decided_on > today:
        raise ServiceError("The decision date cannot be in the future", field="decided_on")
    if decided_on < plan.issued_on:
        raise ServiceError(
            f"The decision cannot come before the plan was issued ({plan.issued_on:%-d %B %Y})", field="decided_on"
        )
    appeal = has_appeal_right(reason)
    if notice_sent_on is None:
        if appeal:
            raise ServiceError(
                "Enter the date the decision notice, with the right to appeal, was sent to the family",
                field="notice_sent_on",
            )
        notice_sent_on = decided_on
    if notice_sent_on > today:
        raise ServiceError("The notice date cannot be in the future", field="notice_sent_on")
    if notice_sent_on < decided_on:
        raise ServiceError("The notice cannot be sent before the decision was made", field="notice_sent_on")
    plan.status = PlanStatus.CEASING
    plan.cease_reason = reason
    plan.cease_decided_on = decided_on
    plan.cease_notice_sent_on = notice_sent_on
    plan.cease_appeal_ends_on = due_on("appeal_deadline", notice_sent_on) if appeal else None
    audit.record(
        actor,
        "plan_cease_decided",
        "plan",
        plan.id,
        f"Decided to cease the plan of child {plan.child_id}: {CEASE_REASONS[reason]} (decided {decided_on.isoformat()})",
        {
            "child_id": plan.child_id,
            "reason": reason,
            "decided_on": decided_on.isoformat(),
            "notice_sent_on": notice_sent_on.isoformat(),
            "appeal_ends_on": plan.cease_appeal_ends_on.isoformat() if plan.cease_appeal_ends_on else None,
        },
    )
    db.session.flush()


def record_plan_end(
    plan: Plan, *, ended_on: date, appeal_concluded_on: date | None, actor: User, today: date
) -> list[Case]:
    """Record the day a plan being ceased actually ended; close the cases still open on it.

    Returns the cases closed. Refused inside the appeal window unless an appeal was concluded.
    """
    _require_edit(plan, actor)
    if plan.status is not PlanStatus.CEASING or plan.cease_reason is None or plan.cease_decided_on is None:
        raise ServiceError("Record the decision to cease the plan first", field="ended_on")
    if ended_on > today:
        raise ServiceError("The date the plan ended cannot be in the future", field="ended_on")
    if appeal_concluded_on is not None and appeal_concluded_on > today:
        raise ServiceError("The date the appeal was concluded cannot be in the future", field="appeal_concluded_on")
    check_cease_end(
        ends_on=ended_on,
        reason=plan.cease_reason,
        notice_sent_on=plan.cease_notice_sent_on or plan.cease_decided_on,
        appeal_concluded_on=appeal_concluded_on,
        field="ended_on",
    )
    plan.status = PlanStatus.CEASED
    plan.ceased_on = ended_on
    plan.cease_appeal_concluded_on = appeal_concluded_on
    closed = list(
        db.session.scalars(
            select(Case).where(Case.plan_id == plan.id, Case.status == CaseStatus.OPEN).order_by(Case.id)
        )
    )
    for case in closed:
        case.status = CaseStatus.CLOSED
        case.closed_on = ended_on
        case.close_reason = "Plan ceased"
        recompute_case(case)
    audit.record(
        actor,
        "plan_ended",
        "plan",
        plan.id,
        f"Recorded that the plan of child {plan.child_id} ended on {ended_on.isoformat()}",
        {
            "child_id": plan.child_id,
            "ended_on": ended_on.isoformat(),
            "appeal_concluded_on": appeal_concluded_on.isoformat() if appeal_concluded_on else None,
            "cases_closed": [c.id for c in closed],
        },
    )
    db.session.flush()
    return closed
