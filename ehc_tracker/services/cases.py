"""The case workflow: opening cases, recording events, corrections, exceptions, communications.

Every operation takes the acting user and `today`, checks the sequence the law implies,
writes an audit entry, recomputes the milestones through the statutory engine and flushes.
The caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError

from .. import access
from ..extensions import db
from ..models import Team, User
from ..models.case import (
    AdviceRequest,
    AdviceType,
    AppealType,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseException,
    CaseNote,
    CaseStatus,
    CaseType,
    Channel,
    Communication,
    Consultation,
    ConsultationOutcome,
    EventType,
    ExceptionStatus,
    Plan,
    PlanStatus,
    RequestSource,
    ReviewDecision,
)
from ..models.child import ChildContact
from ..statutory.errors import StatutoryError
from ..statutory.exceptions import validate_exception
from ..statutory.rules import ExceptionLimb, StatutorySettings, due_on
from ..statutory.rules import rule as statutory_rule
from ..statutory.years import compulsory_school_age_ends
from . import Conflict, Forbidden, ServiceError, audit, workflow
from . import directory as directory_service
from . import disputes as dispute_service
from . import milestones as milestone_service
from .calendar import working_day_calendar
from .events import reply_recorded, step_recorded
from .timeline import ADVICE_NAMES

# Each step's name on the pages, in the workflow's order (the pages read it from here).
EVENT_LABELS = workflow.labels()


def settings_for_cases() -> StatutorySettings:
    return StatutorySettings()


def recompute_case(case: Case) -> None:
    """Recompute the case's milestones with the council's calendar and settings."""
    milestone_service.recompute(case, calendar=working_day_calendar(), settings=settings_for_cases())


_recompute = recompute_case


# --- Access ----------------------------------------------------------------------------------


# Who may see and change a case: the access module's rules, under the names the services use.
can_view = access.can_view_case
can_edit = access.can_edit_case


def _require_edit(user: User, case: Case) -> None:
    if not can_edit(user, case):
        raise Forbidden("Only the case's coordinator or a manager of its team can change this case")


def _check_coordinator(coordinator: User | None, team: Team) -> None:
    if coordinator is None:
        return
    if not _may_hold(coordinator, team):
        raise ServiceError(f"{coordinator.name} is not a coordinator in {team.name}", field="coordinator_id")


def _check_date(
    on: date,
    *,
    today: date,
    field: str = "on",
    label: str = "The date",
    not_before: date | None = None,
    not_before_label: str = "",
) -> None:
    if on > today:
        raise ServiceError(f"{label} cannot be in the future", field=field)
    if not_before is not None and on < not_before:
        raise ServiceError(f"{label} cannot be before {not_before_label} ({not_before:%-d %B %Y})", field=field)


# --- Opening cases ---------------------------------------------------------------------------


def _check_not_before_birth(child: Any, on: date, field: str, what: str) -> None:
    """Nothing about a child happens before they were born (`what` says what, e.g. "The plan cannot be made")."""
    if child.date_of_birth and on < child.date_of_birth:
        raise ServiceError(f"{what} before the child's date of birth", field=field)


def open_assessment(
    *,
    child: Any,
    received_on: date,
    source: RequestSource,
    team: Team,
    coordinator: User | None,
    actor: User,
    today: date,
    reassessment: bool = False,
) -> Case:
    """Open an EHC needs assessment (or a reassessment) from the day the request was received.

    A child who already has a plan is reassessed, not assessed anew (CFA 2014 s36(6)(a), s44(2));
    a reassessment needs a plan. A young person may request in their own right only once over
    compulsory school age (CFA 2014 s36(1), s83(2)); before that the child's parent requests.
    """
    _check_date(received_on, today=today, field="received_on", label="The date the request was received")
    _check_not_before_birth(child, received_on, "received_on", "The request cannot be received")
    _check_coordinator(coordinator, team)
    plan = current_plan(child)
    with_plan = plan is not None or _reviews_tracked(child)
    if with_plan and not reassessment:
        issued = f" (issued {plan.issued_on:%-d %B %Y})" if plan is not None else ""
        raise ServiceError(
            f"{child.first_name} already has an EHC plan{issued}. A new request for a child with a plan is a request "
            "for a reassessment (Children and Families Act 2014 s44(2)): choose ‘Reassessment of an existing plan’",
            field="case_type",
        )
    if not with_plan and reassessment:
        raise ServiceError(
            f"{child.first_name} has no EHC plan, so there is nothing to reassess: choose ‘EHC needs assessment’",
            field="case_type",
        )
    if source is RequestSource.YOUNG_PERSON and child.date_of_birth:
        school_age_ends = compulsory_school_age_ends(child.date_of_birth)
        if received_on <= school_age_ends:
            raise ServiceError(
                f"{child.first_name} was of compulsory school age on {received_on:%-d %B %Y} (until "
                f"{school_age_ends:%-d %B %Y}), so is a child, not a young person: the request is the parent’s "
                "(Children and Families Act 2014 s83(2)). Choose who made it",
                field="source",
            )
    open_existing = db.session.scalar(
        select(Case.id).where(
            Case.child_id == child.id,
            Case.status == CaseStatus.OPEN,
            Case.case_type.in_([CaseType.ASSESSMENT, CaseType.REASSESSMENT]),
        )
    )
    if open_existing:
        raise ServiceError("This child already has an open assessment", field="received_on")
    case = Case(
        child=child,
        team_id=team.id,
        coordinator_id=coordinator.id if coordinator else None,
        case_type=CaseType.REASSESSMENT if reassessment else CaseType.ASSESSMENT,
        anchor_on=received_on,
        request_source=source,
    )
    db.session.add(case)
    _flush_or_conflict("This child already has an open assessment (opened at the same moment)", field="received_on")
    db.session.add(
        CaseEvent(
            case=case,
            event_type=EventType.REQUEST_RECEIVED,
            occurred_on=received_on,
            details={"source": source.value},
            recorded_by_id=actor.id,
        )
    )
    db.session.add(
        CaseAssignment(case=case, coordinator_id=case.coordinator_id, assigned_by_id=actor.id, reason="Case opened")
    )
    audit.record(
        actor,
        "case_opened",
        "case",
        case.id,
        f"Opened {case.case_type.label.lower()} for child {child.id} (request received {received_on.isoformat()})",
        {"child_id": child.id, "team_id": team.id, "coordinator_id": case.coordinator_id},
    )
    _recompute(case)
    return case


def open_annual_review(
    *,
    child: Any,
    plan: Plan | None,
    last_reviewed_on: date,
    team_id: int,
    coordinator_id: int | None,
    actor: User | None,
) -> Case:
    """Open the next annual review of a plan, running from the date it was made or last reviewed."""
    case = Case(
        child=child,
        team_id=team_id,
        coordinator_id=coordinator_id,
        case_type=CaseType.ANNUAL_REVIEW,
        anchor_on=last_reviewed_on,
        plan_id=plan.id if plan else None,
    )
    db.session.add(case)
    _flush_or_conflict("This child already has an open annual review", field="last_reviewed_on")
    db.session.add(
        CaseAssignment(
            case=case,
            coordinator_id=coordinator_id,
            assigned_by_id=actor.id if actor else None,
            reason="Annual review opened",
        )
    )
    audit.record(
        actor,
        "case_opened",
        "case",
        case.id,
        f"Opened annual review for child {child.id} (plan made or last reviewed {last_reviewed_on.isoformat()})",
        {"child_id": child.id, "plan_id": case.plan_id},
    )
    _recompute(case)
    return case


def open_review_of_existing_plan(
    *, child: Any, last_reviewed_on: date, team: Team, coordinator: User | None, actor: User, today: date
) -> Case:
    """Start tracking the reviews of a plan made before the service was used (the pages and the
    API both come here, so both refuse the same things)."""
    _check_date(
        last_reviewed_on, today=today, field="last_reviewed_on", label="The date the plan was made or last reviewed"
    )
    _check_not_before_birth(child, last_reviewed_on, "last_reviewed_on", "The plan cannot be made")
    _check_coordinator(coordinator, team)
    if _reviews_tracked(child):
        raise Conflict("This child already has an open annual review", field="last_reviewed_on")
    return open_annual_review(
        child=child,
        plan=current_plan(child),
        last_reviewed_on=last_reviewed_on,
        team_id=team.id,
        coordinator_id=coordinator.id if coordinator else None,
        actor=actor,
    )


def open_transfer_in(
    *,
    child: Any,
    transferred_on: date,
    plan_issued_on: date,
    last_reviewed_on: date,
    previous_authority: str,
    named_settings: str,
    team: Team,
    coordinator: User | None,
    actor: User,
    today: date,
) -> Case:
    """A plan transferred in from another authority (reg 15): record the plan and open its first
    review here, with the 6-week notice and the review due by the later of the plan's own
    review date and 3 months after the transfer."""
    _check_coordinator(coordinator, team)
    _check_date(transferred_on, today=today, field="transferred_on", label="The transfer date")
    _check_date(plan_issued_on, today=today, field="plan_issued_on", label="The date the plan was issued")
    _check_not_before_birth(child, plan_issued_on, "plan_issued_on", "The plan cannot be issued")
    _check_date(
        last_reviewed_on,
        today=today,
        field="last_reviewed_on",
        label="The date of the last review",
        not_before=plan_issued_on,
        not_before_label="the plan was issued",
    )
    if not previous_authority.strip():
        raise ServiceError("Enter the authority the plan came from", field="previous_authority")
    if db.session.scalar(
        select(Case.id).where(
            Case.child_id == child.id, Case.case_type == CaseType.ANNUAL_REVIEW, Case.status == CaseStatus.OPEN
        )
    ):
        raise ServiceError("This child already has an open annual review", field="transferred_on")
    plan = Plan(child_id=child.id, issued_on=plan_issued_on, named_settings=named_settings.strip() or None)
    db.session.add(plan)
    db.session.flush()
    case = Case(
        child=child,
        team_id=team.id,
        coordinator_id=coordinator.id if coordinator else None,
        case_type=CaseType.ANNUAL_REVIEW,
        anchor_on=last_reviewed_on,
        plan_id=plan.id,
        transferred_on=transferred_on,
        previous_authority=previous_authority.strip(),
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(
        CaseAssignment(
            case=case, coordinator_id=case.coordinator_id, assigned_by_id=actor.id, reason="Plan transferred in"
        )
    )
    audit.record(
        actor,
        "case_opened",
        "case",
        case.id,
        f"Recorded plan transferred in from {case.previous_authority} on {transferred_on.isoformat()} for child {child.id}",
        {"child_id": child.id, "plan_id": plan.id},
    )
    _recompute(case)
    return case


def open_dispute(
    *,
    disputed: Case | None,
    decision_sent_on: date,
    appeal_type: AppealType,
    team: Team,
    coordinator: User | None,
    actor: User,
    today: date,
    plan: Plan | None = None,
) -> Case:
    """Open a dispute (mediation or an appeal) about the decision of `disputed`, or about a plan
    (its contents, or a decision to cease it between reviews), from the day the decision letter
    was sent: the family's two months to appeal (HESC Rules r.20) and the council's duties after
    mediation or an appeal run from there (services/milestones.py)."""
    if (disputed is None) == (plan is None):
        raise ServiceError("Choose the case or the plan whose decision is disputed", field="appeal_type")
    child = disputed.child if disputed is not None else plan.child  # type: ignore[union-attr]
    if not (can_view(actor, disputed) if disputed is not None else access.can_edit_child(actor, child)):
        raise Forbidden("You cannot see the case or the plan whose decision is disputed")
    if disputed is not None:
        dispute_service.check_disputable(disputed)
        began_on, began = disputed.anchor_on, "the disputed case began"
    else:
        assert plan is not None
        began_on, began = plan.issued_on, "the plan was issued"
    began_plan_id = plan.id if plan is not None else None
    _check_coordinator(coordinator, team)
    _check_date(
        decision_sent_on,
        today=today,
        field="decision_sent_on",
        label="The date the decision letter was sent",
        not_before=began_on,
        not_before_label=began,
    )
    _check_not_before_birth(child, decision_sent_on, "decision_sent_on", "The decision letter cannot be sent")
    same = (
        Case.disputed_case_id == disputed.id
        if disputed is not None
        else and_(Case.plan_id == began_plan_id, Case.disputed_case_id.is_(None))
    )
    already = db.session.scalar(
        select(Case.id).where(
            same, Case.case_type == CaseType.DISPUTE, Case.status == CaseStatus.OPEN, Case.appeal_type == appeal_type
        )
    )
    about = "this case’s" if disputed is not None else "this plan’s"
    if already:
        raise ServiceError(
            f"There is already an open dispute about {about} {appeal_type.label.lower()}", field="appeal_type"
        )
    case = Case(
        child=child,
        team_id=team.id,
        coordinator_id=coordinator.id if coordinator else None,
        case_type=CaseType.DISPUTE,
        anchor_on=decision_sent_on,
        plan_id=disputed.plan_id if disputed is not None else began_plan_id,
        appeal_type=appeal_type,
        disputed_case_id=disputed.id if disputed is not None else None,
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(
        CaseAssignment(case=case, coordinator_id=case.coordinator_id, assigned_by_id=actor.id, reason="Dispute opened")
    )
    what = f"case {disputed.id}" if disputed is not None else f"plan {began_plan_id}"
    audit.record(
        actor,
        "case_opened",
        "case",
        case.id,
        f"Opened a dispute ({appeal_type.label.lower()}) about {what} of child {child.id} "
        f"(decision letter sent {decision_sent_on.isoformat()})",
        {
            "child_id": child.id,
            "team_id": team.id,
            "disputed_case_id": case.disputed_case_id,
            "plan_id": case.plan_id,
        },
    )
    _recompute(case)
    return case


def disputes_of(case: Case | None = None, *, plan: Plan | None = None) -> list[Case]:
    """The disputes about a decision of this case, or about this plan itself, oldest first."""
    about = (
        Case.disputed_case_id == case.id
        if case is not None
        else and_(Case.plan_id == (plan.id if plan else None), Case.disputed_case_id.is_(None))
    )
    return list(
        db.session.scalars(
            select(Case).where(about, Case.case_type == CaseType.DISPUTE).order_by(Case.anchor_on, Case.id)
        )
    )


def current_plan(child: Any) -> Plan | None:
    """The child's plan that is still maintained (active, or ceasing but not yet ended)."""
    return db.session.scalar(
        select(Plan)
        .where(Plan.child_id == child.id, Plan.status != PlanStatus.CEASED)
        .order_by(Plan.issued_on.desc(), Plan.id.desc())
        .limit(1)
    )


