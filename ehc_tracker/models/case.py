"""Cases (EHC needs assessments and annual reviews), their events and statutory milestones."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, Time, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


def _enum(cls: type[enum.Enum], length: int = 32) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class CaseType(str, enum.Enum):
    ASSESSMENT = "assessment"
    REASSESSMENT = "reassessment"
    ANNUAL_REVIEW = "annual_review"
    # Mediation or an appeal to the First-tier Tribunal about a decision of another case.
    DISPUTE = "dispute"

    @property
    def label(self) -> str:
        return {
            "assessment": "EHC needs assessment",
            "reassessment": "Reassessment",
            "annual_review": "Annual review",
            "dispute": "Dispute (mediation or appeal)",
        }[self.value]


class CaseStatus(str, enum.Enum):
    OPEN = "open"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class RequestSource(str, enum.Enum):
    PARENT = "parent"
    YOUNG_PERSON = "young_person"
    SCHOOL = "school"
    HEALTH = "health"
    OTHER = "other"


class EventType(str, enum.Enum):
    """The one vocabulary of case events, shared by the pages, the API and the reports."""

    REQUEST_RECEIVED = "request_received"
    DECIDED_TO_ASSESS = "decided_to_assess"
    DECIDED_NOT_TO_ASSESS = "decided_not_to_assess"
    ADVICE_REQUESTED = "advice_requested"
    ADVICE_RECEIVED = "advice_received"
    DECIDED_TO_ISSUE = "decided_to_issue"
    DECIDED_NOT_TO_ISSUE = "decided_not_to_issue"
    DRAFT_PLAN_ISSUED = "draft_plan_issued"
    SCHOOL_CONSULTED = "school_consulted"
    SCHOOL_RESPONDED = "school_responded"
    FINAL_PLAN_ISSUED = "final_plan_issued"
    WITHDRAWN = "withdrawn"
    REVIEW_MEETING_SCHEDULED = "review_meeting_scheduled"
    INVITATIONS_SENT = "invitations_sent"
    REVIEW_MEETING_HELD = "review_meeting_held"
    REVIEW_REPORT_RECEIVED = "review_report_received"
    REVIEW_DECISION_NOTIFIED = "review_decision_notified"
    AMENDMENTS_PROPOSED = "amendments_proposed"
    AMENDED_PLAN_ISSUED = "amended_plan_issued"
    # Reg 22(4): after proposing amendments, the council decides not to amend after all.
    DECIDED_NOT_TO_AMEND = "decided_not_to_amend"
    PLAN_CEASED = "plan_ceased"
    # Reg 15: after a plan transfers in from another authority, the family is told within
    # 6 weeks whether the plan will be reviewed or the child reassessed.
    TRANSFER_NOTICE_SENT = "transfer_notice_sent"
    # A dispute about a decision: mediation (SEND Regs 2014 Part 6) and appeal (CFA 2014 s51).
    MEDIATION_REQUESTED = "mediation_requested"
    MEDIATION_CERTIFICATE_ISSUED = "mediation_certificate_issued"
    MEDIATION_HELD = "mediation_held"
    MEDIATION_AGREEMENT_RECORDED = "mediation_agreement_recorded"
    APPEAL_REGISTERED = "appeal_registered"
    TRIBUNAL_RESPONSE_SENT = "tribunal_response_sent"
    APPEAL_NOT_OPPOSED = "appeal_not_opposed"
    HEARING_HELD = "hearing_held"
    APPEAL_OUTCOME = "appeal_outcome"
    DISPUTE_ACTION_TAKEN = "dispute_action_taken"
    DISPUTE_CLOSED = "dispute_closed"


class AdviceType(str, enum.Enum):
    EP = "ep"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    SALT = "salt"
    OT = "ot"
    SCHOOL = "school"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "ep": "Educational psychologist",
            "health": "Health",
            "social_care": "Social care",
            "salt": "Speech and language therapy",
            "ot": "Occupational therapy",
            "school": "School or setting",
            "other": "Other",
        }[self.value]


class AppealType(str, enum.Enum):
    """What a dispute is about: the decisions a family may take to mediation or appeal (CFA 2014
    s51(2)), and the two other matters the tribunal hears (disability discrimination; the extended
    health and social care recommendations)."""

    REFUSAL_TO_ASSESS = "refusal_to_assess"
    REFUSAL_TO_ISSUE = "refusal_to_issue"
    PLAN_CONTENTS = "plan_contents"
    CEASE = "cease"
    REFUSAL_TO_REASSESS = "refusal_to_reassess"
    REFUSAL_TO_AMEND = "refusal_to_amend"
    DISABILITY_DISCRIMINATION = "disability_discrimination"
    HEALTH_AND_SOCIAL_CARE = "health_and_social_care"

    @property
    def label(self) -> str:
        return {
            "refusal_to_assess": "Refusal to assess",
            "refusal_to_issue": "Refusal to issue a plan",
            "plan_contents": "Contents of the plan (sections B, F and I)",
            "cease": "Decision to cease the plan",
            "refusal_to_reassess": "Refusal to reassess",
            "refusal_to_amend": "Refusal to amend the plan",
            "disability_discrimination": "Disability discrimination",
            "health_and_social_care": "Health and social care recommendations",
        }[self.value]


class ReviewDecision(str, enum.Enum):
    MAINTAIN = "maintain"
    AMEND = "amend"
    CEASE = "cease"


class ExceptionStatus(str, enum.Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"proposed": "Awaiting approval", "approved": "Approved", "rejected": "Rejected"}[self.value]


class ConsultationOutcome(enum.StrEnum):
    """A school or college's response to being consulted (stored as these words in
    `Consultation.outcome`, so an outcome compares equal to its stored text)."""

    AGREED = "agreed"
    DECLINED = "declined"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"agreed": "Agreed to be named", "declined": "Declined", "other": "Other response"}[self.value]


class Channel(str, enum.Enum):
    """How a communication came in, or how the reply went out."""

    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"
    MEETING = "meeting"
    PORTAL = "portal"

    @property
    def label(self) -> str:
        return {
            "email": "Email",
            "phone": "Phone",
            "letter": "Letter",
            "meeting": "In person",
            "portal": "Through the service",
        }[self.value]


# Database guards behind the rules that say "one at a time": a child has at most one open annual
# review and one open assessment or reassessment (the services check first; these catch a race).
_OPEN_REVIEW = "status = 'open' AND case_type = 'annual_review'"
_OPEN_ASSESSMENT = "status = 'open' AND case_type IN ('assessment', 'reassessment')"


class Case(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_team_status", "team_id", "status"),
        Index("ix_cases_type_team", "case_type", "team_id"),
        # The caseload's first page, by next due date, of a team's or a coordinator's open cases.
        Index(
            "ix_cases_open_team_next_due",
            "team_id",
            "next_due_on",
            "id",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index(
            "ix_cases_open_coordinator_next_due",
            "coordinator_id",
            "next_due_on",
            "id",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        # Open cases by coordinator (the dashboard's caseload) from the index alone.
        Index(
            "ix_cases_open_team_coordinator",
            "team_id",
            "coordinator_id",
            "anchor_on",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_cases_coordinator_status", "coordinator_id", "status"),
        Index(
            "uq_cases_one_open_review",
            "child_id",
            unique=True,
            sqlite_where=text(_OPEN_REVIEW),
            postgresql_where=text(_OPEN_REVIEW),
        ),
        Index(
            "uq_cases_one_open_assessment",
            "child_id",
            unique=True,
            sqlite_where=text(_OPEN_ASSESSMENT),
            postgresql_where=text(_OPEN_ASSESSMENT),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    case_type: Mapped[CaseType] = mapped_column(_enum(CaseType, 20))
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus, 20), default=CaseStatus.OPEN)
    # The statutory anchor: request received (assessment), reassessment notice, or for an
    # annual review the date the plan was made or last reviewed.
    anchor_on: Mapped[date]
    request_source: Mapped[RequestSource | None] = mapped_column(_enum(RequestSource, 20))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    review_meeting_on: Mapped[date | None]
    # Set on the first review of a plan transferred in from another authority (reg 15).
    transferred_on: Mapped[date | None]
    previous_authority: Mapped[str | None] = mapped_column(String(120))
    review_decision: Mapped[ReviewDecision | None] = mapped_column(_enum(ReviewDecision, 20))
    closed_on: Mapped[date | None]
    # A dispute: what is disputed, and the case whose decision it is (its anchor is the day the
    # decision letter was sent).
    appeal_type: Mapped[AppealType | None] = mapped_column(_enum(AppealType, 40))
    disputed_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Cached from the milestones so that lists can sort by it in SQL.
    next_due_on: Mapped[date | None] = mapped_column(index=True)
    # Moving in: the case's key in the file it came from, a digest of what was imported, and
    # the import that last wrote it (see Child.source_key). None for cases opened here.
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    source_hash: Mapped[str | None] = mapped_column(String(64))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"))

    child: Mapped[Child] = relationship(back_populates="cases")  # type: ignore[name-defined]  # noqa: F821
    team: Mapped[Team] = relationship()  # type: ignore[name-defined]  # noqa: F821
    coordinator: Mapped[User | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
    plan: Mapped[Plan | None] = relationship(foreign_keys=[plan_id])
    disputed_case: Mapped[Case | None] = relationship(remote_side=[id], foreign_keys=[disputed_case_id])
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="(CaseEvent.occurred_on, CaseEvent.id)", cascade="all, delete-orphan"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="case", order_by="(Milestone.due_on, Milestone.id)", cascade="all, delete-orphan"
    )
    advice_requests: Mapped[list[AdviceRequest]] = relationship(
        back_populates="case", order_by="AdviceRequest.requested_on", cascade="all, delete-orphan"
    )
    consultations: Mapped[list[Consultation]] = relationship(
        back_populates="case", order_by="Consultation.sent_on", cascade="all, delete-orphan"
    )
    communications: Mapped[list[Communication]] = relationship(
        back_populates="case", order_by="Communication.received_on.desc()", cascade="all, delete-orphan"
    )
    exceptions: Mapped[list[CaseException]] = relationship(back_populates="case", cascade="all, delete-orphan")
    notes: Mapped[list[CaseNote]] = relationship(back_populates="case", order_by="CaseNote.created_at.desc()")
    assignments: Mapped[list[CaseAssignment]] = relationship(
        back_populates="case", order_by="CaseAssignment.assigned_at"
    )

    @property
    def is_open(self) -> bool:
        return self.status is CaseStatus.OPEN

    def events_of(self, event_type: EventType) -> list[CaseEvent]:
        return [e for e in self.events if e.event_type is event_type]

    def event(self, event_type: EventType) -> CaseEvent | None:
        found = self.events_of(event_type)
        return found[-1] if found else None


# The steps a case records at most once, as the latest migration that built the unique index wrote them:
# the index is the database's guard when two people record the same step at the same moment. The
# workflow table (services.workflow) says which steps are once-only; a test keeps the two equal.
ONCE_ONLY_EVENTS = (
    "decided_to_assess",
    "decided_not_to_assess",
    "decided_to_issue",
    "decided_not_to_issue",
    "draft_plan_issued",
    "final_plan_issued",
    "withdrawn",
    "invitations_sent",
    "review_meeting_held",
    "review_report_received",
    "review_decision_notified",
    "amendments_proposed",
    "amended_plan_issued",
    "decided_not_to_amend",
    "plan_ceased",
    "transfer_notice_sent",
    "mediation_requested",
    "mediation_certificate_issued",
    "mediation_held",
    "mediation_agreement_recorded",
    "appeal_registered",
    "tribunal_response_sent",
    "appeal_not_opposed",
    "hearing_held",
    "appeal_outcome",
    "dispute_closed",
)
_ONCE_ONLY = "event_type IN (" + ", ".join(f"'{e}'" for e in ONCE_ONLY_EVENTS) + ")"


class CaseEvent(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "case_events"
    __table_args__ = (
        Index(
            "uq_case_events_once",
            "case_id",
            "event_type",
            unique=True,
            sqlite_where=text(_ONCE_ONLY),
            postgresql_where=text(_ONCE_ONLY),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_type: Mapped[EventType] = mapped_column(_enum(EventType, 40))
    occurred_on: Mapped[date]
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")
    recorded_by: Mapped[User | None] = relationship()  # type: ignore[name-defined]  # noqa: F821


# The steps still to take of open cases, as the overdue list, the open-work counts and the home
# pages ask for them (services.reports.scope, Scope.step_conditions): written as those queries'
# conditions render on each database, so that the planner matches them to the partial indexes.
OPEN_STEP_SQLITE = "met_on IS NULL AND is_period = 0 AND case_open = 1"
OPEN_STEP_POSTGRESQL = "met_on IS NULL AND is_period = false AND case_open = true"


class Milestone(db.Model):  # type: ignore[name-defined,misc]
    """A statutory due date of a case, recomputed by the engine whenever the case changes.

    `team_id`, `coordinator_id` and `case_open` are copies of the case's team, coordinator and
    "status is open", kept in step by services.open_steps whenever a case or milestone is
    flushed, so that a team's or a coordinator's open steps are one range of an index.
    """

    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint("case_id", "key", "ref", name="uq_milestones_case_key_ref"),
        Index("ix_milestones_open_due", "met_on", "due_on"),
        Index(
            "ix_milestones_open_team_due",
            "team_id",
            "due_on",
            sqlite_where=text(OPEN_STEP_SQLITE),
            postgresql_where=text(OPEN_STEP_POSTGRESQL),
            # What the open-work counts read besides, for an index-only scan on PostgreSQL.
            postgresql_include=["key", "lapses_on", "case_id"],
        ),
        Index(
            "ix_milestones_open_coordinator_due",
            "coordinator_id",
            "due_on",
            sqlite_where=text(OPEN_STEP_SQLITE),
            postgresql_where=text(OPEN_STEP_POSTGRESQL),
            postgresql_include=["key", "lapses_on", "case_id"],
        ),
        # The monthly compliance measures count one kind of milestone due, or met, in a month;
        # on PostgreSQL the index carries the rest of what they read (an index-only scan).
        Index("ix_milestones_key_due", "key", "due_on", postgresql_include=["met_on", "case_id", "exception_applies"]),
        Index("ix_milestones_key_met", "key", "met_on", postgresql_include=["due_on", "case_id", "exception_applies"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    # Which advice request, consultation or communication a repeated milestone belongs to ("" if none).
    ref: Mapped[str] = mapped_column(String(40), default="")
    label: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))
    anchor_on: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    met_on: Mapped[date | None]
    # A period that closes (e.g. representations) rather than a step the council must take.
    is_period: Mapped[bool] = mapped_column(default=False)
    exception_applies: Mapped[bool] = mapped_column(default=False)
    # The day from which the step can no longer be taken (a phase transfer once the child has
    # moved; review invitations once the meeting has passed). Unmet by then, it is "missed":
    # still late in the compliance figures, but no longer on any overdue list.
    lapses_on: Mapped[date | None]
    # Once a step is overdue, the day the coordinator now expects it (told to the family, with an
    # optional short note). None: the family is told a new date will follow, never an invented one.
    expected_on: Mapped[date | None]
    expected_note: Mapped[str | None] = mapped_column(String(200))
    # Copied from the case (services.open_steps): its team, its coordinator, and whether it is open.
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    case_open: Mapped[bool]

    case: Mapped[Case] = relationship(back_populates="milestones")


class AdviceRequest(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "advice_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    advice_type: Mapped[AdviceType] = mapped_column(_enum(AdviceType, 20))
    # As typed, or the directory entry's name when it matched one (then also linked below).
    provider: Mapped[str] = mapped_column(String(200))
    directory_entry_id: Mapped[int | None] = mapped_column(ForeignKey("directory_entries.id"), index=True)
    requested_on: Mapped[date]
    received_on: Mapped[date | None]
    quality_note: Mapped[str | None] = mapped_column(Text)
    # The professional account the request is addressed to (invited from the case), and what
    # they are asked: they see this request and nothing else of the case.
    professional_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    question: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="advice_requests")
    professional: Mapped[User | None] = relationship(foreign_keys=[professional_id])  # type: ignore[name-defined]  # noqa: F821
    directory_entry: Mapped[DirectoryEntry | None] = relationship()  # type: ignore[name-defined]  # noqa: F821

    @property
    def provider_name(self) -> str:
        """Who gives the advice: the directory entry's current name, or the name as typed."""
        return self.directory_entry.name if self.directory_entry is not None else self.provider


