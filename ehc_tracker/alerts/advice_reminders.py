"""Reminders to the professional asked for advice, and the escalation of overdue advice.

Advice is due 6 weeks after it was asked for (SEND Regulations 2014 reg 8(1); the engine's
`advice_due` milestone). For each request addressed to a professional account and still waiting,
on an open case, the daily job sends:

- a reminder ADVICE_REMINDER_DAYS calendar days and ADVICE_REMINDER_WORKING_DAYS working days
  before the due date (only the latest one due, so a request asked late is not sent two at once);
- one on the first run after the due date has passed;
- once ADVICE_ESCALATION_WORKING_DAYS working days overdue, an email to the provider's named
  contact (the directory entry's contact email, else its email), unless an approved exception
  applies to the advice.

Each is sent exactly once: it is recorded in the alerts ledger (`alerts`, kinds `advice_reminder`
and `advice_escalation`) under a unique key of the request, the stage and the due date, with its
email in the outbox; a rerun finds the key taken and sends nothing. Nothing is sent once the
advice is in: the request and its milestone are read afresh every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Alert, AlertKind, User
from ..models.case import AdviceRequest, Case, CaseStatus, Milestone
from ..models.directory import DirectoryEntry
from ..services import professional_mail
from ..services.timeline import advice_name
from ..statutory.calendar import WorkingDayCalendar


def _numbers(value: Any) -> tuple[int, ...]:
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return tuple(sorted({int(str(v).strip()) for v in items if str(v).strip()}, reverse=True))


@dataclass(frozen=True)
class ReminderSettings:
    days_before: tuple[int, ...] = (14,)
    working_days_before: tuple[int, ...] = (3,)
    escalation_working_days: int = 5

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ReminderSettings:
        return cls(
            days_before=_numbers(config.get("ADVICE_REMINDER_DAYS", "14")),
            working_days_before=_numbers(config.get("ADVICE_REMINDER_WORKING_DAYS", "3")),
            escalation_working_days=int(config.get("ADVICE_ESCALATION_WORKING_DAYS", 5)),
        )


@dataclass(frozen=True)
class PlannedReminder:
    kind: AlertKind
    stage: str  # "d14" (calendar days before), "wd3" (working days before), "overdue", "escalation"
    advice_id: int
    case_id: int
    milestone_id: int
    label: str
    due_on: date
    requested_on: date
    for_on: date
    recipient_id: int | None
    email: str
    name: str
    working_days_overdue: int = 0
    provider_name: str = ""
    professional_name: str = ""

    @property
    def dedupe_key(self) -> str:
        # Once per request, stage and due date: whoever holds the request, however often the job runs.
        return f"advice-{self.stage}:a{self.advice_id}:due{self.due_on.isoformat()}"


def working_days_before(due_on: date, days: int, calendar: WorkingDayCalendar) -> date:
    """The day `days` working days before `due_on` (3 before a Friday: the Tuesday)."""
    day, counted = due_on, 0
    while counted < days:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def plan(for_on: date, settings: ReminderSettings, calendar: WorkingDayCalendar) -> list[PlannedReminder]:
    """Every reminder and escalation day `for_on` calls for, sent before or not (the ledger decides)."""
    rows = db.session.execute(
        select(AdviceRequest, Milestone, User, DirectoryEntry)
        .join(Case, AdviceRequest.case_id == Case.id)
        .join(
            Milestone,
            (Milestone.case_id == AdviceRequest.case_id)
            & (Milestone.key == "advice_due")
            & (Milestone.ref == "advice:" + AdviceRequest.id.cast(db.String)),
        )
        .join(User, AdviceRequest.professional_id == User.id)
        .outerjoin(DirectoryEntry, AdviceRequest.directory_entry_id == DirectoryEntry.id)
        .where(Case.status == CaseStatus.OPEN, AdviceRequest.received_on.is_(None), Milestone.met_on.is_(None))
        .order_by(Milestone.due_on, AdviceRequest.id)
    ).all()
    found: list[PlannedReminder] = []
    for advice, milestone, professional, entry in rows:
        due = milestone.due_on

        def make(kind: AlertKind, stage: str, *, to: str, name: str, user_id: int | None, late: int = 0) -> None:
            found.append(
                PlannedReminder(
                    kind=kind,
                    stage=stage,
                    advice_id=advice.id,
                    case_id=advice.case_id,
                    milestone_id=milestone.id,
                    label=advice_name(advice),
                    due_on=due,
                    requested_on=advice.requested_on,
                    for_on=for_on,
                    recipient_id=user_id,
                    email=to,
                    name=name,
                    working_days_overdue=late,
                    provider_name=entry.name if entry is not None else advice.provider,
                    professional_name=professional.name,
                )
            )

        if for_on <= due:
            if not professional.active:
                continue
            stages = [(due - timedelta(days=n), f"d{n}") for n in settings.days_before]
            stages += [(working_days_before(due, n, calendar), f"wd{n}") for n in settings.working_days_before]
            started = [(trigger, stage) for trigger, stage in stages if trigger <= for_on]
            if started:
                _, stage = max(started)
                make(
                    AlertKind.ADVICE_REMINDER,
                    stage,
                    to=professional.email,
                    name=professional.name,
                    user_id=professional.id,
                )
            continue
        if professional.active:
            make(
                AlertKind.ADVICE_REMINDER,
                "overdue",
                to=professional.email,
                name=professional.name,
                user_id=professional.id,
            )
        late = calendar.working_days_between(due, for_on)
        contact = (entry.contact_email or entry.email) if entry is not None else None
        if contact and late >= settings.escalation_working_days and not milestone.exception_applies:
            make(
                AlertKind.ADVICE_ESCALATION,
                "escalation",
                to=contact,
                name=entry.contact_name or "",
                user_id=None,
                late=late,
            )
    return found


def _paragraphs(item: PlannedReminder) -> list[str]:
    due_text = f"{item.due_on:%A %-d %B %Y}"
    asked = f"{item.label}, asked for on {item.requested_on:%-d %B %Y}"
    if item.kind is AlertKind.ADVICE_ESCALATION:
        return [
            f"{asked} (advice request {item.advice_id}, with {item.professional_name}) was due by {due_text} and is "
            f"{item.working_days_overdue} working days overdue.",
            "The council must finish the EHC needs assessment within 20 weeks, and late advice is the main reason "
            "it cannot. Please make sure the advice is sent as soon as possible.",
        ]
    if item.stage == "overdue":
        return [
            f"{asked}, was due by {due_text} and has not been received.",
            "Please return it as soon as you can: the council must finish the assessment within 20 weeks.",
        ]
    return [f"{asked}, is due by {due_text}. You can return it through the service."]


def _subject(item: PlannedReminder) -> str:
    if item.kind is AlertKind.ADVICE_ESCALATION:
        return f"Overdue advice from {item.provider_name} (request {item.advice_id})"[:200]
    if item.stage == "overdue":
        return f"Your advice was due on {item.due_on:%-d %B %Y}"
    return f"Reminder: advice due by {item.due_on:%-d %B %Y}"


def unsent(planned: Iterable[PlannedReminder]) -> list[PlannedReminder]:
    """The planned reminders the ledger does not hold yet."""
    items = list(planned)
    keys = [p.dedupe_key for p in items]
    taken = set(db.session.scalars(select(Alert.dedupe_key).where(Alert.dedupe_key.in_(keys)))) if keys else set()
    return [item for item in items if item.dedupe_key not in taken]


def record(planned: Iterable[PlannedReminder], *, now: datetime) -> int:
    """Record in the ledger, and queue the email of, each planned reminder not sent before."""
    count = 0
    for item in unsent(planned):
        recipient = db.session.get(User, item.recipient_id) if item.recipient_id is not None else None
        message = professional_mail.queue(
            key=f"mail:{item.dedupe_key}",
            to=item.email,
            recipient=recipient,
            subject=_subject(item),
            paragraphs=_paragraphs(item),
            for_on=item.for_on,
            greeting=item.name,
            link=professional_mail.page_link(f"/provider/requests/{item.advice_id}") if recipient is not None else "",
            link_text="See the request",
        )
        db.session.add(
            Alert(
                dedupe_key=item.dedupe_key,
                kind=item.kind,
                for_on=item.for_on,
                recipient_id=item.recipient_id,
                recipient_email=item.email,
                case_id=item.case_id,
                milestone_id=item.milestone_id,
                milestone_key="advice_due",
                label=item.label[:200],
                due_on=item.due_on,
                working_days_overdue=item.working_days_overdue,
                created_at=now,
                outbox_message_id=message.id if message is not None else None,
            )
        )
        count += 1
    db.session.flush()
    return count