def has_plan(child: Any) -> bool:
    """Whether the child has a plan still maintained: recorded here, or tracked by its reviews."""
    return current_plan(child) is not None or _reviews_tracked(child)


def _reviews_tracked(child: Any) -> bool:
    """An open annual review: a plan made before the service was used, tracked by its reviews."""
    found = db.session.scalar(
        select(Case.id).where(
            Case.child_id == child.id, Case.case_type == CaseType.ANNUAL_REVIEW, Case.status == CaseStatus.OPEN
        )
    )
    return found is not None


# --- Recording events ------------------------------------------------------------------------


@dataclass
class EventInput:
    event_type: EventType
    on: date
    details: dict[str, Any]


def lock_case(case: Case) -> None:
    """Hold the case's row lock until the transaction ends, and re-read everything the case holds.

    Every change to a case takes this lock first, so two people recording a step at the same
    moment are checked one after the other: the second sees the first's step and is refused
    (PostgreSQL SELECT ... FOR UPDATE; SQLite serialises writers itself).
    """
    db.session.flush()
    db.session.expire(case)
    db.session.refresh(case, with_for_update=True)


def _flush_or_conflict(message: str, *, field: str = "event_type") -> None:
    """Flush; a database guard that fires (a step recorded twice at once) is a Conflict."""
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(message, field=field) from None


