"""The daily alerts: the ledger of what each person was told, the email outbox, job runs,
digest preferences and the lock that keeps two runs from working at once.

The ledger (`alerts`) and the outbox (`outbox_messages`) each carry a unique `dedupe_key`:
running the job again for a day it has already done finds every key taken and adds nothing,
so nobody is told anything twice.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


def _enum(cls: type[enum.Enum], length: int) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class AlertKind(str, enum.Enum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    # Reminders to a professional about advice asked of them, and the escalation of overdue advice
    # to their organisation's named contact (alerts/advice_reminders.py).
    ADVICE_REMINDER = "advice_reminder"
    ADVICE_ESCALATION = "advice_escalation"

    @property
    def label(self) -> str:
        return {
            "due_soon": "Due soon",
            "overdue": "Overdue",
            "escalation": "Escalation",
            "advice_reminder": "Advice reminder",
            "advice_escalation": "Overdue advice escalated",
        }[self.value]


class DigestFrequency(str, enum.Enum):
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"

    @property
    def label(self) -> str:
        return {
            "daily": "Every working day",
            "weekly": "Once a week",
            "off": "Never (escalations are still sent)",
        }[self.value]


class OutboxStatus(str, enum.Enum):
    PENDING = "pending"
    # Claimed by a sender (SQLite only; PostgreSQL holds a row lock instead).
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class GiveUpReason(str, enum.Enum):
    """Why a message was marked failed (kept, shown to administrators, not tried again)."""

    REFUSED = "refused"  # the server refused it for good (a 5xx answer, Notify's 400)
    UNBUILDABLE = "unbuildable"  # it could not be made into an email (a bad address, say)
    ATTEMPTS = "attempts"  # OUTBOX_MAX_ATTEMPTS tries of this message failed
    AGE = "age"  # it failed again when older than OUTBOX_MAX_AGE_HOURS

    @property
    def label(self) -> str:
        return {
            "refused": "Refused by the mail server",
            "unbuildable": "Cannot be sent: the address or content is not valid",
            "attempts": "Too many failed attempts",
            "age": "Too old to keep trying",
        }[self.value]


class JobRunStatus(str, enum.Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    SKIPPED = "skipped"
    FAILED = "failed"


class AlertPreference(db.Model):  # type: ignore[name-defined,misc]
    """A person's choice of email digest, and whether they receive escalations.

    A missing row means the defaults: a daily digest and no escalations.
    """

    __tablename__ = "alert_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[DigestFrequency] = mapped_column(_enum(DigestFrequency, 10), default=DigestFrequency.DAILY)
    # Set by an administrator (`flask alerts escalations --add`): the Head of Service and deputies.
    receives_escalations: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()  # type: ignore[name-defined]  # noqa: F821


class Alert(db.Model):  # type: ignore[name-defined,misc]
    """One thing one person was told on one day: the ledger, and their in-app notification.

    The milestone's label and due date are copied, so the notification still reads correctly
    after the milestone is met, moved or removed.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_recipient_read", "recipient_id", "read_at"),
        Index("ix_alerts_for_on_kind", "for_on", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # kind:milestone:due date (escalations):recipient:day (others); unique, so a rerun adds nothing.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[AlertKind] = mapped_column(_enum(AlertKind, 20))
    for_on: Mapped[date]
    # A person with an account; None for an escalation address without one (ESCALATION_EMAILS).
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient_email: Mapped[str] = mapped_column(String(254))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # No foreign key: milestones are removed when they stop applying; the alert keeps its copy.
    milestone_id: Mapped[int]
    milestone_key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    working_days_overdue: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))

    case: Mapped[Case] = relationship()  # type: ignore[name-defined]  # noqa: F821
    recipient: Mapped[User | None] = relationship()  # type: ignore[name-defined]  # noqa: F821

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def days_overdue(self) -> int:
        """Calendar days past the due date on the day of the alert: the unit of every other page."""
        return max((self.for_on - self.due_on).days, 0)


class OutboxMessage(db.Model):  # type: ignore[name-defined,misc]
    """An email stored before it is sent, so that nothing is lost when the mail server is down."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # digest:day:recipient; unique, so a rerun queues nothing new.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    for_on: Mapped[date]
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, 10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set with status failed: why it was given up on.
    gave_up_reason: Mapped[GiveUpReason | None] = mapped_column(_enum(GiveUpReason, 20))


class OutboxDestination(db.Model):  # type: ignore[name-defined,misc]
    """The back-off of one destination: the mail service the outbox hands messages to (an SMTP
    server as host:port, or GOV.UK Notify). When it cannot be reached, no message is tried
    until `next_attempt_at`; the messages themselves are not charged an attempt. A success
    clears the row's failures."""

    __tablename__ = "outbox_destinations"

    destination: Mapped[str] = mapped_column(String(200), primary_key=True)
    # Failed tries in a row; the wait after the n-th is OUTBOX_BACKOFF_SECONDS × 2^(n-1), capped.
    failures: Mapped[int] = mapped_column(default=0)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JobTrigger(enum.StrEnum):
    """What started a job run (stored as these words in `JobRun.trigger`)."""

    SCHEDULER = "scheduler"
    CATCH_UP = "catch-up"
    COMMAND = "command"


class JobRun(db.Model):  # type: ignore[name-defined,misc]
    """One run of a scheduled job for one day: when, how it ended, what it did."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_status_for_on", "job", "status", "for_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    for_on: Mapped[date]
    # A JobTrigger's value.
    trigger: Mapped[str] = mapped_column(String(20))
    status: Mapped[JobRunStatus] = mapped_column(_enum(JobRunStatus, 10), default=JobRunStatus.RUNNING)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alerts_created: Mapped[int] = mapped_column(default=0)
    messages_queued: Mapped[int] = mapped_column(default=0)
    messages_sent: Mapped[int] = mapped_column(default=0)
    messages_failed: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(120))
    # Updated while the run works; a "running" run silent for longer than JOB_RUN_STALE_MINUTES
    # died (killed, or its machine stopped) and is marked failed by the next run.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobLock(db.Model):  # type: ignore[name-defined,misc]
    """A lease on a job, for databases without advisory locks (SQLite).

    PostgreSQL uses pg_try_advisory_xact_lock instead and never touches this table.
    """

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
