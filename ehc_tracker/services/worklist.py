"""What each person's home page puts first, and what the daily digest counts.

- A coordinator's worklist: the steps on their own cases that are overdue or due in the next
  7 days (only those that can still be taken), the family messages waiting for a reply, and the
  exception decisions a manager has returned on their cases that they have not looked at since.
  Each step names the workflow step that meets it, when that step can be recorded now.
- A manager's queues, over the cases of their teams: exceptions awaiting approval, family
  messages unanswered (oldest first, with the working days they have waited), open cases with
  no coordinator.
- A viewer's figures: what is overdue in their teams and last month's on-time rates.

Lists are bounded (`limit` rows, with the full count beside them). Days overdue are calendar
days, as on the overdue list and the case page; the wait for a reply is in working days, the
unit of its 5-working-day standard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Generic, TypeVar

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, String, and_, case, cast, exists, func, literal, select
from sqlalchemy.orm import aliased, selectinload

from ..extensions import db
from ..models import AuditEvent, QualityAudit, Role, Team, User
from ..models.case import (
    Case,
    CaseException,
    CaseStatus,
    CaseType,
    Communication,
    EventType,
    ExceptionStatus,
    Milestone,
)
from ..models.child import Child
from ..statutory.rules import RULES
from . import quality, workflow
from . import reports as oversight
from .calendar import working_day_calendar
from .cases import recordable_now
from .milestones import communication_awaiting_reply, still_possible
from .timeline import chosen_for, next_step

LIMIT = 25
DAYS_AHEAD = 7  # "due this week": today and the six days after it
# A decision returned on an exception stays on the coordinator's worklist until they open the
# case, or for this many days.
RETURNED_EXCEPTION_DAYS = 14


def step_for(case: Case, key: str, recordable: Sequence[EventType]) -> EventType | None:
    """The step to record now towards meeting `key`: the workflow's next step if it is one of
    them, else the first of them that can be recorded now; None when none can (the case then)."""
    candidates = [s for s in workflow.steps_towards(key) if s in recordable]
    if not candidates:
        return None
    expected = next_step(case)
    return expected if expected in candidates else candidates[0]


# --- Shared conditions ---------------------------------------------------------------------------


def _open_in_teams(user: User) -> list[ColumnElement[bool]]:
    return [Case.status == CaseStatus.OPEN, Case.team_id.in_(user.team_ids or {-1})]


def _mine(user: User) -> list[ColumnElement[bool]]:
    """The user's own open cases (in their teams: a case they can no longer open is not listed)."""
    return [*_open_in_teams(user), Case.coordinator_id == user.id]


def _communication_ref() -> ColumnElement[str]:
    return literal("communication:", String) + cast(Communication.id, String)


def _unanswered_family_message() -> list[ColumnElement[bool]]:
    return [Communication.family_user_id.is_not(None), Communication.responded_on.is_(None)]


def _my_open_steps(user: User, today: date) -> list[ColumnElement[bool]]:
    """The steps still to take of the user's own open cases in their teams, on the milestones'
    own copies of the case's team, coordinator and status (one range of a partial index)."""
    scope = oversight.Scope(frozenset(user.team_ids), coordinator_id=user.id)
    return [*scope.step_conditions(), still_possible(today)]


def _not_a_family_message() -> ColumnElement[bool]:
    """A reply to a family message is listed with the messages, not again with the steps."""
    family_refs = select(_communication_ref()).where(Communication.family_user_id.is_not(None))
    return Milestone.ref.not_in(family_refs)


def _since(on: date) -> datetime:
    return datetime.combine(on, time.min, tzinfo=UTC)


def _sum(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- Rows --------------------------------------------------------------------------------------


class _Named:
    first_name: str
    last_name: str

    @property
    def child_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class StepRow(_Named):
    milestone_id: int
    case_id: int
    case_type: CaseType
    first_name: str
    last_name: str
    label: str
    due_on: date
    days_overdue: int  # calendar days; 0 when not overdue
    days_left: int  # calendar days; 0 when due today or overdue
    # The step whose form meets the limit, when it can be recorded now; else the case is opened.
    step: EventType | None
    step_label: str | None
    # A reply to a message: the respond form for this communication.
    communication_id: int | None
    # Which advice request or consultation the step's form should have chosen already.
    chosen: dict[str, int] = field(default_factory=dict)

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class MessageRow(_Named):
    communication_id: int
    case_id: int
    first_name: str
    last_name: str
    from_name: str
    received_on: date
    working_days_waiting: int
    reply_due_on: date | None
    coordinator_name: str | None
    reply_overdue: bool


@dataclass(frozen=True)
class ExceptionRow(_Named):
    exception_id: int
    case_id: int
    first_name: str
    last_name: str
    milestone_label: str
    status: ExceptionStatus
    proposed_at: datetime
    proposed_by: str | None
    decided_at: datetime | None
    decided_by: str | None
    decision_note: str | None


@dataclass(frozen=True)
class CaseRow(_Named):
    case_id: int
    case_type: CaseType
    first_name: str
    last_name: str
    opened_on: date
    next_due_on: date | None
    team_name: str


T = TypeVar("T")


@dataclass(frozen=True)
class Listing(Generic[T]):
    rows: list[T]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)