def _validate_sequence(case: Case, event_type: EventType, on: date, today: date) -> None:
    step = workflow.step(event_type)
    label = step.label
    if not step.belongs_to(case.case_type):
        raise ServiceError(f"‘{label}’ does not belong to a {case.case_type.label.lower()}", field="event_type")
    if not case.is_open:
        raise Conflict(f"This case is {case.status.value}; no more steps can be recorded", field="event_type")
    if step.transfer_only and case.transferred_on is None:
        raise ServiceError(f"‘{label}’ is only for a plan transferred in from another authority", field="event_type")
    if step.once and case.event(event_type):
        first = case.event(event_type)
        assert first is not None
        recorder = f" (by {first.recorded_by.name})" if first.recorded_by else ""
        raise Conflict(
            f"‘{label}’ was already recorded on {first.occurred_on:%-d %B %Y}{recorder}; correct that entry instead",
            field="event_type",
        )
    for other in step.excludes:
        if case.event(other):
            raise Conflict(f"‘{EVENT_LABELS[other]}’ is already recorded, so ‘{label}’ cannot be", field="event_type")
    needed = step.requires
    if needed and not any(case.event(n) for n in needed):
        raise ServiceError(f"Record ‘{EVENT_LABELS[needed[0]]}’ before ‘{label}’", field="event_type")
    _check_date(on, today=today, label=f"The date of ‘{label}’")
    anchor_label = {
        CaseType.ANNUAL_REVIEW: "the plan was made or last reviewed",
        CaseType.DISPUTE: "the decision letter was sent",
    }.get(case.case_type, "the request was received")
    if on < case.anchor_on and not step.may_predate_anchor:
        raise ServiceError(
            f"The date of ‘{label}’ cannot be before {anchor_label} ({case.anchor_on:%-d %B %Y})", field="on"
        )
    for n in needed:
        prior = case.event(n)
        if prior and on < prior.occurred_on:
            raise ServiceError(
                f"The date of ‘{label}’ cannot be before ‘{EVENT_LABELS[n]}’ ({prior.occurred_on:%-d %B %Y})",
                field="on",
            )


def settings_that_agreed(case: Case) -> list[str]:
    """The schools and colleges consulted on this case that agreed to be named (CFA 2014 s39(2), s40(3)), in
    the order consulted: what the plan is expected to name."""
    return [
        c.setting_name
        for c in sorted(case.consultations, key=lambda c: (c.sent_on, c.id))
        if c.outcome == ConsultationOutcome.AGREED
    ]


def recordable_now(case: Case) -> list[EventType]:
    """The steps that can be recorded on this case now, in the workflow's order: what the
    sequence rules, the once-only rule and each step's own preconditions allow (so no "Final plan
    issued" before a decision to assess, and the school consultation only after the draft)."""
    if not case.is_open:
        return []
    found = []
    for step in workflow.steps_for(case.case_type):
        if step.once and case.event(step.event_type):
            continue
        if step.requires and not any(case.event(n) for n in step.requires):
            continue
        if any(case.event(other) for other in step.excludes):
            continue
        if step.needs_decision is not None and case.review_decision is not step.needs_decision:
            continue
        if step.offered_when is not None and not step.offered_when(case):
            continue
        if step.transfer_only and case.transferred_on is None:
            continue
        found.append(step.event_type)
    return found


def meeting_warnings(case: Case, meeting_on: date) -> list[str]:
    """What is wrong, but not forbidden, with holding this case's review meeting on `meeting_on`:
    after the review is due, after the phase-transfer deadline (reg 18), or too late for the
    4-week decision (reg 20(10)) to come before that deadline. The coordinator may go on.
    """
    if case.case_type is not CaseType.ANNUAL_REVIEW:
        return []
    found: list[str] = []
    unmet = {m.key: m for m in case.milestones if m.met_on is None}
    review = unmet.get("review_due") or unmet.get("transfer_in_review_due")
    if review is not None and meeting_on > review.due_on:
        found.append(f"The meeting is after the review is due ({review.due_on:%-d %B %Y}).")
    transfer = unmet.get("phase_transfer_due")
    if transfer is not None:
        if meeting_on > transfer.due_on:
            found.append(
                f"The meeting is after the phase-transfer deadline: the plan must be amended, naming the new setting, "
                f"by {transfer.due_on:%-d %B %Y}. {transfer.source}."
            )
        else:
            decision_by = due_on("review_decision_due", meeting_on, settings=settings_for_cases())
            if decision_by > transfer.due_on:
                found.append(
                    f"The 4-week decision after a meeting on this date would be due {decision_by:%-d %B %Y}, after the "
                    f"phase-transfer deadline of {transfer.due_on:%-d %B %Y}: the amended plan naming the new setting "
                    "must be issued by then."
                )
    return found


def record_event(case: Case, event_type: EventType, on: date, *, actor: User, today: date, **details: Any) -> CaseEvent:
    """Record one step of the workflow, under the case's lock; see the module docstring."""
    _require_edit(actor, case)
    return record_contributed_event(case, event_type, on, actor=actor, today=today, **details)


