"""The family's voice: complaints about the service, and the short surveys families answer.

A complaint is made about a child's case (or the child's service as a whole) at one stage of the
council's complaints procedure; its response is due a number of working days after it was received
(the council's own standard, a setting per stage). A survey is offered to one family account at a
point of the case the council chooses (a plan issued, a review completed), answered once, through
the family's account or a single-use emailed link whose token is kept only as a hash.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


def _enum(cls: type[enum.Enum], length: int) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class ComplaintStage(str, enum.Enum):
    STAGE_1 = "stage_1"
    STAGE_2 = "stage_2"
    OMBUDSMAN = "ombudsman"

    @property
    def label(self) -> str:
        return {"stage_1": "Stage 1", "stage_2": "Stage 2", "ombudsman": "Ombudsman"}[self.value]


class ComplaintCategory(str, enum.Enum):
    COMMUNICATION = "communication"
    TIMELINESS = "timeliness"
    PROVISION = "provision"
    DECISION = "decision"
    STAFF = "staff"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "communication": "Communication",
            "timeliness": "Timeliness",
            "provision": "Provision",
            "decision": "Decision",
            "staff": "Staff",
            "other": "Other",
        }[self.value]


class ComplaintOutcome(str, enum.Enum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "upheld": "Upheld",
            "partly_upheld": "Partly upheld",
            "not_upheld": "Not upheld",
            "withdrawn": "Withdrawn",
        }[self.value]


class Complaint(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_team_received", "team_id", "received_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    # The case complained about, when it is about one.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # The child's team when the complaint was recorded: whose figures it counts in.
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    stage: Mapped[ComplaintStage] = mapped_column(_enum(ComplaintStage, 20))
    category: Mapped[ComplaintCategory] = mapped_column(_enum(ComplaintCategory, 20))
    received_on: Mapped[date]
    # received_on + the stage's working days (COMPLAINT_RESPONSE_WORKING_DAYS_*), set when recorded.
    response_due_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)
    responded_on: Mapped[date | None]
    outcome: Mapped[ComplaintOutcome | None] = mapped_column(_enum(ComplaintOutcome, 20))
    lessons: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    child: Mapped[Child] = relationship()  # type: ignore[name-defined]  # noqa: F821
    case: Mapped[Case | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
    team: Mapped[Team] = relationship()  # type: ignore[name-defined]  # noqa: F821

    @property
    def is_open(self) -> bool:
        return self.responded_on is None

    def is_overdue(self, today: date) -> bool:
        """Not responded to, and the day the response was due has passed."""
        return self.responded_on is None and self.response_due_on < today


class SurveyPoint(str, enum.Enum):
    """The point of a case at which a family is asked how it went (the step that offers it)."""

    PLAN_ISSUED = "final_plan_issued"
    REVIEW_COMPLETED = "review_decision_notified"

    @property
    def label(self) -> str:
        return {"final_plan_issued": "EHC plan issued", "review_decision_notified": "Annual review completed"}[
            self.value
        ]

    @property
    def family_words(self) -> str:
        return {
            "final_plan_issued": "your child's EHC plan being made",
            "review_decision_notified": "the review of your child's EHC plan",
        }[self.value]


class SurveyRating(str, enum.Enum):
    SATISFIED = "satisfied"
    PARTLY = "partly"
    NOT_SATISFIED = "not_satisfied"

    @property
    def label(self) -> str:
        return {"satisfied": "Satisfied", "partly": "Partly satisfied", "not_satisfied": "Not satisfied"}[self.value]


class FamilySurvey(db.Model):  # type: ignore[name-defined,misc]
    """One survey offered to one family account, and its answer once given."""

    __tablename__ = "family_surveys"
    __table_args__ = (
        UniqueConstraint("case_id", "point", "user_id", name="uq_family_surveys_case_point_user"),
        Index("ix_family_surveys_team_answered", "team_id", "answered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # The case's team and coordinator when the survey was offered: whose work it is about.
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    point: Mapped[SurveyPoint] = mapped_column(_enum(SurveyPoint, 40))
    # SHA-256 of the token in the emailed link; the token itself is only ever in the email.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The local day it was answered: the month the answer counts in.
    answered_on: Mapped[date | None]
    rating: Mapped[SurveyRating | None] = mapped_column(_enum(SurveyRating, 20))
    comment: Mapped[str | None] = mapped_column(Text)
    # A manager's choice to let the coordinator it names read the answer and its comment.
    shared_with_coordinator_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship()  # type: ignore[name-defined]  # noqa: F821
    team: Mapped[Team] = relationship()  # type: ignore[name-defined]  # noqa: F821
    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id])  # type: ignore[name-defined]  # noqa: F821
    user: Mapped[User] = relationship(foreign_keys=[user_id])  # type: ignore[name-defined]  # noqa: F821

    def open_at(self, now: datetime) -> bool:
        """Not answered yet, and the link has not expired."""
        return self.answered_at is None and now < self.expires_at.astimezone(UTC)
