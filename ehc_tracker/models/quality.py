"""Quality assurance of plans and advice: the audit framework an administrator defines (versioned),
the monthly sample of plans drawn for each team, and each audit with its grades and moderation."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


def _enum(cls: type[enum.Enum], length: int = 32) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Grade(str, enum.Enum):
    """The grade scale of the framework (Ofsted's four words)."""

    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"

    @property
    def label(self) -> str:
        return {
            "outstanding": "Outstanding",
            "good": "Good",
            "requires_improvement": "Requires improvement",
            "inadequate": "Inadequate",
        }[self.value]

    @property
    def good_or_better(self) -> bool:
        return self in (Grade.OUTSTANDING, Grade.GOOD)


GOOD_OR_BETTER = (Grade.OUTSTANDING.value, Grade.GOOD.value)


class AuditSubject(str, enum.Enum):
    PLAN = "plan"
    ADVICE = "advice"

    @property
    def label(self) -> str:
        return {"plan": "EHC plan", "advice": "Advice return"}[self.value]


class AuditStatus(str, enum.Enum):
    TO_DO = "to_do"
    AWAITING_MODERATION = "awaiting_moderation"
    DISAGREED = "disagreed"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return {
            "to_do": "To grade",
            "awaiting_moderation": "Awaiting moderation",
            "disagreed": "Moderation disagrees",
            "complete": "Complete",
        }[self.value]


class AuditFramework(db.Model):  # type: ignore[name-defined,misc]
    """One version of the questions plans (or advice returns) are graded against. A version is
    never changed once published: an administrator publishes a new one, and audits keep theirs."""

    __tablename__ = "audit_frameworks"
    __table_args__ = (UniqueConstraint("subject", "version", name="uq_audit_frameworks_subject_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[AuditSubject] = mapped_column(_enum(AuditSubject, 20))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    questions: Mapped[list[AuditQuestion]] = relationship(
        back_populates="framework", order_by="AuditQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def sections(self) -> list[tuple[str, list[AuditQuestion]]]:
        found: dict[str, list[AuditQuestion]] = {}
        for question in self.questions:
            found.setdefault(question.section, []).append(question)
        return list(found.items())


class AuditQuestion(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "audit_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("audit_frameworks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    section: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)

    framework: Mapped[AuditFramework] = relationship(back_populates="questions")


class AuditSample(db.Model):  # type: ignore[name-defined,misc]
    """A team's monthly sample: drawn at random (with the seed kept, so the draw can be repeated)
    from the plans issued or amended in the month, plus any a manager added."""

    __tablename__ = "audit_samples"
    __table_args__ = (UniqueConstraint("team_id", "month_on", name="uq_audit_samples_team_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    month_on: Mapped[date]
    # What was asked for: a percentage of the month's plans, or a number of them.
    percent: Mapped[int | None]
    count: Mapped[int | None]
    seed: Mapped[int]
    population: Mapped[int]
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team] = relationship()  # type: ignore[name-defined]  # noqa: F821
    audits: Mapped[list[QualityAudit]] = relationship(back_populates="sample", order_by="QualityAudit.id")


class QualityAudit(db.Model):  # type: ignore[name-defined,misc]
    """One plan or advice return graded against a framework by an auditor, and optionally
    moderated by a second auditor; a disagreement is resolved by a manager, with a note."""

    __tablename__ = "quality_audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("audit_samples.id"), index=True)
    # The month the audit is counted in (the sample's month).
    month_on: Mapped[date] = mapped_column(index=True)
    subject: Mapped[AuditSubject] = mapped_column(_enum(AuditSubject, 20))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    advice_request_id: Mapped[int | None] = mapped_column(ForeignKey("advice_requests.id"))
    # The event that issued or amended the plan (what is being audited).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    framework_id: Mapped[int] = mapped_column(ForeignKey("audit_frameworks.id"))
    added_by_manager: Mapped[bool] = mapped_column(default=False)
    status: Mapped[AuditStatus] = mapped_column(_enum(AuditStatus, 24), default=AuditStatus.TO_DO)
    auditor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    grade: Mapped[Grade | None] = mapped_column(_enum(Grade, 24))
    comments: Mapped[str | None] = mapped_column(Text)
    graded_on: Mapped[date | None]
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    moderator_grade: Mapped[Grade | None] = mapped_column(_enum(Grade, 24))
    moderator_comments: Mapped[str | None] = mapped_column(Text)
    moderated_on: Mapped[date | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    # The grade that counts: the auditor's, the agreed one, or the one a disagreement settled on.
    final_grade: Mapped[Grade | None] = mapped_column(_enum(Grade, 24))
    completed_on: Mapped[date | None]
    # What the coordinator is asked to do, and when they said it was done.
    actions: Mapped[str | None] = mapped_column(Text)
    actions_done_on: Mapped[date | None]

    sample: Mapped[AuditSample | None] = relationship(back_populates="audits")
    case: Mapped[Case] = relationship()  # type: ignore[name-defined]  # noqa: F821
    plan: Mapped[Plan | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
    advice_request: Mapped[AdviceRequest | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
    event: Mapped[CaseEvent | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
    framework: Mapped[AuditFramework] = relationship()
    auditor: Mapped[User | None] = relationship(foreign_keys=[auditor_id])  # type: ignore[name-defined]  # noqa: F821
    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])  # type: ignore[name-defined]  # noqa: F821
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])  # type: ignore[name-defined]  # noqa: F821
    answers: Mapped[list[AuditAnswer]] = relationship(
        back_populates="audit", order_by="AuditAnswer.id", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        if self.subject is AuditSubject.ADVICE and self.advice_request is not None:
            return f"{self.advice_request.advice_type.label} advice from {self.advice_request.provider_name}"
        if self.event is not None:
            return f"Plan {'amended' if self.event.event_type.value == 'amended_plan_issued' else 'issued'} on {self.event.occurred_on:%-d %B %Y}"
        return "EHC plan"

    def answers_by(self, role: str) -> dict[int, AuditAnswer]:
        return {a.question_id: a for a in self.answers if a.role == role}


class AuditAnswer(db.Model):  # type: ignore[name-defined,misc]
    """A grade and comment for one question, by the auditor or by the moderator."""

    __tablename__ = "audit_answers"
    __table_args__ = (UniqueConstraint("audit_id", "question_id", "role", name="uq_audit_answers_audit_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("quality_audits.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("audit_questions.id"))
    # "auditor" or "moderator".
    role: Mapped[str] = mapped_column(String(20))
    grade: Mapped[Grade] = mapped_column(_enum(Grade, 24))
    comment: Mapped[str | None] = mapped_column(Text)

    audit: Mapped[QualityAudit] = relationship(back_populates="answers")
    question: Mapped[AuditQuestion] = relationship()
