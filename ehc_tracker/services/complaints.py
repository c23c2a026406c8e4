"""Complaints about a child's case or service: recording them, the response clock, the response.

A complaint is recorded at one stage of the council's complaints procedure (stage 1, stage 2, or
the Local Government and Social Care Ombudsman); a complaint taken further is recorded again at
its new stage, with the day the council received it there. Its response is due a number of
working days after it was received: the council's own standard for the stage
(COMPLAINT_RESPONSE_WORKING_DAYS_STAGE_1, _STAGE_2, _OMBUDSMAN; 10, 20 and 20 unless set). It is
a local standard, so the council's own non-working days are not counted, as well as weekends
and bank holidays (docs/statutory-timescales.md, "How to count": working days). The due date is
counted when the complaint is recorded and kept on it, so a later change of the setting does not
move a clock already running.

A complaint is *overdue* when it has no response and its due date has passed (a response on the
due date is on time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from flask import current_app
from sqlalchemy import Select, select

from .. import access
from ..extensions import db
from ..models import User
from ..models.case import Case
from ..models.child import Child
from ..models.voice import Complaint, ComplaintCategory, ComplaintOutcome, ComplaintStage
from . import Forbidden, ServiceError, audit
from .calendar import working_day_calendar
from .reports.scope import next_month

MAX_TEXT = 4000

RESPONSE_DAYS_SETTING = {
    ComplaintStage.STAGE_1: "COMPLAINT_RESPONSE_WORKING_DAYS_STAGE_1",
    ComplaintStage.STAGE_2: "COMPLAINT_RESPONSE_WORKING_DAYS_STAGE_2",
    ComplaintStage.OMBUDSMAN: "COMPLAINT_RESPONSE_WORKING_DAYS_OMBUDSMAN",
}


def response_working_days(stage: ComplaintStage) -> int:
    """The council's own number of working days to respond at this stage (a setting)."""
    return int(current_app.config[RESPONSE_DAYS_SETTING[stage]])


def response_due(received_on: date, stage: ComplaintStage) -> date:
    """The day the response is due: the stage's working days after the day it was received."""
    return working_day_calendar().add_working_days(received_on, response_working_days(stage))


def can_record(actor: User, child: Child) -> bool:
    """Whoever works with the child (a coordinator or manager of its team) records its complaints."""
    return access.can_edit_child(actor, child)


def can_view(actor: User, complaint: Complaint) -> bool:
    return access.is_staff_editor(actor) and complaint.team_id in actor.team_ids


def _text(value: str | None, *, field: str, required: str | None = None) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ServiceError(required, field=field)
        return None
    if len(value) > MAX_TEXT:
        raise ServiceError(f"This must be {MAX_TEXT:,} characters or fewer", field=field)
    return value


def record_complaint(
    child: Child,
    *,
    case: Case | None,
    stage: ComplaintStage,
    category: ComplaintCategory,
    received_on: date,
    summary: str,
    actor: User,
    today: date,
) -> Complaint:
    """Record a complaint received about the child's service (and one of its cases, if given)."""
    if not can_record(actor, child):
        raise Forbidden("Only a coordinator or manager of the child's team can record a complaint")
    if case is not None and case.child_id != child.id:
        raise ServiceError("Choose one of this child's cases", field="case_id")
    if received_on > today:
        raise ServiceError(f"The date it was received cannot be after today ({today:%-d %B %Y})", field="received_on")
    text = _text(summary, field="summary", required="Describe the complaint")
    complaint = Complaint(
        child_id=child.id,
        case_id=case.id if case is not None else None,
        team_id=child.team_id,
        stage=stage,
        category=category,
        received_on=received_on,
        response_due_on=response_due(received_on, stage),
        summary=text,
        recorded_by_id=actor.id,
    )
    db.session.add(complaint)
    db.session.flush()
    audit.record(
        actor,
        "complaint_recorded",
        "child",
        child.id,
        f"Recorded a {stage.label.lower()} complaint ({category.label.lower()}) about child {child.id}"
        + (f", case {case.id}" if case is not None else ""),
        {
            "complaint_id": complaint.id,
            "case_id": complaint.case_id,
            "stage": stage.value,
            "category": category.value,
            "received_on": received_on.isoformat(),
            "response_due_on": complaint.response_due_on.isoformat(),
        },
    )
    return complaint


