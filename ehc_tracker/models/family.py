"""Family accounts: parents, carers and young people who follow their own case.

A family account is a `User` with the role `family`. It sees only the children it is linked
to (and their cases), through `FamilyLink`. It is created from an invitation a coordinator
sends from the case: a single-use link, stored only as a hash, that expires.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class FamilyRelationship(str, enum.Enum):
    PARENT = "parent"
    YOUNG_PERSON = "young_person"

    @property
    def label(self) -> str:
        return {"parent": "Parent or carer", "young_person": "The young person themselves (16 or over)"}[self.value]


def _enum(cls: type[enum.Enum], length: int) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class FamilyLink(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "family_links"
    __table_args__ = (UniqueConstraint("user_id", "child_id", name="uq_family_links_user_child"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    relationship_to_child: Mapped[FamilyRelationship] = mapped_column(_enum(FamilyRelationship, 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()  # type: ignore[name-defined]  # noqa: F821
    child: Mapped[Child] = relationship()  # type: ignore[name-defined]  # noqa: F821


class FamilyInvitation(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "family_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    relationship_to_child: Mapped[FamilyRelationship] = mapped_column(_enum(FamilyRelationship, 20))
    # SHA-256 of the token in the link; the token itself is only ever in the email.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    case: Mapped[Case] = relationship()  # type: ignore[name-defined]  # noqa: F821

    def usable_at(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at.astimezone(UTC)