@dataclass(frozen=True)
class Worklist:
    """A coordinator's home page, first things first."""

    today: date
    days_ahead: int
    steps: Listing[StepRow]
    overdue: int
    due_this_week: int
    messages: Listing[MessageRow]
    returned_exceptions: Listing[ExceptionRow]
    # Completed quality audits of the coordinator's cases with actions not yet done (services/quality.py).
    audit_actions: list[QualityAudit] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.steps.total or self.messages.total or self.returned_exceptions.total or self.audit_actions)


@dataclass(frozen=True)
class Queues:
    """A manager's queues over their teams' cases."""

    today: date
    exceptions: Listing[ExceptionRow]
    messages: Listing[MessageRow]
    unassigned: Listing[CaseRow]

    @property
    def empty(self) -> bool:
        return not (self.exceptions.total or self.messages.total or self.unassigned.total)


# --- Coordinator --------------------------------------------------------------------------------


def _step_rows(user: User, today: date, limit: int, days_ahead: int) -> tuple[Listing[StepRow], int]:
    conditions = [
        *_my_open_steps(user, today),
        Milestone.due_on < today + timedelta(days=days_ahead),
        _not_a_family_message(),
    ]
    stmt = (
        select(Milestone, Child.first_name, Child.last_name, Case.case_type)
        .join(Case, Milestone.case_id == Case.id)
        .join(Child, Case.child_id == Child.id)
        .where(*conditions)
    )
    total, overdue = db.session.execute(
        select(func.count(), _sum(Milestone.due_on < today)).select_from(Milestone).where(*conditions)
    ).one()
    found = db.session.execute(stmt.order_by(Milestone.due_on, Milestone.case_id, Milestone.id).limit(limit)).all()
    case_ids = {m.case_id for m, *_ in found}
    cases = (
        {
            c.id: c
            for c in db.session.scalars(
                select(Case)
                .where(Case.id.in_(case_ids))
                .options(
                    selectinload(Case.events),
                    selectinload(Case.advice_requests),
                    selectinload(Case.consultations),
                )
            )
        }
        if case_ids
        else {}
    )
    recordable = {ident: recordable_now(case) for ident, case in cases.items()}
    rows = []
    for milestone, first_name, last_name, case_type in found:
        communication_id = communication_awaiting_reply(milestone)
        step = None
        if communication_id is None:
            step = step_for(cases[milestone.case_id], milestone.key, recordable[milestone.case_id])
        rows.append(
            StepRow(
                milestone_id=milestone.id,
                case_id=milestone.case_id,
                case_type=case_type,
                first_name=first_name,
                last_name=last_name,
                label=milestone.label,
                due_on=milestone.due_on,
                days_overdue=max((today - milestone.due_on).days, 0),
                days_left=max((milestone.due_on - today).days, 0),
                step=step,
                step_label=workflow.label(step) if step else None,
                communication_id=communication_id,
                chosen=chosen_for(step, milestone.ref),
            )
        )
    return Listing(rows, int(total)), int(overdue)