def record_contributed_event(
    case: Case, event_type: EventType, on: date, *, actor: User, today: date, **details: Any
) -> CaseEvent:
    """Record a step sent in by someone outside the council (a professional returning advice),
    under the workflow's rules like any other; the calling service has checked who they are."""
    lock_case(case)
    _validate_sequence(case, event_type, on, today)
    stored: dict[str, Any] = {}
    handler = _HANDLERS.get(event_type)
    if handler is not None:
        stored = handler(case, on, actor, today, details) or {}
    elif event_type in dispute_service.HANDLERS:
        stored = dispute_service.HANDLERS[event_type](case, on, details, today)
    event = CaseEvent(case=case, event_type=event_type, occurred_on=on, details=stored or None, recorded_by_id=actor.id)
    db.session.add(event)
    _flush_or_conflict(
        f"‘{EVENT_LABELS[event_type]}’ was recorded by someone else at the same moment; look at the case again"
    )
    audit.record(
        actor,
        "case_event_recorded",
        "case",
        case.id,
        f"{EVENT_LABELS[event_type]} on {on.isoformat()}",
        {"event": event_type.value, "on": on.isoformat(), **{k: v for k, v in stored.items() if v is not None}},
    )
    _after_event(case, event, actor)
    _recompute(case)
    step_recorded.send(case, event=event)
    return event


def _close(case: Case, status: CaseStatus, on: date, reason: str) -> None:
    case.status = status
    case.closed_on = on
    case.close_reason = reason


