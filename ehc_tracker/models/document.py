"""Documents attached to a child, a case, or one step of a case (advice, a plan, an exception, a
communication). The bytes live in the document store (services/storage.py); the row says what
they are, who supplied them, whether the family may see them, and when they were deleted."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class DocumentKind(str, enum.Enum):
    REQUEST = "request"
    ADVICE = "advice"
    DRAFT_PLAN = "draft_plan"
    FINAL_PLAN = "final_plan"
    AMENDED_PLAN = "amended_plan"
    REVIEW_REPORT = "review_report"
    EXCEPTION_EVIDENCE = "exception_evidence"
    CORRESPONDENCE = "correspondence"
    LETTER = "letter"
    DISPUTE = "dispute"
    # Sent by the family through the service (models.contribution.FamilyContribution).
    FAMILY_VIEWS = "family_views"
    REPRESENTATIONS = "representations"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "request": "Request for assessment",
            "advice": "Advice or report",
            "draft_plan": "Draft plan",
            "final_plan": "Final plan",
            "amended_plan": "Amended plan",
            "review_report": "Annual review report",
            "exception_evidence": "Evidence for an exception",
            "correspondence": "Letter or email",
            "letter": "Letter from the council",
            "dispute": "Mediation or tribunal papers",
            "family_views": "Views, wishes and feelings",
            "representations": "Representations on the draft plan",
            "other": "Other",
        }[self.value]

    @property
    def is_plan_version(self) -> bool:
        return self in PLAN_KINDS


PLAN_KINDS = (DocumentKind.DRAFT_PLAN, DocumentKind.FINAL_PLAN, DocumentKind.AMENDED_PLAN)


class Document(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    # None: a document of the child's record rather than of one case.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # The step it belongs to, when it belongs to one.
    advice_request_id: Mapped[int | None] = mapped_column(ForeignKey("advice_requests.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), index=True)
    exception_id: Mapped[int | None] = mapped_column(ForeignKey("case_exceptions.id"), index=True)
    communication_id: Mapped[int | None] = mapped_column(ForeignKey("communications.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(
        Enum(DocumentKind, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])
    )
    title: Mapped[str] = mapped_column(String(200))
    # The date the document bears (not the day it was uploaded).
    dated_on: Mapped[date]
    supplied_by: Mapped[str] = mapped_column(String(200))
    # A plan's versions: draft 1, draft 2, final 1, amended 1, ... counted per plan and kind.
    version_number: Mapped[int | None]
    # Where the bytes are in the document store, and what they were checked to be.
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Families see a document only once a coordinator shares it (audited): when, and by whom.
    shared_with_family_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Deleting keeps the row (what was held, and why it went); the stored bytes are removed.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deletion_reason: Mapped[str | None] = mapped_column(Text)

    child: Mapped[Child] = relationship()  # type: ignore[name-defined]  # noqa: F821
    case: Mapped[Case | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
    advice_request: Mapped[AdviceRequest | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
    plan: Mapped[Plan | None] = relationship(foreign_keys=[plan_id])  # type: ignore[name-defined]  # noqa: F821
    exception: Mapped[CaseException | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
    communication: Mapped[Communication | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])  # type: ignore[name-defined]  # noqa: F821
    shared_by: Mapped[User | None] = relationship(foreign_keys=[shared_by_id])  # type: ignore[name-defined]  # noqa: F821
    deleted_by: Mapped[User | None] = relationship(foreign_keys=[deleted_by_id])  # type: ignore[name-defined]  # noqa: F821

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_shared(self) -> bool:
        return self.shared_with_family_at is not None

    @property
    def version_label(self) -> str | None:
        """ "Draft 2", "Final", "Amended 1": a plan version's name (None for other documents)."""
        if self.version_number is None:
            return None
        if self.kind is DocumentKind.FINAL_PLAN:
            return "Final" if self.version_number == 1 else f"Final (reissued {self.version_number})"
        word = "Draft" if self.kind is DocumentKind.DRAFT_PLAN else "Amended"
        return f"{word} {self.version_number}"