def _message_rows(conditions: list[ColumnElement[bool]], today: date, limit: int) -> Listing[MessageRow]:
    reply = and_(
        Milestone.case_id == Communication.case_id,
        Milestone.key == "response_due",
        Milestone.ref == _communication_ref(),
    )
    stmt = (
        select(Communication, Child.first_name, Child.last_name, Milestone.due_on, User.name)
        .join(Case, Communication.case_id == Case.id)
        .join(Child, Case.child_id == Child.id)
        .outerjoin(Milestone, reply)
        .outerjoin(User, Case.coordinator_id == User.id)
        .where(*conditions, *_unanswered_family_message())
    )
    total = db.session.scalar(
        select(func.count(Communication.id))
        .join(Case, Communication.case_id == Case.id)
        .where(*conditions, *_unanswered_family_message())
    )
    calendar = working_day_calendar()
    rows = [
        MessageRow(
            communication_id=c.id,
            case_id=c.case_id,
            first_name=first,
            last_name=last,
            from_name=c.from_name,
            received_on=c.received_on,
            working_days_waiting=max(calendar.working_days_between(c.received_on, today), 0),
            reply_due_on=due_on,
            coordinator_name=coordinator,
            reply_overdue=due_on is not None and due_on < today,
        )
        for c, first, last, due_on, coordinator in db.session.execute(
            stmt.order_by(Communication.received_on, Communication.id).limit(limit)
        )
    ]
    return Listing(rows, int(total or 0))


def _exception_rows(
    conditions: list[ColumnElement[bool]], order: Sequence[object], limit: int
) -> Listing[ExceptionRow]:
    proposer, decider = aliased(User), aliased(User)
    stmt = (
        select(CaseException, Child.first_name, Child.last_name, proposer.name, decider.name)
        .join(Case, CaseException.case_id == Case.id)
        .join(Child, Case.child_id == Child.id)
        .outerjoin(proposer, CaseException.proposed_by_id == proposer.id)
        .outerjoin(decider, CaseException.decided_by_id == decider.id)
        .where(*conditions)
    )
    total = db.session.scalar(
        select(func.count(CaseException.id)).join(Case, CaseException.case_id == Case.id).where(*conditions)
    )
    rows = [
        ExceptionRow(
            exception_id=e.id,
            case_id=e.case_id,
            first_name=first,
            last_name=last,
            milestone_label=RULES[e.milestone_key].label if e.milestone_key in RULES else e.milestone_key,
            status=e.status,
            proposed_at=e.proposed_at,
            proposed_by=proposed_by,
            decided_at=e.decided_at,
            decided_by=decided_by,
            decision_note=e.decision_note,
        )
        for e, first, last, proposed_by, decided_by in db.session.execute(stmt.order_by(*order).limit(limit))  # type: ignore[arg-type]
    ]
    return Listing(rows, int(total or 0))


def returned_exception_conditions(user: User, today: date) -> list[ColumnElement[bool]]:
    """Decisions on exceptions on the user's own cases, made in the last RETURNED_EXCEPTION_DAYS
    days, on a case the user has not opened since (the case page's view is in the audit log)."""
    seen = select(AuditEvent.id).where(
        AuditEvent.actor_id == user.id,
        AuditEvent.action == "case_viewed",
        AuditEvent.object_type == "case",
        AuditEvent.object_id == cast(CaseException.case_id, String),
        AuditEvent.occurred_at >= CaseException.decided_at,
    )
    return [
        *_mine(user),
        CaseException.status.in_((ExceptionStatus.APPROVED, ExceptionStatus.REJECTED)),
        CaseException.decided_at >= _since(today - timedelta(days=RETURNED_EXCEPTION_DAYS)),
        ~exists(seen),
    ]


def coordinator_worklist(user: User, today: date, *, limit: int = LIMIT, days_ahead: int = DAYS_AHEAD) -> Worklist:
    steps, overdue = _step_rows(user, today, limit, days_ahead)
    return Worklist(
        today=today,
        days_ahead=days_ahead,
        steps=steps,
        overdue=overdue,
        due_this_week=steps.total - overdue,
        messages=_message_rows(_mine(user), today, limit),
        returned_exceptions=_exception_rows(
            returned_exception_conditions(user, today), (CaseException.decided_at.desc(), CaseException.id), limit
        ),
        audit_actions=quality.actions_for(user)[:limit],
    )


# --- Manager ------------------------------------------------------------------------------------


def _awaiting_approval(user: User) -> list[ColumnElement[bool]]:
    return [*_open_in_teams(user), CaseException.status == ExceptionStatus.PROPOSED]


def _unassigned(user: User) -> list[ColumnElement[bool]]:
    return [*_open_in_teams(user), Case.coordinator_id.is_(None)]


def _case_rows(conditions: list[ColumnElement[bool]], limit: int) -> Listing[CaseRow]:
    stmt = (
        select(Case.id, Case.case_type, Child.first_name, Child.last_name, Case.anchor_on, Case.next_due_on, Team.name)
        .join(Child, Case.child_id == Child.id)
        .join(Team, Case.team_id == Team.id)
        .where(*conditions)
        .order_by(Case.next_due_on.is_(None), Case.next_due_on, Case.anchor_on, Case.id)
    )
    total = db.session.scalar(select(func.count(Case.id)).where(*conditions))
    rows = [
        CaseRow(ident, case_type, first, last, anchor_on, next_due_on, team)
        for ident, case_type, first, last, anchor_on, next_due_on, team in db.session.execute(stmt.limit(limit))
    ]
    return Listing(rows, int(total or 0))