def _h_decided_not_to_assess(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    return {"reason": details.get("reason")}


def _h_advice_requested(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    try:
        advice_type = AdviceType(details.get("advice_type"))
    except ValueError:
        raise ServiceError("Select the type of advice", field="advice_type") from None
    provider, entry = directory_service.resolve(details.get("provider") or "")
    if not provider:
        raise ServiceError("Enter who the advice was requested from", field="provider")
    return _new_advice_request(case, advice_type, provider, entry, on)


def _new_advice_request(case: Case, advice_type: AdviceType, provider: str, entry: Any, on: date) -> dict[str, Any]:
    """The advice request itself, linked to its directory entry when the name matched one."""
    advice = AdviceRequest(
        case=case,
        advice_type=advice_type,
        provider=provider,
        directory_entry_id=entry.id if entry is not None else None,
        requested_on=on,
    )
    db.session.add(advice)
    db.session.flush()
    stored: dict[str, Any] = {"advice_request_id": advice.id, "advice_type": advice_type.value, "provider": provider}
    if entry is not None:
        stored["directory_entry_id"] = entry.id
    return stored


# A form asks for at most this many pieces of advice at once (reg 6(1) lists six kinds; a few
# more for a second health or therapy service).
MAX_ADVICE_ROWS = 12


@dataclass(frozen=True)
class AdviceWanted:
    """One row of the advice request form: the kind of advice and who is asked. A row with no one
    named is left out."""

    advice_type: str | None
    provider: str | None


def request_advice(
    case: Case, requested_on: date, rows: list[AdviceWanted], *, actor: User, today: date
) -> list[AdviceRequest]:
    """Ask for several pieces of advice on one day (SEND Regulations 2014 reg 6(1)).

    Each row naming someone becomes an advice request with its own 6-week time limit (reg 8(1))
    and its own ‘Advice requested’ step, checked like any step, all under the case's lock and all
    or nothing. A row's refusal names its field as "rows-<n>-advice_type" or "rows-<n>-provider".
    """
    _require_edit(actor, case)
    lock_case(case)
    _validate_sequence(case, EventType.ADVICE_REQUESTED, requested_on, today)
    if len(rows) > MAX_ADVICE_ROWS:
        raise ServiceError(f"Request at most {MAX_ADVICE_ROWS} pieces of advice at a time", field="rows")
    wanted: list[tuple[AdviceType, str, Any]] = []
    seen: dict[tuple[AdviceType, str], int] = {}
    for n, row in enumerate(rows):
        typed = " ".join((row.provider or "").split())
        if not typed:
            continue
        try:
            advice_type = AdviceType(row.advice_type)
        except ValueError:
            raise ServiceError(f"Select the type of advice asked of {typed}", field=f"rows-{n}-advice_type") from None
        if len(typed) > 200:
            raise ServiceError("The name of who is asked must be 200 characters or fewer", field=f"rows-{n}-provider")
        provider, entry = directory_service.resolve(typed)
        key = (advice_type, directory_service.name_key(provider))
        if key in seen:
            raise ServiceError(
                f"{ADVICE_NAMES[advice_type]} from {provider} is already in row {seen[key] + 1}",
                field=f"rows-{n}-provider",
            )
        seen[key] = n
        waiting = next(
            (
                a
                for a in case.advice_requests
                if a.received_on is None
                and a.advice_type is advice_type
                and directory_service.name_key(a.provider_name) == key[1]
            ),
            None,
        )
        if waiting is not None:
            raise ServiceError(
                f"{ADVICE_NAMES[advice_type]} from {provider} was already requested on {waiting.requested_on:%-d %B %Y} "
                "and has not been received yet",
                field=f"rows-{n}-provider",
            )
        wanted.append((advice_type, provider, entry))
    if not wanted:
        raise ServiceError("Enter who at least one piece of advice was requested from", field="rows-0-provider")
    label = EVENT_LABELS[EventType.ADVICE_REQUESTED]
    events: list[CaseEvent] = []
    for advice_type, provider, entry in wanted:
        stored = _new_advice_request(case, advice_type, provider, entry, requested_on)
        event = CaseEvent(
            case=case,
            event_type=EventType.ADVICE_REQUESTED,
            occurred_on=requested_on,
            details=stored,
            recorded_by_id=actor.id,
        )
        db.session.add(event)
        _flush_or_conflict(f"‘{label}’ was recorded by someone else at the same moment; look at the case again")
        audit.record(
            actor,
            "case_event_recorded",
            "case",
            case.id,
            f"{label} on {requested_on.isoformat()}",
            {"event": EventType.ADVICE_REQUESTED.value, "on": requested_on.isoformat(), **stored},
        )
        events.append(event)
    _recompute(case)
    step_recorded.send(case, event=events[0])  # one message to the family for the day's requests
    ids = {e.details["advice_request_id"] for e in events if e.details}
    return [a for a in case.advice_requests if a.id in ids]


def _find(items: list[Any], ident: Any, message: str, field: str) -> Any:
    for item in items:
        if str(item.id) == str(ident):
            return item
    raise ServiceError(message, field=field)


def _h_advice_received(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    advice = _find(
        case.advice_requests, details.get("advice_request_id"), "Select which advice was received", "advice_request_id"
    )
    if advice.received_on is not None:
        raise ServiceError(
            f"This advice was already received on {advice.received_on:%-d %B %Y}", field="advice_request_id"
        )
    if on < advice.requested_on:
        raise ServiceError(
            f"Advice cannot be received before it was requested ({advice.requested_on:%-d %B %Y})", field="on"
        )
    advice.received_on = on
    advice.quality_note = (details.get("quality_note") or "").strip() or None
    return {"advice_request_id": advice.id, "quality_note": advice.quality_note}


def _h_school_consulted(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    name, entry = directory_service.resolve(details.get("setting_name") or "")
    if not name:
        raise ServiceError("Enter the name of the school or college consulted", field="setting_name")
    if case.case_type is not CaseType.ANNUAL_REVIEW and not case.event(EventType.DRAFT_PLAN_ISSUED):
        # CFA s39(2)-(3): the school is consulted on being named in the plan, with the draft.
        raise ServiceError("Record ‘Draft plan issued’ before consulting schools", field="event_type")
    consultation = Consultation(
        case=case, setting_name=name, directory_entry_id=entry.id if entry is not None else None, sent_on=on
    )
    db.session.add(consultation)
    db.session.flush()
    stored: dict[str, Any] = {"consultation_id": consultation.id, "setting_name": name}
    if entry is not None:
        stored["directory_entry_id"] = entry.id
    return stored


def _h_school_responded(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    consultation = _find(
        case.consultations,
        details.get("consultation_id"),
        "Select which school or college responded",
        "consultation_id",
    )
    if consultation.responded_on is not None:
        raise ServiceError(
            f"{consultation.setting_name} already responded on {consultation.responded_on:%-d %B %Y}",
            field="consultation_id",
        )
    if on < consultation.sent_on:
        raise ServiceError(
            f"The response cannot come before the consultation was sent ({consultation.sent_on:%-d %B %Y})", field="on"
        )
    outcome = (details.get("outcome") or "").strip()
    if outcome not in tuple(ConsultationOutcome):
        raise ServiceError("Select the school or college's response", field="outcome")
    consultation.responded_on = on
    consultation.outcome = outcome
    return {"consultation_id": consultation.id, "outcome": outcome}


def _representations_confirmed(
    *, served_on: date, on: date, details: dict[str, Any], rule_key: str, what: str, issued: str
) -> dict[str, Any]:
    """A plan issued while the family's representation period is still open (reg 13(1) for a
    draft plan, reg 22(2)(c) for proposed amendments: at least 15 days beginning with the day
    served) is refused, unless the family confirmed, on a recorded date, that they have no
    (further) representations.
    """
    closes = due_on(rule_key, served_on)
    confirmed = details.get("family_confirmed_on")
    if on > closes:
        return {"family_confirmed_on": confirmed.isoformat()} if isinstance(confirmed, date) else {}
    rule_source = statutory_rule(rule_key).source
    if not isinstance(confirmed, date):
        raise ServiceError(
            f"The family has until {closes:%-d %B %Y} to make representations on the {what} ({rule_source}). "
            f"Record the {issued} from {closes + timedelta(days=1):%-d %B %Y}, or enter the date the family "
            "confirmed they have no further representations",
            field="family_confirmed_on",
        )
    if confirmed < served_on:
        raise ServiceError(
            f"The family cannot confirm before the {what} was sent ({served_on:%-d %B %Y})", field="family_confirmed_on"
        )
    if confirmed > on:
        raise ServiceError(
            f"The family’s confirmation must come on or before the day the {issued} was issued",
            field="family_confirmed_on",
        )
    return {"family_confirmed_on": confirmed.isoformat()}


def _h_final_plan_issued(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    named = (details.get("named_settings") or "").strip()
    if not named:
        raise ServiceError("Enter the school, college or other setting named in the plan", field="named_settings")
    draft = case.event(EventType.DRAFT_PLAN_ISSUED)
    if draft and on < draft.occurred_on:
        raise ServiceError(
            f"The final plan cannot be issued before the draft ({draft.occurred_on:%-d %B %Y})", field="on"
        )
    confirmation = {}
    if draft:
        confirmation = _representations_confirmed(
            served_on=draft.occurred_on,
            on=on,
            details=details,
            rule_key="representations_close",
            what="draft plan",
            issued="final plan",
        )
    plan = Plan(child_id=case.child_id, issued_on=on, named_settings=named, issued_by_case_id=case.id)
    db.session.add(plan)
    db.session.flush()
    case.plan_id = plan.id
    return {"plan_id": plan.id, "named_settings": named, **confirmation}


def _h_withdrawn(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    reason = (details.get("reason") or "").strip()
    if not reason:
        raise ServiceError("Enter why the request was withdrawn or closed", field="reason")
    return {"reason": reason}


def _h_meeting_scheduled(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    meeting_on = details.get("meeting_on")
    if not isinstance(meeting_on, date):
        raise ServiceError("Enter the date of the review meeting", field="meeting_on")
    if case.event(EventType.REVIEW_MEETING_HELD):
        raise ServiceError("The review meeting has already been held", field="event_type")
    if meeting_on < on:
        raise ServiceError("The meeting cannot be before the day it was arranged", field="meeting_on")
    case.review_meeting_on = meeting_on
    return {"meeting_on": meeting_on.isoformat()}


def _h_invitations_sent(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    circulated = details.get("advice_circulated_on")
    if circulated is not None:
        _check_date(circulated, today=today, field="advice_circulated_on", label="The date advice was circulated")
    return {"advice_circulated_on": circulated.isoformat() if circulated else None}


def _h_meeting_held(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    case.review_meeting_on = on
    return {}


def _h_decision(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    try:
        decision = ReviewDecision(details.get("decision"))
    except ValueError:
        raise ServiceError("Select the decision: maintain, amend or cease the plan", field="decision") from None
    case.review_decision = decision
    if decision is ReviewDecision.CEASE and case.plan is not None:
        # The decision notice carries the right of appeal (CFA s51(2)(f)); the plan is
        # maintained until the window closes or an appeal is concluded (s45(3)-(4)).
        case.plan.status = PlanStatus.CEASING
        case.plan.cease_decided_on = on
        case.plan.cease_notice_sent_on = on
        case.plan.cease_appeal_ends_on = due_on("appeal_deadline", on)
    return {"decision": decision.value}


def _require_decision(case: Case, event_type: EventType) -> None:
    step = workflow.step(event_type)
    decision = step.needs_decision
    if decision is not None and case.review_decision is not decision:
        raise ServiceError(f"‘{step.label}’ needs the review decision to be ‘{decision.value}’", field="event_type")


def _h_amendments_proposed(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    _require_decision(case, EventType.AMENDMENTS_PROPOSED)
    return {}


def _h_amended_plan(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    _require_decision(case, EventType.AMENDED_PLAN_ISSUED)
    named = (details.get("named_settings") or "").strip() or None
    proposals = case.event(EventType.AMENDMENTS_PROPOSED)
    if proposals is None:
        # Reg 22(2): the family is sent the proposed amendments before the plan is amended.
        raise ServiceError(
            f"Record ‘{EVENT_LABELS[EventType.AMENDMENTS_PROPOSED]}’ before ‘{EVENT_LABELS[EventType.AMENDED_PLAN_ISSUED]}’: "
            "the family must be sent the proposed amendments first (SEND Regulations 2014 reg 22(2))",
            field="event_type",
        )
    if on < proposals.occurred_on:
        raise ServiceError(
            f"The amended plan cannot be issued before the proposed amendments ({proposals.occurred_on:%-d %B %Y})",
            field="on",
        )
    confirmation = {}
    if proposals is not None:
        confirmation = _representations_confirmed(
            served_on=proposals.occurred_on,
            on=on,
            details=details,
            rule_key="amendment_representations_close",
            what="proposed amendments",
            issued="amended plan",
        )
    if case.plan is not None:
        case.plan.last_amended_on = on
        if named:
            case.plan.named_settings = named
    return {"named_settings": named, **confirmation}


def _h_decided_not_to_amend(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    """Reg 22(4): having proposed amendments, the council decides not to amend after all; the
    family is told, with reasons, within 8 weeks of the proposals."""
    _require_decision(case, EventType.DECIDED_NOT_TO_AMEND)
    reason = (details.get("reason") or "").strip()
    if not reason:
        raise ServiceError("Enter the reasons given to the family for not amending the plan", field="reason")
    return {"reason": reason}


def _h_plan_ceased(case: Case, on: date, actor: User, today: date, details: dict[str, Any]) -> dict[str, Any]:
    _require_decision(case, EventType.PLAN_CEASED)
    reason = str(details.get("cease_reason") or "")
    if reason not in CEASE_REASONS:
        raise ServiceError("Select why the plan ended", field="cease_reason")
    decision = case.event(EventType.REVIEW_DECISION_NOTIFIED)
    assert decision is not None  # the step requires it
    concluded = details.get("appeal_concluded_on")
    check_cease_end(
        ends_on=on,
        reason=reason,
        notice_sent_on=decision.occurred_on,
        appeal_concluded_on=concluded if isinstance(concluded, date) else None,
        field="on",
    )
    if case.plan is not None:
        case.plan.status = PlanStatus.CEASED
        case.plan.ceased_on = on
        case.plan.cease_reason = reason
        if isinstance(concluded, date):
            case.plan.cease_appeal_concluded_on = concluded
    return {
        "cease_reason": reason,
        "appeal_concluded_on": concluded.isoformat() if isinstance(concluded, date) else None,
    }


# Cease reasons with no appeal to wait for: a plan that moves to another authority in England is
# transferred, not ceased by a decision (reg 15), and a death ends the plan at once.
NO_APPEAL_CEASE_REASONS = frozenset({"5", "8"})


def check_cease_end(
    *, ends_on: date, reason: str, notice_sent_on: date, appeal_concluded_on: date | None, field: str
) -> None:
    """A plan the council has decided to cease is maintained until the family's appeal window
    has closed, or an appeal they made is concluded (CFA 2014 s45(3)-(4), s51(2)(f); HESC Rules
    r.20(1) with r.12): refuse an end date inside that time."""
    if reason in NO_APPEAL_CEASE_REASONS:
        if ends_on < notice_sent_on:
            raise ServiceError(f"The plan cannot end before the decision ({notice_sent_on:%-d %B %Y})", field=field)
        return
    if appeal_concluded_on is not None:
        if appeal_concluded_on < notice_sent_on:
            raise ServiceError(
                "An appeal cannot be concluded before the decision notice was sent", field="appeal_concluded_on"
            )
        if ends_on < appeal_concluded_on:
            raise ServiceError(
                f"The plan is maintained until the appeal is concluded ({appeal_concluded_on:%-d %B %Y})", field=field
            )
        return
    last_day = due_on("appeal_deadline", notice_sent_on)
    if ends_on <= last_day:
        raise ServiceError(
            f"The plan must be maintained until the family’s time to appeal has passed: they can appeal until "
            f"{last_day:%-d %B %Y}, so it can end from {last_day + timedelta(days=1):%-d %B %Y}. If an appeal was made and "
            "is now concluded, enter the date it was concluded",
            field=field,
        )


# SEN2 CeaseReason codes (DfE SEN2 guide).
CEASE_REASONS = {
    "1": "Reached maximum age",
    "2": "Ongoing educational or training needs being met without an EHC plan",
    "3": "Moved on to higher education",
    "4": "Moved on to paid employment, excluding apprenticeships",
    "5": "Transferred to another local authority",
    "6": "Young person no longer wishes to engage in education or training",
    "7": "Child or young person has moved outside England",
    "8": "Child or young person deceased",
    "9": "Other",
}

_HANDLERS = {
    EventType.DECIDED_NOT_TO_ASSESS: _h_decided_not_to_assess,
    EventType.DECIDED_NOT_TO_ISSUE: _h_decided_not_to_assess,
    EventType.ADVICE_REQUESTED: _h_advice_requested,
    EventType.ADVICE_RECEIVED: _h_advice_received,
    EventType.SCHOOL_CONSULTED: _h_school_consulted,
    EventType.SCHOOL_RESPONDED: _h_school_responded,
    EventType.FINAL_PLAN_ISSUED: _h_final_plan_issued,
    EventType.WITHDRAWN: _h_withdrawn,
    EventType.REVIEW_MEETING_SCHEDULED: _h_meeting_scheduled,
    EventType.INVITATIONS_SENT: _h_invitations_sent,
    EventType.REVIEW_MEETING_HELD: _h_meeting_held,
    EventType.REVIEW_DECISION_NOTIFIED: _h_decision,
    EventType.AMENDMENTS_PROPOSED: _h_amendments_proposed,
    EventType.AMENDED_PLAN_ISSUED: _h_amended_plan,
    EventType.DECIDED_NOT_TO_AMEND: _h_decided_not_to_amend,
    EventType.PLAN_CEASED: _h_plan_ceased,
}


def _after_event(case: Case, event: CaseEvent, actor: User) -> None:
    """Close the case where the step ends it, and open the next annual review where the plan goes
    on (the workflow table says which)."""
    ending = workflow.step(event.event_type).ends
    if ending is None or (ending.if_decision is not None and case.review_decision is not ending.if_decision):
        return
    on = event.occurred_on
    reason = ((event.details or {}).get(ending.reason_detail) if ending.reason_detail else None) or ending.reason
    _close(case, ending.status, on, reason)
    if ending.opens_next_review:
        # "Reviewed" runs from the decision date after an amendment or a decision not to amend
        # (docs/statutory-timescales.md, annual review).
        decided = case.event(EventType.REVIEW_DECISION_NOTIFIED) if ending.next_review_from_decision else None
        open_annual_review(
            child=case.child,
            plan=case.plan,
            last_reviewed_on=decided.occurred_on if decided else on,
            team_id=case.team_id,
            coordinator_id=case.coordinator_id,
            actor=actor,
        )


# --- Corrections -----------------------------------------------------------------------------

# Where a date also lives on a record of its own.
_MIRRORS = {
    EventType.ADVICE_REQUESTED: ("advice_request_id", AdviceRequest, "requested_on"),
    EventType.ADVICE_RECEIVED: ("advice_request_id", AdviceRequest, "received_on"),
    EventType.SCHOOL_CONSULTED: ("consultation_id", Consultation, "sent_on"),
    EventType.SCHOOL_RESPONDED: ("consultation_id", Consultation, "responded_on"),
}


def correct_event_date(event: CaseEvent, new_on: date, *, reason: str, actor: User, today: date) -> None:
    """Correct the date of a recorded step, keeping the order of the workflow; audited with old and new."""
    case = event.case
    _require_edit(actor, case)
    lock_case(case)
    if not reason.strip():
        raise ServiceError("Enter why the date is being corrected", field="reason")
    label = EVENT_LABELS[event.event_type]
    _check_date(new_on, today=today, field="on", label=f"The date of ‘{label}’")
    old_on = event.occurred_on
    if event.event_type is EventType.REQUEST_RECEIVED:
        later = [e for e in case.events if e.id != event.id and e.occurred_on < new_on]
        if later:
            raise ServiceError(
                f"The request cannot be received after ‘{EVENT_LABELS[later[0].event_type]}’ ({later[0].occurred_on:%-d %B %Y})",
                field="on",
            )
        case.anchor_on = new_on
    else:
        if new_on < case.anchor_on:
            raise ServiceError(f"The date of ‘{label}’ cannot be before {case.anchor_on:%-d %B %Y}", field="on")
        for before in workflow.step(event.event_type).requires:
            prior = case.event(before)
            if prior and new_on < prior.occurred_on:
                raise ServiceError(
                    f"The date of ‘{label}’ cannot be before ‘{EVENT_LABELS[before]}’ ({prior.occurred_on:%-d %B %Y})",
                    field="on",
                )
        for later_type, later_step in workflow.STEPS.items():
            if event.event_type in later_step.requires:
                for later in case.events_of(later_type):
                    if later.occurred_on < new_on:
                        raise ServiceError(
                            f"The date of ‘{label}’ cannot be after ‘{EVENT_LABELS[later_type]}’ ({later.occurred_on:%-d %B %Y})",
                            field="on",
                        )
    mirror = _MIRRORS.get(event.event_type)
    if mirror is not None:
        key, model, attr = mirror
        record = db.session.get(model, (event.details or {}).get(key))
        if record is not None:
            setattr(record, attr, new_on)
    if event.event_type is EventType.REVIEW_MEETING_HELD:
        case.review_meeting_on = new_on
    event.occurred_on = new_on
    audit.record(
        actor,
        "case_event_corrected",
        "case",
        case.id,
        f"Corrected the date of ‘{label}’ from {old_on.isoformat()} to {new_on.isoformat()}",
        {
            "event_id": event.id,
            "event": event.event_type.value,
            "old": old_on.isoformat(),
            "new": new_on.isoformat(),
            "reason": reason.strip(),
        },
    )
    _recompute(case)


# --- Assignment, notes -----------------------------------------------------------------------


def reassign(case: Case, coordinator: User, *, reason: str, actor: User) -> None:
    if not access.can_manage_case(actor, case):
        raise Forbidden("Only a manager of the case's team can reassign it")
    lock_case(case)
    _check_coordinator(coordinator, case.team)
    if case.coordinator_id == coordinator.id:
        raise ServiceError(f"The case is already assigned to {coordinator.name}", field="coordinator_id")
    _move(case, coordinator, reason=reason, actor=actor)


def _move(case: Case, coordinator: User, *, reason: str, actor: User, details: dict[str, Any] | None = None) -> None:
    old = case.coordinator
    case.coordinator_id = coordinator.id
    case.coordinator = coordinator
    db.session.add(
        CaseAssignment(case=case, coordinator_id=coordinator.id, assigned_by_id=actor.id, reason=reason.strip() or None)
    )
    audit.record(
        actor,
        "case_reassigned",
        "case",
        case.id,
        f"Reassigned from {old.name if old else 'nobody'} to {coordinator.name}",
        {"old": old.id if old else None, "new": coordinator.id, "reason": reason.strip() or None, **(details or {})},
    )


def open_cases_held_by(holder: User, *, viewer: User) -> list[Case]:
    """The open cases `holder` coordinates in the teams `viewer` belongs to, soonest due first."""
    return list(
        db.session.scalars(
            select(Case)
            .where(
                Case.coordinator_id == holder.id,
                Case.status == CaseStatus.OPEN,
                Case.team_id.in_(viewer.team_ids or {-1}),
            )
            .order_by(Case.next_due_on.is_(None), Case.next_due_on, Case.id)
        )
    )


def reassign_many(
    case_ids: list[int] | None, coordinator: User, *, from_coordinator: User, reason: str, actor: User
) -> list[Case]:
    """Move open cases of `from_coordinator` to `coordinator` in one step (a leaver, someone on leave).

    `case_ids` None means every open case they hold in the manager's teams. All or nothing: each
    case is locked (in id order, so two managers moving overlapping sets queue rather than
    deadlock) and checked first; one that has meanwhile moved, closed or sits in a team the new
    coordinator does not belong to refuses the whole move. Each moved case gets its assignment
    history row and its audit entry.
    """
    if not access.can_manage(actor):
        raise Forbidden("Only a manager can reassign cases")
    if coordinator.id == from_coordinator.id:
        raise ServiceError(
            f"Choose someone other than {from_coordinator.name} to take the cases", field="coordinator_id"
        )
    if case_ids is None:
        chosen = open_cases_held_by(from_coordinator, viewer=actor)
        if not chosen:
            raise ServiceError(f"{from_coordinator.name} holds no open cases in your teams", field="which")
    else:
        if not case_ids:
            raise ServiceError("Select the cases to move", field="case_ids")
        chosen = list(db.session.scalars(select(Case).where(Case.id.in_(set(case_ids)))))
        if len(chosen) != len(set(case_ids)):
            raise ServiceError("One of the selected cases no longer exists; reload the page", field="case_ids")
    chosen.sort(key=lambda c: c.id)
    for case in chosen:
        if case.team_id not in actor.team_ids:
            raise Forbidden("Only a manager of the case's team can reassign it")
        lock_case(case)
        if case.status is not CaseStatus.OPEN or case.coordinator_id != from_coordinator.id:
            raise Conflict(
                f"The case of {case.child.full_name} is no longer an open case held by {from_coordinator.name}; "
                "someone may have moved it. Nothing was moved: check the list and try again",
                field="case_ids",
            )
    teams_refused = sorted({c.team.name for c in chosen if not _may_hold(coordinator, c.team)})
    if teams_refused:
        if not coordinator.active:
            problem = f"{coordinator.name}'s account is not active"
        elif not access.is_staff_editor(coordinator):
            problem = f"{coordinator.name} is not a coordinator"
        else:
            problem = f"{coordinator.name} is not a coordinator in {' or '.join(teams_refused)}"
        held = [c.child.full_name for c in chosen if not _may_hold(coordinator, c.team)]
        raise ServiceError(
            f"{problem}, so cannot take {len(held)} of the selected cases ({', '.join(held[:5])}{', ...' if len(held) > 5 else ''}). "
            "Nothing was moved",
            field="coordinator_id",
        )
    for case in chosen:
        _move(case, coordinator, reason=reason, actor=actor, details={"bulk": True, "cases_moved": len(chosen)})
    db.session.flush()
    return chosen


def _may_hold(coordinator: User, team: Team) -> bool:
    return access.can_hold_cases_in(coordinator, team.id)


def add_note(case: Case, text: str, *, actor: User) -> CaseNote:
    if not can_view(actor, case):
        raise Forbidden("You cannot add notes to this case")
    if not text.strip():
        raise ServiceError("Enter the note", field="text")
    note = CaseNote(case=case, author_id=actor.id, text=text.strip())
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "case_note_added", "case", case.id, "Added a note", {"note_id": note.id})
    return note


# --- Exceptions ------------------------------------------------------------------------------


def propose_exception(
    case: Case,
    *,
    milestone_key: str,
    limb: str,
    starts_on: date,
    ends_on: date | None,
    reason: str,
    evidence: str | None,
    actor: User,
    today: date,
) -> CaseException:
    _require_edit(actor, case)
    lock_case(case)
    if not any(m.key == milestone_key for m in case.milestones):
        raise ServiceError("Select a milestone of this case", field="milestone_key")
    try:
        if not statutory_rule(milestone_key).exception_limbs:
            validate_exception(milestone_key, ExceptionLimb.PERSONAL_CIRCUMSTANCES)  # says the law allows none
        try:
            chosen = ExceptionLimb(limb)
        except ValueError:
            raise ServiceError("Select which exception applies", field="limb") from None
        validate_exception(milestone_key, chosen)
    except StatutoryError as error:
        raise ServiceError(str(error), field="limb") from None
    if not reason.strip():
        raise ServiceError("Enter the circumstances that make the exception apply", field="reason")
    if starts_on > today:
        raise ServiceError("The exception cannot start in the future", field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ServiceError("The end date cannot be before the start date", field="ends_on")
    exception = CaseException(
        case=case,
        milestone_key=milestone_key,
        limb=limb,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        evidence=(evidence or "").strip() or None,
        proposed_by_id=actor.id,
    )
    db.session.add(exception)
    db.session.flush()
    audit.record(
        actor,
        "exception_proposed",
        "case",
        case.id,
        f"Proposed an exception to ‘{exception.milestone_label}’: {exception.limb_text}",
        {"exception_id": exception.id, "limb": limb},
    )
    return exception


def decide_exception(exception: CaseException, *, approve: bool, note: str, actor: User) -> None:
    case = exception.case
    if not access.can_manage_case(actor, case):
        raise Forbidden("Only a manager of the case's team can approve or reject an exception")
    lock_case(case)
    db.session.refresh(exception)
    if exception.status is not ExceptionStatus.PROPOSED:
        raise Conflict(f"This exception was already {exception.status.value}", field="decision")
    from .clock import now

    exception.status = ExceptionStatus.APPROVED if approve else ExceptionStatus.REJECTED
    exception.decided_by_id = actor.id
    exception.decided_at = now()
    exception.decision_note = note.strip() or None
    audit.record(
        actor,
        "exception_approved" if approve else "exception_rejected",
        "case",
        case.id,
        f"{'Approved' if approve else 'Rejected'} the exception to ‘{exception.milestone_label}’: {exception.limb_text}",
        {"exception_id": exception.id},
    )
    _recompute(case)


# --- Communications --------------------------------------------------------------------------


TIME_OF_DAY_MESSAGE = "Enter the time on the 24-hour clock as hours and minutes, for example 09:30 or 14:05"
_TIME_OF_DAY = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def parse_time_of_day(text: str) -> time:
    """A time of day typed as HH:MM on the 24-hour clock ("9:30" too); anything else is refused.

    The web form and the API both read times through this, so they accept the same things.
    """
    match = _TIME_OF_DAY.fullmatch(text.strip())
    if match is None:
        raise ValueError(TIME_OF_DAY_MESSAGE)
    return time(int(match.group(1)), int(match.group(2)))


def log_communication(
    case: Case,
    *,
    received_on: date,
    channel: Channel,
    from_name: str,
    summary: str,
    actor: User,
    today: date,
    contact: ChildContact | None = None,
    received_at: time | None = None,
) -> Communication:
    """Log a communication; `contact` is one of the child's recorded contacts it came from, if it
    did (its name is then kept in from_name too, so the log still reads if the contact is removed)."""
    if not can_view(actor, case):
        raise Forbidden("You cannot log communications on this case")
    _check_date(received_on, today=today, field="received_on", label="The date received")
    if contact is not None:
        if contact.child_id != case.child_id:
            raise ServiceError("Select one of this child's contacts, or someone else", field="contact")
        from_name = contact.name
    if not from_name.strip():
        raise ServiceError("Enter who the communication was from", field="from_name")
    if not summary.strip():
        raise ServiceError("Enter a short summary", field="summary")
    comm = Communication(
        case=case,
        received_on=received_on,
        received_at=received_at,
        channel=channel,
        from_name=from_name.strip(),
        contact=contact,
        summary=summary.strip(),
        recorded_by_id=actor.id,
    )
    db.session.add(comm)
    db.session.flush()
    when = received_on.isoformat() + (f" at {received_at:%H:%M}" if received_at else "")
    audit.record(
        actor,
        "communication_logged",
        "case",
        case.id,
        f"Logged a communication ({channel.label.lower()}) received {when}",
        {
            "communication_id": comm.id,
            "from": comm.from_name,
            "contact_id": contact.id if contact else None,
            "received_at": received_at.strftime("%H:%M") if received_at else None,
        },
    )
    _recompute(case)
    return comm


def record_response(
    comm: Communication,
    *,
    responded_on: date,
    summary: str,
    actor: User,
    today: date,
    reply_channel: Channel | None = None,
) -> None:
    if not can_view(actor, comm.case):
        raise Forbidden("You cannot respond on this case")
    lock_case(comm.case)
    db.session.refresh(comm)
    if comm.outgoing:
        raise Conflict("The council sent this one: there is no response to record", field="responded_on")
    if comm.responded_on is not None:
        raise Conflict(f"A response was already recorded on {comm.responded_on:%-d %B %Y}", field="responded_on")
    _check_date(
        responded_on,
        today=today,
        field="responded_on",
        label="The response date",
        not_before=comm.received_on,
        not_before_label="the day it was received",
    )
    comm.responded_on = responded_on
    comm.response_summary = summary.strip() or None
    comm.reply_channel = reply_channel
    audit.record(
        actor,
        "communication_responded",
        "case",
        comm.case_id,
        f"Recorded the response to communication {comm.id} on {responded_on.isoformat()}"
        + (f" ({reply_channel.label.lower()})" if reply_channel else ""),
        {"communication_id": comm.id, "reply_channel": reply_channel.value if reply_channel else None},
    )
    _recompute(comm.case)
    reply_recorded.send(comm)