def record_response(
    complaint: Complaint,
    *,
    responded_on: date,
    outcome: ComplaintOutcome,
    lessons: str | None,
    actor: User,
    today: date,
) -> bool:
    """Record (or correct) the council's response: its date, the outcome and the lessons learned.
    Returns False when nothing changed."""
    if not can_record(actor, complaint.child):
        raise Forbidden("Only a coordinator or manager of the child's team can record the response")
    if responded_on < complaint.received_on:
        raise ServiceError(
            f"The response cannot be before the complaint was received ({complaint.received_on:%-d %B %Y})",
            field="responded_on",
        )
    if responded_on > today:
        raise ServiceError(f"The date of the response cannot be after today ({today:%-d %B %Y})", field="responded_on")
    lessons = _text(lessons, field="lessons")
    before = {
        "responded_on": complaint.responded_on.isoformat() if complaint.responded_on else None,
        "outcome": complaint.outcome.value if complaint.outcome else None,
        "lessons": complaint.lessons,
    }
    after = {"responded_on": responded_on.isoformat(), "outcome": outcome.value, "lessons": lessons}
    if before == after:
        return False
    complaint.responded_on, complaint.outcome, complaint.lessons = responded_on, outcome, lessons
    late = responded_on > complaint.response_due_on
    audit.record(
        actor,
        "complaint_response_recorded" if before["responded_on"] is None else "complaint_response_changed",
        "child",
        complaint.child_id,
        f"Recorded the response to complaint {complaint.id} ({outcome.label.lower()}, "
        f"{'late' if late else 'on time'}: due {complaint.response_due_on:%-d %B %Y})",
        {"complaint_id": complaint.id, "old": before, "new": after},
    )
    db.session.flush()
    return True


def record_viewed(complaint: Complaint, actor: User) -> None:
    audit.record(
        actor,
        "complaint_viewed",
        "child",
        complaint.child_id,
        f"Viewed complaint {complaint.id} of child record {complaint.child_id}",
        {"complaint_id": complaint.id},
    )


def complaints_of_child(child: Child) -> list[Complaint]:
    return list(
        db.session.scalars(
            select(Complaint)
            .where(Complaint.child_id == child.id)
            .order_by(Complaint.received_on.desc(), Complaint.id.desc())
        )
    )


def complaints_of_case(case: Case) -> list[Complaint]:
    return list(
        db.session.scalars(
            select(Complaint).where(Complaint.case_id == case.id).order_by(Complaint.received_on.desc(), Complaint.id)
        )
    )


# --- The managers' list --------------------------------------------------------------------

Status = Literal["open", "overdue", "responded"]
Sort = Literal["received", "due", "child"]


@dataclass(frozen=True)
class ComplaintFilters:
    today: date
    category: ComplaintCategory | None = None
    stage: ComplaintStage | None = None
    status: Status | None = None
    # Complaints received in this month (its first day), when given.
    month_on: date | None = None
    sort: Sort = "received"
    descending: bool = True


def complaint_conditions(team_ids: frozenset[int] | set[int], f: ComplaintFilters) -> list[Any]:
    """The complaints of these teams that match the filters (the list, its export and the
    dashboard's links read the same conditions)."""
    found: list[Any] = [Complaint.team_id.in_(team_ids) if team_ids else Complaint.id.is_(None)]
    if f.category is not None:
        found.append(Complaint.category == f.category)
    if f.stage is not None:
        found.append(Complaint.stage == f.stage)
    if f.status == "open":
        found.append(Complaint.responded_on.is_(None))
    elif f.status == "overdue":
        found += [Complaint.responded_on.is_(None), Complaint.response_due_on < f.today]
    elif f.status == "responded":
        found.append(Complaint.responded_on.is_not(None))
    if f.month_on is not None:
        found += [Complaint.received_on >= f.month_on, Complaint.received_on < next_month(f.month_on)]
    return found


def complaint_list(team_ids: frozenset[int] | set[int], f: ComplaintFilters) -> Select[tuple[Complaint]]:
    """The matching complaints, sorted as asked (ties: most recent first)."""
    stmt = select(Complaint).where(*complaint_conditions(team_ids, f))
    if f.sort == "child":
        stmt = stmt.join(Child, Child.id == Complaint.child_id)
        keys: list[Any] = [Child.last_name, Child.first_name]
    elif f.sort == "due":
        keys = [Complaint.response_due_on]
    else:
        keys = [Complaint.received_on]
    ordered = [k.desc() if f.descending else k.asc() for k in keys]
    return stmt.order_by(*ordered, Complaint.id.desc())