def manager_queues(user: User, today: date, *, limit: int = LIMIT) -> Queues:
    return Queues(
        today=today,
        exceptions=_exception_rows(_awaiting_approval(user), (CaseException.proposed_at, CaseException.id), limit),
        messages=_message_rows(_open_in_teams(user), today, limit),
        unassigned=_case_rows(_unassigned(user), limit),
    )


@dataclass(frozen=True)
class QueueCounts:
    """The manager's queues as counts, for the digest: in all, and new since a day."""

    exceptions: int
    messages: int
    unassigned: int
    oldest_message_working_days: int | None
    new_exceptions: list[ExceptionRow]
    new_messages: list[MessageRow]
    new_unassigned: list[CaseRow]

    @property
    def total(self) -> int:
        return self.exceptions + self.messages + self.unassigned


def queue_counts(user: User, today: date, *, since: date, limit: int = LIMIT) -> QueueCounts:
    """Counts of `user`'s queues on `today`, and what joined them from `since` on (proposed,
    received or opened on or after that day)."""
    queues = manager_queues(user, today, limit=1)
    new_exceptions = _exception_rows(
        [*_awaiting_approval(user), CaseException.proposed_at >= _since(since)],
        (CaseException.proposed_at, CaseException.id),
        limit,
    )
    new_messages = _message_rows([*_open_in_teams(user), Communication.received_on >= since], today, limit)
    new_unassigned = _case_rows([*_unassigned(user), Case.created_at >= _since(since)], limit)
    oldest = queues.messages.rows[0].working_days_waiting if queues.messages.rows else None
    return QueueCounts(
        queues.exceptions.total,
        queues.messages.total,
        queues.unassigned.total,
        oldest,
        new_exceptions.rows,
        new_messages.rows,
        new_unassigned.rows,
    )


def new_family_messages(user: User, today: date, *, since: date, limit: int = LIMIT) -> list[MessageRow]:
    """Family messages on the user's own cases received from `since` on, still unanswered."""
    return _message_rows([*_mine(user), Communication.received_on >= since], today, limit).rows


# --- Viewer -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureFigure:
    title: str
    short: str
    counted: int
    on_time: int
    percent: float | None
    target_percent: float | None


@dataclass(frozen=True)
class ViewerFigures:
    today: date
    has_teams: bool
    overdue: int
    due_soon: int
    due_soon_days: int
    month_on: date
    measures: list[MeasureFigure]


def viewer_figures(user: User, today: date, *, due_soon_days: int = oversight.DEFAULT_DUE_SOON_DAYS) -> ViewerFigures:
    """What a reports-only reader may see on their home page: counts without names, and the
    on-time rate of each monthly measure for the last whole month, over their teams."""
    scope = oversight.scope_for(user)
    open_steps = [*oversight.open_milestone_conditions(scope), still_possible(today)]
    overdue, due_soon = db.session.execute(
        select(
            _sum(Milestone.due_on < today),
            _sum(and_(Milestone.due_on >= today, Milestone.due_on <= today + timedelta(days=due_soon_days))),
        )
        .select_from(Milestone)
        .where(*open_steps)
    ).one()
    month_on = oversight.month_start(today) - relativedelta(months=1)
    measures = []
    for series in oversight.monthly_figures(scope, [month_on], today):
        figure = series.latest.headline
        target = series.latest.target_percent
        measures.append(
            MeasureFigure(
                series.measure.title,
                series.measure.short or series.measure.title,
                figure.counted,
                figure.on_time,
                figure.percent,
                float(target) if target is not None else None,
            )
        )
    return ViewerFigures(today, bool(user.team_ids), int(overdue), int(due_soon), due_soon_days, month_on, measures)


def home_for(user: User, today: date) -> Worklist | Queues | ViewerFigures | None:
    """The list or figures a staff member's home page leads with."""
    if user.role is Role.COORDINATOR:
        return coordinator_worklist(user, today, limit=LIMIT)
    if user.role is Role.MANAGER:
        return manager_queues(user, today, limit=LIMIT)
    if user.role is Role.VIEWER:
        return viewer_figures(user, today)
    return None