class Consultation(db.Model):  # type: ignore[name-defined,misc]
    """A school or college consulted on being named in the plan (CFA 2014 s39)."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    setting_name: Mapped[str] = mapped_column(String(200))
    directory_entry_id: Mapped[int | None] = mapped_column(ForeignKey("directory_entries.id"), index=True)
    sent_on: Mapped[date]
    responded_on: Mapped[date | None]
    # A ConsultationOutcome's value (kept as text: the stored words are the enum's values).
    outcome: Mapped[str | None] = mapped_column(String(40))

    case: Mapped[Case] = relationship(back_populates="consultations")
    directory_entry: Mapped[DirectoryEntry | None] = relationship()  # type: ignore[name-defined]  # noqa: F821


class Communication(db.Model):  # type: ignore[name-defined,misc]
    """An email, call or letter from a parent or professional, with its 5-working-day response clock;
    or, when `outgoing`, one the council sent (a letter made from the case), which waits on nothing."""

    __tablename__ = "communications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[date]
    channel: Mapped[Channel] = mapped_column(_enum(Channel, 20))
    from_name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    responded_on: Mapped[date | None]
    response_summary: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when a family account sent it through the service; its reply is then shown to them.
    family_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # A family message is seen only by the account that sent it, unless the coordinator shares it
    # (with its reply) with the child's other family accounts: when, and by whom (audited too).
    shared_with_family_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The child's recorded contact it came from (None: someone else, named in from_name only). A
    # contact deleted later leaves the communication and its from_name in place.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("child_contacts.id", ondelete="SET NULL"), index=True)
    # The time of day it was received, when known (the date is received_on).
    received_at: Mapped[time | None] = mapped_column(Time())
    # How the reply was sent, recorded with the response.
    reply_channel: Mapped[Channel | None] = mapped_column(_enum(Channel, 20))
    # Sent by the council rather than received: `received_on` is then the day it was sent and
    # `from_name` who sent it; it has no response clock.
    outgoing: Mapped[bool] = mapped_column(default=False, server_default=false())

    case: Mapped[Case] = relationship(back_populates="communications")
    # The backref makes the ORM clear contact_id when a contact is removed, on SQLite too (where
    # the ON DELETE SET NULL of the foreign key is not enforced unless foreign keys are switched on).
    contact: Mapped[ChildContact | None] = relationship(backref="communications")  # type: ignore[name-defined]  # noqa: F821

    @property
    def from_text(self) -> str:
        """Who it came from as the pages show it: "Pat Brown (Father)" for a recorded contact."""
        if self.contact is not None:
            relation = self.contact.relationship_to_child.strip()
            return f"{self.contact.name} ({relation})" if relation else self.contact.name
        return self.from_name


class CaseException(db.Model):  # type: ignore[name-defined,misc]
    """A statutory exception to a time limit: proposed by a coordinator, decided by a manager.

    It never moves a due date; an approved one marks the milestone "exception applies".
    """

    __tablename__ = "case_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    milestone_key: Mapped[str] = mapped_column(String(64))
    limb: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ExceptionStatus] = mapped_column(_enum(ExceptionStatus, 20), default=ExceptionStatus.PROPOSED)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="exceptions")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])  # type: ignore[name-defined]  # noqa: F821
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])  # type: ignore[name-defined]  # noqa: F821

    @property
    def milestone_label(self) -> str:
        from ..statutory.rules import rule

        return rule(self.milestone_key).label

    @property
    def limb_text(self) -> str:
        """The circumstance and its citation, e.g. "Exceptional personal circumstances (reg 10(4)(c))"."""
        from ..statutory.rules import ExceptionLimb, rule

        limb = ExceptionLimb(self.limb)
        return f"{limb.description} ({rule(self.milestone_key).limb_citation(limb)})"


class CaseNote(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()  # type: ignore[name-defined]  # noqa: F821


class CaseAssignment(db.Model):  # type: ignore[name-defined,misc]
    """Who held the case when: one row each time it is assigned or reassigned."""

    __tablename__ = "case_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="assignments")
    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id])  # type: ignore[name-defined]  # noqa: F821
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])  # type: ignore[name-defined]  # noqa: F821


class PlanStatus(str, enum.Enum):
    ACTIVE = "active"
    CEASING = "ceasing"
    CEASED = "ceased"


class Plan(db.Model):  # type: ignore[name-defined,misc]
    """An EHC plan: issued by an assessment, amended and reviewed until it ceases."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    issued_on: Mapped[date]
    last_amended_on: Mapped[date | None]
    named_settings: Mapped[str | None] = mapped_column(Text)
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus, 20), default=PlanStatus.ACTIVE)
    cease_decided_on: Mapped[date | None]
    # The day the family was sent notice of the decision to cease, and the last day they may
    # appeal (CFA s51(2)(f); HESC Rules r.20, r.12): the plan is maintained until then, or until
    # an appeal is concluded (CFA s45(3)-(4); SEND Regulations 2014 reg 31).
    cease_notice_sent_on: Mapped[date | None]
    cease_appeal_ends_on: Mapped[date | None]
    cease_appeal_concluded_on: Mapped[date | None]
    ceased_on: Mapped[date | None]
    cease_reason: Mapped[str | None] = mapped_column(String(2))
    # The assessment that issued it (no foreign key: plans and cases refer to each other).
    issued_by_case_id: Mapped[int | None]
    # The final plan as issued, among the plan's documents (documents and plans refer to each other).
    final_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", use_alter=True))
    # Moving in: see Child.source_key.
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    source_hash: Mapped[str | None] = mapped_column(String(64))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"))

    child: Mapped[Child] = relationship(viewonly=True)  # type: ignore[name-defined]  # noqa: F821
    final_document: Mapped[Document | None] = relationship(foreign_keys=[final_document_id], post_update=True)  # type: ignore[name-defined]  # noqa: F821
