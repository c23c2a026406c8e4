"""Contributions straight into a case: professionals returning the advice asked of them, and
families giving their views and their representations on the draft plan.

A professional account is a `User` with the role `professional`, member of one provider of the
directory (`ProviderMembership`). It is made from an invitation sent from an advice request: a
single-use link, stored only as a hash, that expires. It sees only the advice requests addressed
to it (`AdviceRequest.professional_id`), and a provider manager those of their service.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import Column, Enum, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


def _enum(cls: type[enum.Enum], length: int) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class ProviderMembership(db.Model):  # type: ignore[name-defined,misc]
    """Which provider of the directory a professional account works for (one each)."""

    __tablename__ = "provider_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    directory_entry_id: Mapped[int] = mapped_column(ForeignKey("directory_entries.id"), index=True)
    # A provider manager sees the service's open requests and moves them between its professionals.
    is_manager: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()  # type: ignore[name-defined]  # noqa: F821
    directory_entry: Mapped[DirectoryEntry] = relationship()  # type: ignore[name-defined]  # noqa: F821


class ProfessionalInvitation(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "professional_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    advice_request_id: Mapped[int] = mapped_column(ForeignKey("advice_requests.id", ondelete="CASCADE"), index=True)
    directory_entry_id: Mapped[int] = mapped_column(ForeignKey("directory_entries.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    # SHA-256 of the token in the link; the token itself is only ever in the email.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    advice_request: Mapped[AdviceRequest] = relationship()  # type: ignore[name-defined]  # noqa: F821
    directory_entry: Mapped[DirectoryEntry] = relationship()  # type: ignore[name-defined]  # noqa: F821

    def usable_at(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at.astimezone(UTC)


# The case's documents the coordinator attached to an advice request for the professional to read
# (the family's views, say): the only documents of the case the professional can open.
advice_request_documents = Table(
    "advice_request_documents",
    db.metadata,
    Column("advice_request_id", ForeignKey("advice_requests.id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
)


class AdviceReturn(db.Model):  # type: ignore[name-defined,misc]
    """The advice a professional returned through the service: the report and a short summary."""

    __tablename__ = "advice_returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    advice_request_id: Mapped[int] = mapped_column(ForeignKey("advice_requests.id", ondelete="CASCADE"), unique=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    needs: Mapped[str] = mapped_column(Text)
    outcomes: Mapped[str] = mapped_column(Text)
    provision: Mapped[str] = mapped_column(Text)
    given_by: Mapped[str] = mapped_column(String(120))
    provider_name: Mapped[str] = mapped_column(String(200))
    dated_on: Mapped[date]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # `AdviceRequest.advice_return`: the case page shows the summary beside the request.
    advice_request: Mapped[AdviceRequest] = relationship(backref=backref("advice_return", uselist=False))  # type: ignore[name-defined]  # noqa: F821
    document: Mapped[Document] = relationship()  # type: ignore[name-defined]  # noqa: F821


class ContributionKind(str, enum.Enum):
    # Section A of the plan: all about me, wishes, feelings and aspirations (SEND Regs 2014 reg 12(1)(a)).
    VIEWS = "views"
    # On the draft plan, with the school or college preferred (CFA 2014 s38(2)(a)-(b); reg 13(1)).
    REPRESENTATIONS = "representations"

    @property
    def label(self) -> str:
        return {
            "views": "Views, wishes and feelings",
            "representations": "Representations on the draft plan",
        }[self.value]


class FamilyContribution(db.Model):  # type: ignore[name-defined,misc]
    """What a family account sent into the case: a message (with its reply clock) and a document."""

    __tablename__ = "family_contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[ContributionKind] = mapped_column(_enum(ContributionKind, 20))
    text: Mapped[str | None] = mapped_column(Text)
    # The school or college the family would like named in the plan (representations only).
    preferred_setting: Mapped[str | None] = mapped_column(String(200))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    communication_id: Mapped[int] = mapped_column(ForeignKey("communications.id", ondelete="CASCADE"))
    submitted_on: Mapped[date]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship()  # type: ignore[name-defined]  # noqa: F821
    document: Mapped[Document | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
